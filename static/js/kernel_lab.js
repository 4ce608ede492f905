// Entry module of the Kernel lab page: loads presets and samples, reads the view a link asks for
// (kernel_lab/view_link.js documents the address's scheme), then starts the image and the
// numbers labs and the tabs that switch between them, and keeps the address saying what is shown.
import { getKernels, getSamples } from "./api.js";
import { COLOURS } from "./config.js";
import { byId, throttle } from "./dom.js";
import { t } from "./i18n/index.js";
import { createImageLab } from "./kernel_lab/image_lab.js";
import { createNumbersLab } from "./kernel_lab/numbers_lab.js";
import { createTabStatus } from "./kernel_lab/tab_status.js";
import { readViewLink, viewHash } from "./kernel_lab/view_link.js";
import { createStatus } from "./widgets/status.js";

function applyColours() {
  const root = document.documentElement.style;
  root.setProperty("--window-colour", COLOURS.window);
  root.setProperty("--selected-colour", COLOURS.selected);
}

/** ARIA tabs: click or arrow keys select; onShow(name) is told which one is in view. */
function setupTabs(initialName, onShow) {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  function select(tab, focus) {
    for (const other of tabs) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      byId(other.getAttribute("aria-controls")).hidden = !chosen;
    }
    if (focus) tab.focus();
    onShow(tab.id.replace("tab-", ""));
  }
  for (const tab of tabs) {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      event.preventDefault();
      select(tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length], true);
    });
  }
  select(byId(`tab-${initialName}`), false);
}

/** The link's view, less what this page's presets and samples cannot give (said in `problems`). */
function checkedView(hash, presets, samples) {
  const { view, problems } = readViewLink(hash);
  if (view.kernel?.name && !presets.some((preset) => preset.name === view.kernel.name)) {
    problems.push(
      t('The link\'s preset "{name}" is not one of this page\'s kernels; the default is shown.', {
        name: view.kernel.name,
      }),
    );
    delete view.kernel;
  }
  if (view.sample && !samples.some((sample) => sample.name === view.sample)) {
    problems.push(
      t('The link\'s sample "{name}" is not one of this page\'s pictures; the first is shown.', {
        name: view.sample,
      }),
    );
    delete view.sample;
  }
  return { view, problems };
}

async function main() {
  applyColours();
  const status = createStatus(byId("error-box"), byId("status-line"));
  try {
    const [presets, samples] = await Promise.all([getKernels(), getSamples()]);
    const { view, problems } = checkedView(location.hash, presets, samples);
    const tabs = createTabStatus(status, view.tab);
    const labs = {};
    let shown = view.tab;
    // The address always says what the tab in view shows (view_link.js); throttled, as a
    // playing window moves many times a second.
    const saveView = throttle(() => {
      const hash = viewHash(labs[shown].linkEntries());
      if (hash !== location.hash) history.replaceState(null, "", hash || location.pathname);
    }, 200);
    const onViewChange = (name) => () => name === shown && saveView();
    const forTab = (name) => (view.tab === name ? view : {});
    labs.image = createImageLab({
      ...{ presets, samples, status: tabs.forTab("image"), view: forTab("image") },
      onViewChange: onViewChange("image"),
    });
    labs.numbers = createNumbersLab({
      ...{ presets, status: tabs.forTab("numbers"), view: forTab("numbers") },
      onViewChange: onViewChange("numbers"),
    });
    // Said apart from the status line, which the first result clears.
    const note = byId("link-problems");
    note.textContent = problems.join(" ");
    note.hidden = problems.length === 0;
    const started = new Set();
    setupTabs(view.tab, (name) => {
      tabs.show(name);
      for (const [other, lab] of Object.entries(labs)) if (other !== name) lab.pause();
      shown = name;
      if (started.has(name)) {
        saveView();
        return;
      }
      started.add(name);
      labs[name].start();
    });
    // The lab rewrites its own address without a hashchange; one comes only from a link or an
    // address typed in on this page, and then the whole view changes: start again from it.
    window.addEventListener("hashchange", () => location.reload());
    document.body.dataset.ready = "true";
  } catch (error) {
    status.error(error);
  }
}

main();
