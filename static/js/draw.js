// Entry module of the Draw page: a sketchpad (or an upload) classified live by every trained
// model; the chosen model's probabilities and the 28x28 input it saw are shown in detail.
import { getModels } from "./api.js";
import { SKETCH } from "./config.js";
import { readDigitOptions, watchDigitOptions } from "./digits/options.js";
import { createClassifier } from "./draw/classifier.js";
import { createResultsView } from "./draw/results_view.js";
import { byId, throttle } from "./dom.js";
import { createImagePicker } from "./widgets/image_picker.js";
import { createModelPicker, orderModels } from "./widgets/model_picker.js";
import { createSketchpad } from "./widgets/sketchpad.js";
import { createStatus } from "./widgets/status.js";

function isTyping(target) {
  const typing = "input:not([type=radio], [type=checkbox], [type=file]), textarea, select";
  return Boolean(target.closest?.(`${typing}, [contenteditable=true]`));
}

function start(models, status) {
  const ordered = orderModels(models);
  const byModel = new Map(ordered.map((model) => [model.id, model]));
  const results = new Map(); // model id -> {result} | {error}
  const form = byId("draw-preprocess-form");
  // `upload` is the uploaded file while it is what the models read; a stroke replaces it.
  const state = { selected: ordered[0].id, upload: null };
  const view = createResultsView();

  const classifier = createClassifier({
    modelIds: ordered.map((model) => model.id),
    onResult(id, entry) {
      results.set(id, entry);
      picker.setGuess(id, entry.error ? { state: "error", text: "no guess" } : entry.result);
      if (id !== state.selected) return;
      showSelected();
      // An upload the API refuses is worth the error box; a stray dot on the pad is not.
      if (entry.error && entry.upload) status.error(entry.error);
    },
    onSettled(latest) {
      if (latest) view.setBusy(false);
    },
  });
  const pad = createSketchpad(byId("sketchpad-holder"), {
    label: "Drawing pad",
    onChange: ({ type }) => {
      if (type === "start" && state.upload) {
        state.upload = null;
        uploads.clearChoice();
      }
      if (type === "start" || type === "move") duringStroke();
      else {
        duringStroke.cancel();
        classify();
      }
      syncButtons();
    },
  });
  const duringStroke = throttle(classify, SKETCH.throttleMs);
  const picker = createModelPicker(byId("model-picker-holder"), {
    models: ordered,
    name: "draw-model",
    legend: "Compare the models: pick one to see its details",
    selected: state.selected,
    guesses: true,
    onSelect(id) {
      state.selected = id;
      showSelected();
    },
  });
  const uploads = createImagePicker(byId("draw-source"), {
    samples: [],
    onError: (error) => status.error(error),
    onPick(file) {
      state.upload = file;
      pad.showPicture(file);
      syncButtons();
      classify();
    },
  });
  watchDigitOptions(form, () => classify());
  wireButtons(pad, () => {
    state.upload = null;
    uploads.clearChoice();
  });

  const isEmpty = () => !state.upload && pad.isEmpty();

  function syncButtons() {
    byId("undo-stroke").disabled = pad.isEmpty();
    byId("clear-drawing").disabled = isEmpty();
  }

  function classify() {
    if (isEmpty()) {
      showEmpty();
      return;
    }
    let image;
    try {
      image = state.upload ?? pad.toPngFile();
    } catch (error) {
      view.setBusy(false);
      status.error(error);
      return;
    }
    view.setBusy(true);
    status.clearError();
    classifier.classify(image, readDigitOptions(form), { upload: Boolean(state.upload) });
  }

  function showEmpty() {
    classifier.abort();
    results.clear();
    for (const id of byModel.keys()) picker.setGuess(id, { state: "empty", text: "–" });
    view.showEmpty();
    status.clearError();
  }

  function showSelected() {
    view.showModel(byModel.get(state.selected), results.get(state.selected), {
      upload: Boolean(state.upload),
    });
  }

  syncButtons();
  showSelected();
  showEmpty();
}

/** Undo and Clear, as buttons and as keys (Ctrl+Z, Delete) outside text fields. */
function wireButtons(pad, forgetUpload) {
  byId("undo-stroke").addEventListener("click", () => pad.undo());
  byId("clear-drawing").addEventListener("click", () => {
    forgetUpload();
    pad.clear();
  });
  document.addEventListener("keydown", (event) => {
    if (isTyping(event.target)) return;
    const undoKey = (event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z";
    if (undoKey) {
      event.preventDefault();
      pad.undo();
    } else if (event.key === "Delete" && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      byId("clear-drawing").click();
    }
  });
}

async function main() {
  const status = createStatus(byId("error-box"), byId("status-line"));
  try {
    const models = await getModels();
    if (!models.length) throw new Error("The server hosts no trained models yet: run `convlens train` first.");
    start(models, status);
    document.body.dataset.ready = "true";
  } catch (error) {
    status.error(error);
  }
}

main();
