// Entry module of the Architecture lab page: loads the layer types and the presets, wires the
// stack editor to the summary table (recomputed by the server a moment after each edit), the quiz and the
// side-by-side comparison of the presets. The stack is kept in the address (#preset, or
// ?stack= once edited: ./architecture_lab/stack_url.js), so a reload or a link opens it again.
import {
  getArchitecture,
  getArchitectures,
  getLayerTypes,
  summarizeArchitecture,
} from "./api.js";
import { renderCompare, showSource } from "./architecture_lab/compare.js";
import { openedForTraining, setUpTrainingHandoff } from "./architecture_lab/for_training.js";
import { createQuiz } from "./architecture_lab/quiz.js";
import { createStackEditor } from "./architecture_lab/stack_editor.js";
import { createSummaryView } from "./architecture_lab/summary_view.js";
import {
  askInUrl,
  decodeStack,
  encodeStack,
  keepAskInUrl,
  keepInUrl,
  stackInUrl,
} from "./architecture_lab/stack_url.js";
import { ARCHITECTURE } from "./config.js";
import { byId, debounce, isAbort, latestOnly } from "./dom.js";
import { formatCount } from "./format.js";
import { t } from "./i18n/index.js";
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

/** The page's parts and what they share: the latest summary and the preset last loaded. */
function createLab(catalogue) {
  const lab = {
    status: createStatus(byId("error-box"), byId("status-line")),
    results: byId("arch-results"),
    view: createSummaryView(byId("summary")),
    job: latestOnly(),
    latest: null,
    loaded: null, // the preset last loaded (the stack started from it)
    edited: false, // whether the stack was changed since
    loading: false,
    presets: [],
    catalogue,
    written: 0, // the newest address written (encoding is asynchronous)
    pendingAsk: askInUrl(), // the question the address asks, until the first table arrives
  };
  lab.schedule = debounce(() => recompute(lab), ARCHITECTURE.summaryDebounceMs);
  lab.editor = createStackEditor(byId("stack-editor"), {
    catalogue,
    onChange: () => edited(lab),
  });
  lab.quiz = createQuiz(byId("quiz"), {
    summary: () => lab.latest,
    onHide(asked) {
      keepAskInUrl(asked);
      if (lab.latest) display(lab);
    },
  });
  return lab;
}

// "LeNet-5 (61,706 parameters)": the total is left out while a quiz question is open.
function labelPresets(lab, withTotals) {
  for (const option of byId("preset-select").options) {
    const preset = lab.presets.find((p) => p.name === option.value);
    option.text = withTotals
      ? t("{title} ({count} parameters)", { title: preset.title, count: formatCount(preset.total_params) })
      : preset.title;
  }
}

/** The latest summary everywhere it shows, hiding what would give an open question away. */
function display(lab) {
  const summary = lab.latest;
  const hide = lab.quiz.hidden();
  lab.view.render(summary, { hide });
  lab.editor.showRows(summary.layers, hide);
  labelPresets(lab, !hide);
  byId("compare").hidden = Boolean(hide);
  byId("compare-masked-note").hidden = !hide;
  const layers = summary.layers.length - 1;
  lab.status.done(
    hide
      ? t("{layers} layers; the totals are hidden until you answer the quiz question.", { layers })
      : t("{layers} layers, {params} parameters.", { layers, params: formatCount(summary.total_params) }),
  );
}

function edited(lab) {
  if (lab.loading) return;
  lab.edited = true;
  if (lab.loaded) {
    byId("preset-about").dataset.edited = "true";
    byId("preset-edited").hidden = false;
  }
  lab.results.dataset.status = "busy";
  lab.schedule();
}

function showStackError(lab, message, location) {
  const stackError = byId("stack-error");
  stackError.querySelector("[data-role=message]").textContent = message;
  stackError.hidden = false;
  lab.editor.markError(location, message);
  lab.results.dataset.status = "error";
  // The totals of the last stack that could be built are not this stack's.
  lab.status.done(t("No totals: this stack cannot be built until the marked setting is fixed."));
}

function show(lab, summary) {
  lab.latest = summary;
  byId("stack-error").hidden = true;
  display(lab);
  lab.results.dataset.status = "ready";
  const asked = lab.pendingAsk;
  lab.pendingAsk = null;
  if (asked && !lab.quiz.askAbout(asked.location, asked.kind)) keepAskInUrl(null);
}

/** The stack into the address: the preset's #name alone while it is as shipped. */
async function keepStack(lab, body) {
  const turn = ++lab.written;
  const code = lab.loaded && !lab.edited ? null : await encodeStack(lab.catalogue, body.layers);
  if (turn === lab.written) keepInUrl(code, lab.loaded);
}

