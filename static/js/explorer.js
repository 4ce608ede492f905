// Entry module of the Network explorer: a model and an input (a digit or drawing for digit models,
// a photo for image models) -> every layer drawn, input to output, beside the learned filters and
// the summary table. Small models come in one /activations request; big ones layer by layer as
// they scroll into view. Learners can import their own model and delete the ones they imported.
//
// The page's state lives in its URL (history.replaceState), so a link or a reload restores it:
//   model=<id>             the model shown
//   digit=<name>           an MNIST test digit (mnist-test-00000 …) for digit models
//   photo=<name>           a sample photo for image models
//   scale=map              one colour scale per map (left out: one per layer)
//   layer=<name>&map=<i>   the chosen map (and its filter), marked and scrolled to
//   px=<row>,<col>         with layer and map: the map opens enlarged on that cell's calculation
//   explain, explain_class, pattern_layer, pattern_page, dream_*: the panels below the network
import { getActivations, getDigits, getFilters, getModel, getModels, getSamples, predictImage } from "./api.js";
import { byId, el, isAbort, latestOnly } from "./dom.js";
import { createClassDreams } from "./explorer/class_dreams.js";
import { createDeepDreamPanel, dreamOptionsFromUrl } from "./explorer/deepdream_panel.js";
import { createExplainPanel } from "./explorer/explain_panel.js";
import { createDropoutPanel } from "./explorer/dropout_panel.js";
import { createDeleteControl, createImportForm } from "./explorer/import_form.js";
import { createInputs } from "./explorer/inputs.js";
import { isBig, renderLazyNetwork } from "./explorer/lazy_network.js";
import { placeField } from "./explorer/map_detail.js";
import { renderNetwork } from "./explorer/network_view.js";
import { createPatternsPanel } from "./explorer/patterns_panel.js";
import { formatPercent } from "./format.js";
import { t } from "./i18n/index.js";
import { renderSummaryTable } from "./render/summary_table.js";
import { createMapDialog } from "./widgets/map_dialog.js";
import { createModelPicker, orderModels } from "./widgets/model_picker.js";
import { createStatus } from "./widgets/status.js";

/** loadModel(id) -> Promise<{detail, filters: Map(layer -> filters)}>, each model fetched once.
 * Big models' filters are fetched by their layer cards, when shown. */
function modelLoader() {
  const modelData = new Map();
  const load = (id) => {
    if (!modelData.has(id)) {
      const promise = getModel(id).then(async (detail) => {
        const layers = isBig(detail) ? [] : detail.filter_layers;
        const entries = await Promise.all(layers.map(async (layer) => [layer, await getFilters(id, layer)]));
        return { detail, filters: new Map(entries) };
      });
      promise.catch(() => modelData.delete(id)); // try again next time
      modelData.set(id, promise);
    }
    return modelData.get(id);
  };
  load.forget = (id) => modelData.delete(id);
  return load;
}

function setNetworkStatus(network, value) {
  network.dataset.status = value;
  network.setAttribute("aria-busy", String(value === "busy"));
}

function showAnswer(explorer, { detail, answer, source }) {
  const { network, status } = explorer;
  Object.assign(network.dataset, {
    model: detail.id,
    source: source.name,
    renders: String(Number(network.dataset.renders ?? 0) + 1), // lets tests await a new render
  });
  const top = Math.max(...answer.probabilities);
  const picture = byId("bar-input-picture");
  picture.src = `data:image/png;base64,${answer.input_picture}`;
  byId("bar-input").hidden = false;
  explorer.barShape = detail.input_shape;
  byId("network-answer").textContent = t("{model} reads {source} as {label} ({percent}).", {
    model: detail.name,
    source: source.label,
    label: answer.label,
    percent: formatPercent(top),
  });
  status.clearError();
  setNetworkStatus(network, "ready");
}

// The small input in the sticky bar: the receptive field stays in view while deep layers scroll by.
function showBarField(explorer, field) {
  placeField(document.querySelector("[data-role=bar-field]"), field, explorer.barShape);
}

/** Set (or, for null and "", delete) URL parameters without a new history entry. */
function setParams(changes) {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  history.replaceState(null, "", url);
}

// The layers drawn from one answer; drawn again when the colour scale changes.
function drawNetwork(explorer, shown) {
  const { network, dialog, state } = explorer;
  delete network.dataset.lazy;
  explorer.view = renderNetwork(network, {
    ...shown,
    dialog,
    scaleMode: state.scale,
    onSelect: ({ layer, map, px }) => setParams({ layer, map, px: px ? px.join(",") : null }),
    onField: (field) => showBarField(explorer, field),
  });
  explorer.shown = shown;
  network.dataset.scale = state.scale;
  // The selected map (from a shared link, or chosen before this input) is marked again; a
  // shared link's selected cell opens its calculation once.
  const params = new URLSearchParams(location.search);
  const [layer, map] = [params.get("layer"), Number.parseInt(params.get("map") ?? "", 10)];
  const first = explorer.openFromUrl;
  explorer.openFromUrl = false;
  if (!layer || !Number.isInteger(map) || !explorer.view.select(layer, map) || !first) return;
  const px = (params.get("px") ?? "").split(",").map(Number);
  if (px.length === 2 && px.every((n) => Number.isInteger(n) && n >= 0)) explorer.view.open(layer, map, px);
  else explorer.view.card(layer)?.scrollIntoView({ block: "start" });
}

