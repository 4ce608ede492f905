// Entry module of the Kernel lab page: loads presets and samples, then starts the image and the
// numbers labs and the tabs that switch between them.
import { getKernels, getSamples } from "./api.js";
import { COLOURS, DEFAULTS } from "./config.js";
import { byId } from "./dom.js";
import { createImageLab } from "./kernel_lab/image_lab.js";
import { readFilterLink, readKernelLink } from "./kernel_lab/kernel_link.js";
import { createNumbersLab } from "./kernel_lab/numbers_lab.js";
import { createTabStatus } from "./kernel_lab/tab_status.js";
import { createStatus } from "./widgets/status.js";

function applyColours() {
  const root = document.documentElement.style;
  root.setProperty("--window-colour", COLOURS.window);
  root.setProperty("--selected-colour", COLOURS.selected);
}

/** ARIA tabs: click or arrow keys select; the hash (#numbers) remembers the choice. */
function setupTabs(onShow) {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  function select(tab, focus) {
    for (const other of tabs) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      byId(other.getAttribute("aria-controls")).hidden = !chosen;
    }
    if (focus) tab.focus();
    const name = tab.id.replace("tab-", "");
    history.replaceState(null, "", name === "image" ? location.pathname : `#${name}`);
    onShow(name);
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
  const initial = tabs.find((tab) => `#${tab.id.replace("tab-", "")}` === location.hash);
  if (initial) select(initial, false);
}

/** A kernel sent by a link (#kernel=...&label=..., e.g. from the network explorer), or null. */
function linkedKernel(status) {
  try {
    const link = readKernelLink(location.hash);
    if (!link) return null;
    const note =
      `Loaded from a link: ${link.label}, weights rounded to ${DEFAULTS.decimals} decimals. ` +
      "Edit any cell to make it your own.";
    return { ...link, note };
  } catch (error) {
    status.error(error);
    return null;
  }
}

/** A model's learned filter sent by a link (#model=...&filter=...), or null. */
function linkedFilter(status) {
  try {
    return readFilterLink(location.hash);
  } catch (error) {
    status.error(error);
    return null;
  }
}

async function main() {
  applyColours();
  const status = createStatus(byId("error-box"), byId("status-line"));
  try {
    const [presets, samples] = await Promise.all([getKernels(), getSamples()]);
    const tabs = createTabStatus(status, "image");
    const imageStatus = tabs.forTab("image");
    const imageLab = createImageLab({
      ...{ presets, samples, status: imageStatus },
      initialKernel: linkedKernel(imageStatus),
      initialFilter: linkedFilter(imageStatus),
    });
    const numbersLab = createNumbersLab({ presets, status: tabs.forTab("numbers") });
    const started = new Set();
    const start = (name) => {
      tabs.show(name);
      if (started.has(name)) return;
      started.add(name);
      (name === "image" ? imageLab : numbersLab).start();
    };
    setupTabs(start);
    start(byId("tab-numbers").getAttribute("aria-selected") === "true" ? "numbers" : "image");
    document.body.dataset.ready = "true";
  } catch (error) {
    status.error(error);
  }
}

main();