async function recompute(lab) {
  lab.editor.clearMarks();
  const body = lab.editor.request();
  if (!body) {
    lab.job.abort();
    showStackError(lab, lab.editor.problems().join(" "), null);
    return;
  }
  keepStack(lab, body).catch((error) => lab.status.error(error));
  lab.results.dataset.status = "busy";
  const signal = lab.job.start();
  try {
    show(lab, await summarizeArchitecture(body, signal));
  } catch (error) {
    if (isAbort(error)) return;
    if (error.status === 422) showStackError(lab, error.message, errorLocation(error.message));
    else lab.status.error(error);
  }
}

async function loadPreset(lab, name) {
  lab.status.clearError();
  try {
    const preset = await getArchitecture(name);
    lab.schedule.cancel();
    lab.job.abort();
    lab.loading = true;
    lab.editor.setStack(preset.layers);
    lab.loading = false;
    lab.loaded = name;
    lab.edited = false;
    lab.written += 1; // an edit's address still being encoded is not this preset's
    byId("preset-select").value = name;
    byId("preset-description").textContent = preset.description;
    showSource(byId("preset-source"), preset.source);
    byId("preset-edited").hidden = true;
    delete byId("preset-about").dataset.edited;
    keepInUrl(null, name);
    show(lab, preset.summary);
  } catch (error) {
    lab.loading = false;
    lab.status.error(error);
  }
}

/**
 * Start from a stack that is not a preset as shipped: one sent by the Training page ({layers,
 * from}, sized for its dataset), or one the address holds ({layers, preset}: the preset it was
 * edited from, if any).
 */
function loadStack(lab, stack) {
  lab.loading = true;
  lab.editor.setStack(stack.layers);
  lab.loading = false;
  const preset = lab.presets.find((p) => p.name === stack.preset);
  lab.loaded = preset?.name ?? null;
  lab.edited = true;
  byId("preset-select").value = preset?.name ?? "";
  if (!preset) byId("preset-select").selectedIndex = -1;
  byId("preset-description").textContent = preset
    ? preset.description
    : stack.from
      ? t("{from}, from the Training page.", { from: stack.from })
      : t("A stack from the address.");
  showSource(byId("preset-source"), preset?.source ?? "");
  byId("preset-edited").hidden = !preset;
  if (preset) byId("preset-about").dataset.edited = "true";
  recompute(lab);
}

const knownTypes = (catalogue, layers) =>
  layers.every(
    (layer) =>
      catalogue.layer_types.some((spec) => spec.type === layer.type) &&
      (layer.branches ?? []).every((branch) => knownTypes(catalogue, branch)),
  );

/** The stack the address holds ({layers, preset}), or null; says so when it cannot be read. */
async function stackFromUrl(lab) {
  const code = stackInUrl();
  if (!code) return null;
  const message = byId("stack-url-message");
  try {
    const layers = await decodeStack(code);
    if (!knownTypes(lab.catalogue, layers)) throw new Error(t("it names a layer type the lab does not know"));
    return { layers, preset: location.hash.slice(1) };
  } catch (error) {
    message.textContent = t("The stack in the address could not be read ({reason}), so a preset is shown instead.", {
      reason: error.message,
    });
    message.hidden = false;
    return null;
  }
}

/** Fill the preset menu and the comparison, then load `initial` or the preset the address names. */
async function showPresets(lab, initial) {
  const presets = await getArchitectures();
  lab.presets = presets;
  const presetSelect = byId("preset-select");
  presetSelect.replaceChildren(...presets.map((preset) => new Option(preset.title, preset.name)));
  labelPresets(lab, !lab.quiz.hidden());
  presetSelect.addEventListener("change", () => loadPreset(lab, presetSelect.value));
  renderCompare(byId("compare"), presets, {
    onLoad: async (name) => {
      await loadPreset(lab, name);
      byId("editor-heading").scrollIntoView({ block: "start" });
      presetSelect.focus({ preventScroll: true });
    },
  });
  const fromHash = presets.find((preset) => `#${preset.name}` === location.hash);
  // An edited stack in the address is newer than the one the Training page sent.
  const fromUrl = await stackFromUrl(lab);
  if (fromUrl ?? initial) loadStack(lab, fromUrl ?? initial);
  else await loadPreset(lab, fromHash?.name ?? ARCHITECTURE.defaultPreset);
}

async function main() {
  const lab = createLab(await getLayerTypes());
  const initial = openedForTraining() ? setUpTrainingHandoff(lab) : null;
  await showPresets(lab, initial);
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  createStatus(byId("error-box"), byId("status-line")).error(error);
});