// Every layer from one request: the shipped models and other small ones.
async function runAll(explorer, { detail, filters, input, signal }) {
  const activations = await getActivations(detail.id, input.image, {}, signal);
  if (signal.aborted) return;
  const { status } = explorer;
  drawNetwork(explorer, { detail, activations, filters });
  showAnswer(explorer, { detail, answer: activations, source: input.source });
  explorer.explain.follow({ detail, image: input.image, answer: activations, auto: true });
  followInput(explorer, detail, input);
  status.done(t("Done: {count} layers of {model}.", { count: activations.layers.length, model: detail.name }));
}

// Big models: a card per layer now, each filled when it scrolls into view; the answer from predict.
async function runLazy(explorer, { detail, input, signal }) {
  const { network, status } = explorer;
  explorer.shown = null;
  explorer.openFromUrl = false;
  const lazy = renderLazyNetwork(network, {
    ...{ detail, image: input.image, signal },
    onError: (e) => status.error(e),
    onField: (field) => showBarField(explorer, field),
  });
  const prediction = await predictImage(detail.id, input.image, signal);
  if (signal.aborted) return;
  lazy.showAnswer(prediction);
  showAnswer(explorer, { detail, answer: prediction, source: input.source });
  explorer.explain.follow({ detail, image: input.image, answer: prediction, auto: false }); // big: on demand
  followInput(explorer, detail, input);
  status.done(t("Done: {model}'s {count} layers load as you scroll to them.", { model: detail.name, count: detail.summary.length }));
}

// The sections below the network that look at the same input: unit patterns, dropout, DeepDream.
function followInput(explorer, detail, input) {
  explorer.patterns.follow({ detail, image: input.image });
  explorer.dropout.follow({ detail, image: input.image });
  explorer.dream.follow({ detail, image: input.image, source: input.source });
}

// The chosen model's description and summary, then (when there is an input) its layers.
async function run(explorer) {
  const { network, status, state } = explorer;
  const signal = explorer.job.start();
  const model = explorer.models.find((m) => m.id === state.modelId);
  const input = explorer.inputs.current(model.preprocessing);
  setNetworkStatus(network, "busy");
  status.busy(
    input
      ? t("Running {source} through {model}…", { source: input.source.label, model: model.name })
      : t("Loading {model}…", { model: model.name }),
  );
  explorer.deleteControl.show(model);
  try {
    const { detail, filters } = await explorer.loadModel(model.id);
    if (signal.aborted) return;
    byId("scale-switch").hidden = isBig(detail);
    byId("model-description").textContent = detail.description;
    renderSummaryTable(byId("summary"), detail);
    explorer.patterns.useModel(detail, explorer.wantedPatterns, { auto: !isBig(detail) });
    explorer.dropout.useModel(detail);
    explorer.dream.useModel(detail);
    explorer.classDreams.useModel(detail);
    if (!input) {
      setNetworkStatus(network, "idle");
      explorer.explain.clear(t("Pick an input: its answer is explained here."));
      explorer.patterns.clear();
      explorer.dream.clear();
      return;
    }
    const job = { detail, filters, input, signal };
    await (isBig(detail) ? runLazy(explorer, job) : runAll(explorer, job));
  } catch (error) {
    if (isAbort(error) || signal.aborted) return;
    showFailure(explorer, error, { model, input });
  }
}

// Nothing of an earlier input stays on view: no headline, no layers of another picture.
function showFailure(explorer, error, { model, input }) {
  const { network, status } = explorer;
  setNetworkStatus(network, "error");
  byId("bar-input").hidden = true;
  byId("network-answer").textContent = input
    ? t("No answer: {source} could not be run through the network.", { source: input.source.label })
    : "";
  network.replaceChildren(el("p", { class: "note", text: t("No layers to show: see the message above.") }));
  explorer.explain.clear(t("No answer to explain: see the message above."));
  if (input?.source.name === "upload" && error.status >= 400 && error.status < 500) {
    explorer.inputs.refused(model.preprocessing);
  }
  status.error(error);
}

// The model cards, drawn again whenever a model is imported or deleted.
function showPicker(explorer) {
  const holder = byId("explorer-models");
  holder.replaceChildren();
  createModelPicker(holder, {
    models: explorer.models,
    name: "explorer-model",
    legend: t("Which trained network to look inside"),
    selected: explorer.state.modelId,
    onSelect(id) {
      explorer.deleteControl.clearNote();
      explorer.wantedPatterns = {}; // another model: its own first layer and page
      selectModel(explorer, id);
    },
  });
}

