// Entry module of the Architecture lab page: loads the presets, wires the stack editor to the
// summary table (recomputed by the server a moment after each edit), the quiz and the
// side-by-side comparison of the presets.
import { getArchitecture, getArchitectures, summarizeArchitecture } from "./api.js";
import { renderCompare } from "./arch/compare.js";
import { formatCount } from "./arch/numbers.js";
import { createQuiz } from "./arch/quiz.js";
import { createStackEditor } from "./arch/stack_editor.js";
import { createSummaryView } from "./arch/summary_view.js";
import { ARCHITECTURE } from "./config.js";
import { byId, debounce, isAbort, latestOnly } from "./dom.js";
import { createStatus } from "./widgets/status.js";

// Engine errors start with the layer's place in the request ('layers[3].branches[1][0] "name"');
// validation errors name the field's path ("body.layers.3.Add.branches.1.0.Conv2D.filters").
const ENGINE_LOCATION = /^layers\[\d+\](?:\.branches\[\d+\]\[\d+\])*/;
const FIELD_PATH = /body\.layers\.(\d+)((?:\.[A-Za-z]\w*\.branches\.\d+\.\d+)*)/;

function errorLocation(detail) {
  const direct = detail.match(ENGINE_LOCATION);
  if (direct) return direct[0];
  const field = detail.match(FIELD_PATH);
  if (!field) return null;
  const nested = field[2].replace(/\.[A-Za-z]\w*\.branches\.(\d+)\.(\d+)/g, ".branches[$1][$2]");
  return `layers[${field[1]}]${nested}`;
}

function main() {
  const status = createStatus(byId("error-box"), byId("status-line"));
  const results = byId("arch-results");
  const stackError = byId("stack-error");
  const presetSelect = byId("preset-select");
  const presetAbout = byId("preset-about");
  const view = createSummaryView(byId("summary"));
  const job = latestOnly();
  let latest = null;
  let loaded = null; // the preset last loaded, until the stack is edited
  let loading = false;

  function showStackError(message, location) {
    stackError.querySelector("[data-role=message]").textContent = message;
    stackError.hidden = false;
    editor.markError(location, message);
    results.dataset.status = "error";
  }

  function show(summary) {
    latest = summary;
    stackError.hidden = true;
    view.render(summary, { hide: quiz.hidden() });
    editor.showRows(summary.layers, quiz.hidden());
    results.dataset.status = "ready";
    status.done(
      `${summary.layers.length - 1} layers, ${formatCount(summary.total_params)} parameters.`,
    );
  }

  async function recompute() {
    editor.clearMarks();
    const body = editor.request();
    if (!body) {
      job.abort();
      showStackError(editor.problems().join(" "), null);
      return;
    }
    results.dataset.status = "busy";
    const signal = job.start();
    try {
      show(await summarizeArchitecture(body, signal));
    } catch (error) {
      if (isAbort(error)) return;
      if (error.status === 422) showStackError(error.message, errorLocation(error.message));
      else status.error(error);
    }
  }

  const schedule = debounce(recompute, ARCHITECTURE.summaryDebounceMs);
  const editor = createStackEditor(byId("stack-editor"), {
    onChange() {
      if (loading) return;
      if (loaded) {
        presetAbout.dataset.edited = "true";
        byId("preset-edited").hidden = false;
      }
      results.dataset.status = "busy";
      schedule();
    },
  });
  const quiz = createQuiz(byId("quiz"), {
    summary: () => latest,
    onHide(hide) {
      if (!latest) return;
      view.render(latest, { hide });
      editor.showRows(latest.layers, hide);
    },
  });

  async function loadPreset(name) {
    status.clearError();
    try {
      const preset = await getArchitecture(name);
      schedule.cancel();
      job.abort();
      loading = true;
      editor.setStack(preset.layers);
      loading = false;
      loaded = name;
      presetSelect.value = name;
      byId("preset-description").textContent = preset.description;
      byId("preset-source").textContent = preset.source;
      byId("preset-edited").hidden = true;
      history.replaceState(null, "", `#${name}`);
      show(preset.summary);
    } catch (error) {
      loading = false;
      status.error(error);
    }
  }

  presetSelect.addEventListener("change", () => loadPreset(presetSelect.value));

  return getArchitectures().then(async (presets) => {
    presetSelect.replaceChildren(
      ...presets.map((preset) => {
        const label = `${preset.title} (${formatCount(preset.total_params)} parameters)`;
        return new Option(label, preset.name);
      }),
    );
    renderCompare(byId("compare"), presets, {
      onLoad: async (name) => {
        await loadPreset(name);
        byId("editor-heading").scrollIntoView({ block: "start" });
        presetSelect.focus({ preventScroll: true });
      },
    });
    const fromHash = presets.find((preset) => `#${preset.name}` === location.hash);
    await loadPreset(fromHash?.name ?? ARCHITECTURE.defaultPreset);
    document.body.dataset.ready = "true";
  });
}

main().catch((error) => {
  createStatus(byId("error-box"), byId("status-line")).error(error);
});
