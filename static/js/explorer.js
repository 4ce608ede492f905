// Entry module of the Network explorer: a model and an input (an MNIST test digit, a drawing or
// an upload) -> one /activations request -> every layer drawn, input to output, beside the
// learned filters and the summary table.
import { getActivations, getDigits, getFilters, getModel, getModels } from "./api.js";
import { EXPLORER } from "./config.js";
import { byId, el, isAbort, latestOnly } from "./dom.js";
import { renderNetwork } from "./explorer/network_view.js";
import { formatPercent } from "./format.js";
import { renderSummaryTable } from "./render/summary_table.js";
import { createImagePicker } from "./widgets/image_picker.js";
import { createMapDialog } from "./widgets/map_dialog.js";
import { createModelPicker, orderModels } from "./widgets/model_picker.js";
import { createSketchpad } from "./widgets/sketchpad.js";
import { createStatus } from "./widgets/status.js";

const describeDigit = (digit) => ({
  label: `MNIST test digit #${digit.index}`,
  chosen: `Input: MNIST test digit #${digit.index}, labelled “${digit.label}” in the data set.`,
  children: [
    el("img", { src: digit.url, alt: "", width: 28, height: 28 }),
    el("span", { class: "visually-hidden", text: `Test digit #${digit.index}, labelled ` }),
    el("span", { class: "digit-label", text: digit.label }),
  ],
});

/** Pick two of each label (the shipped set is sorted by label), at most EXPLORER.digitsShown. */
const shownDigits = (digits) => digits.slice(0, EXPLORER.digitsShown);

/** loadModel(id) -> Promise<{detail, filters: Map(layer -> filters)}>, each model fetched once. */
function modelLoader() {
  const modelData = new Map();
  return (id) => {
    if (!modelData.has(id)) {
      const promise = getModel(id).then(async (detail) => {
        const entries = await Promise.all(
          detail.filter_layers.map(async (layer) => [layer, await getFilters(id, layer)]),
        );
        return { detail, filters: new Map(entries) };
      });
      promise.catch(() => modelData.delete(id)); // try again next time
      modelData.set(id, promise);
    }
    return modelData.get(id);
  };
}

function setNetworkStatus(network, value) {
  network.dataset.status = value;
  network.setAttribute("aria-busy", String(value === "busy"));
}

// The page for one answer of /activations: every layer, and the network's answer in words.
function showActivations(explorer, { detail, activations, filters, modelId, source }) {
  const { network, dialog, status } = explorer;
  renderNetwork(network, { detail, activations, filters, dialog });
  Object.assign(network.dataset, {
    model: modelId,
    source: source.name,
    renders: String(Number(network.dataset.renders ?? 0) + 1), // lets tests await a new render
  });
  const top = Math.max(...activations.probabilities);
  byId("network-answer").textContent =
    `${detail.name} reads ${source.label} as ${activations.label} (${formatPercent(top)}).`;
  status.clearError();
  status.done(`Done: ${activations.layers.length} layers of ${detail.name}.`);
  setNetworkStatus(network, "ready");
}

// The chosen model's description and summary, then (when there is an image) its activations.
async function run(explorer) {
  const { network, status, state } = explorer;
  const signal = explorer.job.start();
  const { modelId, image, source } = state;
  setNetworkStatus(network, "busy");
  status.busy(image ? `Running ${source.label} through ${modelId}…` : `Loading ${modelId}…`);
  try {
    const { detail, filters } = await explorer.loadModel(modelId);
    if (signal.aborted) return;
    byId("model-description").textContent = detail.description;
    renderSummaryTable(byId("summary"), detail);
    if (!image) {
      setNetworkStatus(network, "idle");
      return;
    }
    const activations = await getActivations(modelId, image, {}, signal);
    if (signal.aborted) return;
    showActivations(explorer, { detail, activations, filters, modelId, source });
  } catch (error) {
    if (isAbort(error)) return;
    showFailure(explorer, error);
  }
}

// Nothing of an earlier input stays on view: no headline, no layers of another picture.
function showFailure(explorer, error) {
  const { network, status, state } = explorer;
  setNetworkStatus(network, "error");
  byId("network-answer").textContent = state.source
    ? `No answer: ${state.source.label} could not be run through the network.`
    : "";
  network.replaceChildren(el("p", { class: "note", text: "No layers to show: see the message above." }));
  if (state.source?.name === "upload" && error.status >= 400 && error.status < 500) {
    explorer.picker.refused();
  }
  status.error(error);
}

// The inputs: a sample digit or an upload from the picker, or a drawing on the pad.
function createInputs(explorer, digits) {
  const { state } = explorer;
  const picker = createImagePicker(byId("explorer-source"), {
    samples: shownDigits(digits),
    describe: describeDigit,
    onError: (error) => explorer.status.error(error),
    onPick(file, source) {
      state.image = file;
      state.source = source;
      if (source.name === "upload") pad.showPicture(file);
      else if (!pad.isEmpty() || pad.hasPicture()) pad.clear();
      run(explorer);
    },
  });
  const useDrawing = () => {
    picker.clearChoice();
    state.image = pad.toPngFile();
    state.source = { name: "drawing", label: "your drawing" };
    byId("explorer-source").querySelector("[data-role=chosen]").textContent = "Input: your drawing.";
    run(explorer);
  };
  const pad = createSketchpad(byId("explorer-pad"), {
    label: "Drawing pad",
    onChange: ({ type }) => {
      if (type === "end" || (type === "undo" && !pad.isEmpty())) useDrawing();
    },
  });
  byId("explorer-undo").addEventListener("click", () => pad.undo());
  byId("explorer-clear").addEventListener("click", () => pad.clear());
  return picker;
}

function start({ models, digits, status }) {
  const ordered = orderModels(models);
  const wanted = new URLSearchParams(location.search).get("model");
  const state = {
    modelId: ordered.some((m) => m.id === wanted) ? wanted : ordered[0].id,
    image: null,
    source: null,
  };
  // What the module's functions above share.
  const explorer = {
    ...{ state, status, network: byId("network"), job: latestOnly() },
    ...{ loadModel: modelLoader(), dialog: createMapDialog() },
  };

  createModelPicker(byId("explorer-models"), {
    models: ordered,
    name: "explorer-model",
    legend: "Which trained network to look inside",
    selected: state.modelId,
    onSelect(id) {
      state.modelId = id;
      const url = new URL(location.href);
      url.searchParams.set("model", id);
      history.replaceState(null, "", url);
      run(explorer);
    },
  });
  const picker = createInputs(explorer, digits);
  explorer.picker = picker;

  const first = shownDigits(digits).find((d) => d.label === "7") ?? digits[0];
  if (first) picker.pickSample(first.name);
  else run(explorer);
}

async function main() {
  const status = createStatus(byId("error-box"), byId("status-line"));
  try {
    const [models, digits] = await Promise.all([getModels(), getDigits()]);
    if (!models.length) throw new Error("The server hosts no trained models yet: run `convlens train` first.");
    start({ models, digits, status });
    document.body.dataset.ready = "true";
  } catch (error) {
    status.error(error);
  }
}

main();