function selectModel(explorer, id) {
  const { state } = explorer;
  // Another model: the map chosen in this one means nothing there.
  if (state.modelId !== id) setParams({ layer: null, map: null, px: null });
  state.modelId = id;
  setParams({ model: id });
  const model = explorer.models.find((m) => m.id === id);
  explorer.inputs.useKind(model.preprocessing); // picks that kind's first input when it has none
  run(explorer);
}

// The unit patterns' layer and page, kept in the URL so a shared link opens on them.
function keepPatternsInUrl(explorer, { layer, page }) {
  explorer.wantedPatterns = { layer, page: String(page) };
  setParams({ pattern_layer: layer, pattern_page: page });
}

// One colour scale per layer (the API's) or one per map. Big models' maps come as PNG tiles
// coloured by the server, one scale per layer: there the switch is hidden.
function createScaleSwitch(explorer) {
  const group = byId("scale-switch");
  for (const radio of group.querySelectorAll("input")) {
    radio.checked = radio.value === explorer.state.scale;
    radio.addEventListener("change", () => {
      if (!radio.checked) return;
      explorer.state.scale = radio.value;
      setParams({ scale: radio.value === "map" ? "map" : null });
      if (explorer.shown) drawNetwork(explorer, explorer.shown);
    });
  }
}

// The explanation's method and class, kept in the URL so a shared link explains the same way.
function explainPanel(params) {
  return createExplainPanel(byId("explain"), {
    initial: { method: params.get("explain"), classIndex: params.get("explain_class") },
    onChange({ method, classIndex }) {
      setParams({ explain: method, explain_class: classIndex });
    },
  });
}

function start({ models, digits, samples, status }) {
  const params = new URLSearchParams(location.search);
  const wanted = params.get("model");
  const state = {
    modelId: models.some((m) => m.id === wanted) ? wanted : orderModels(models)[0].id,
    scale: params.get("scale") === "map" ? "map" : "layer",
  };
  // What the module's functions above share.
  const explorer = {
    ...{ state, status, models: orderModels(models), network: byId("network"), job: latestOnly() },
    ...{ loadModel: modelLoader(), dialog: createMapDialog(), explain: explainPanel(params) },
    wantedPatterns: { layer: params.get("pattern_layer"), page: params.get("pattern_page") },
    ...{ shown: null, view: null, openFromUrl: true },
    dropout: createDropoutPanel(byId("dropout-section"), byId("dropout")),
    dream: createDeepDreamPanel(byId("dream-section"), byId("dream"), dreamOptionsFromUrl(params)),
    classDreams: createClassDreams(byId("class-dreams")),
  };
  explorer.patterns = createPatternsPanel(byId("patterns"), {
    onChange: (shown) => keepPatternsInUrl(explorer, shown),
  });
  explorer.inputs = createInputs({
    digits,
    samples,
    photo: params.get("photo"), // a shared link names its sample photo or MNIST test digit
    digit: params.get("digit"),
    onError: (error) => status.error(error),
    onInput(kind, source) {
      // Drawings and uploads live only in this browser: a link can name only a sample.
      const sample = source.name === "upload" || source.name === "drawing" ? null : source.name;
      setParams(kind === "digit" ? { digit: sample } : { photo: sample });
      const model = explorer.models.find((m) => m.id === state.modelId);
      if (model.preprocessing === kind) run(explorer);
    },
  });
  explorer.deleteControl = createDeleteControl({
    row: byId("model-delete-row"),
    button: byId("model-delete"),
    note: byId("model-delete-note"),
    onDeleted(id) {
      explorer.loadModel.forget(id);
      explorer.models = explorer.models.filter((m) => m.id !== id);
      if (!explorer.models.length) return;
      if (state.modelId === id) state.modelId = explorer.models[0].id;
      showPicker(explorer);
      selectModel(explorer, state.modelId);
    },
  });
  createImportForm(byId("import-form"), {
    message: byId("import-message"),
    onImported({ model }) {
      explorer.models = orderModels([...explorer.models.filter((m) => m.id !== model.id), model]);
      state.modelId = model.id;
      showPicker(explorer);
      selectModel(explorer, model.id);
    },
  });
  createScaleSwitch(explorer);
  showPicker(explorer);
  selectModel(explorer, state.modelId);
}

async function main() {
  const status = createStatus(byId("error-box"), byId("status-line"));
  try {
    const [models, digits, samples] = await Promise.all([getModels(), getDigits(), getSamples()]);
    if (!models.length) throw new Error(t("The server hosts no trained models yet: run `convlens train` first."));
    start({ models, digits, samples, status });
    document.body.dataset.ready = "true";
  } catch (error) {
    status.error(error);
  }
}

main();
