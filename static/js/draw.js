// Entry module of the Draw page: a sketchpad (or an upload) classified live by every trained
// model; the chosen model's probabilities and the 28x28 input it saw are shown in detail.
import { getModels, predictDigit } from "./api.js";
import { SKETCH } from "./config.js";
import { readDigitOptions, watchDigitOptions } from "./digits/options.js";
import { byId, el, isAbort, latestOnly, throttle } from "./dom.js";
import { createProbabilityBars, formatPercent } from "./render/probability_bars.js";
import { clearCanvas, drawGrey } from "./render/raster.js";
import { createImagePicker } from "./widgets/image_picker.js";
import { createModelPicker, orderModels } from "./widgets/model_picker.js";
import { createSketchpad } from "./widgets/sketchpad.js";
import { createStatus } from "./widgets/status.js";

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const EMPTY_TEXT = "Draw a digit";

function isTyping(target) {
  const typing = "input:not([type=radio], [type=checkbox], [type=file]), textarea, select";
  return Boolean(target.closest?.(`${typing}, [contenteditable=true]`));
}

function start(models, status) {
  const ordered = orderModels(models);
  const byModel = new Map(ordered.map((model) => [model.id, model]));
  const results = new Map(); // model id -> {result} | {error}
  const jobs = new Map(ordered.map((model) => [model.id, latestOnly()]));
  const form = byId("draw-preprocess-form");
  const panel = byId("draw-results");
  const guess = byId("guess");
  const modelInput = byId("model-input");
  const notes = byId("preprocess-notes");
  // `upload` is the uploaded file while it is what the models read; a stroke replaces it.
  const state = { selected: ordered[0].id, upload: null, revision: 0 };

  const pad = createSketchpad(byId("sketchpad-holder"), {
    label: "Drawing pad",
    onChange: ({ type }) => {
      if (type === "start" && state.upload) {
        state.upload = null;
        uploads.clearChoice();
      }
      if (type === "start" || type === "move") {
        markStale();
        duringStroke();
      } else {
        duringStroke.cancel();
        predict("all");
      }
      syncButtons();
    },
  });
  const duringStroke = throttle(() => predict("selected"), SKETCH.throttleMs);
  const picker = createModelPicker(byId("model-picker-holder"), {
    models: ordered,
    name: "draw-model",
    legend: "Compare the models: pick one to see its details",
    selected: state.selected,
    guesses: true,
    onSelect(id) {
      state.selected = id;
      showSelected();
      if (!results.has(id)) predict("selected");
    },
  });
  const bars = createProbabilityBars(byId("prob-bars"), {
    label: "Probability of each digit",
  });
  const uploads = createImagePicker(byId("draw-source"), {
    samples: [],
    onError: (error) => status.error(error),
    onPick(file) {
      state.upload = file;
      pad.showPicture(file);
      syncButtons();
      predict("all");
    },
  });
  watchDigitOptions(form, () => predict("all"));

  const isEmpty = () => !state.upload && pad.isEmpty();

  function syncButtons() {
    byId("undo-stroke").disabled = pad.isEmpty();
    byId("clear-drawing").disabled = isEmpty();
  }

  /** Other models' guesses are about the drawing before this stroke: dim them until it ends. */
  function markStale() {
    for (const id of byModel.keys()) if (id !== state.selected) picker.setGuess(id, { state: "busy" });
  }

  async function predict(which) {
    const revision = ++state.revision;
    if (isEmpty()) {
      showEmpty();
      return;
    }
    let image;
    try {
      // Read now, before any await: each request carries the drawing and switches of its event.
      image = state.upload ?? pad.toPngFile();
    } catch (error) {
      panel.setAttribute("aria-busy", "false");
      status.error(error);
      return;
    }
    const options = readDigitOptions(form);
    const ids = which === "all" ? [...byModel.keys()] : [state.selected];
    // The chosen model first: its answer is the one on screen.
    ids.sort((a, b) => (b === state.selected) - (a === state.selected));
    panel.setAttribute("aria-busy", "true");
    await Promise.all(ids.map((id) => predictOne(id, image, options)));
    if (revision === state.revision) panel.setAttribute("aria-busy", "false");
  }

  async function predictOne(id, image, options) {
    const signal = jobs.get(id).start();
    picker.setGuess(id, { state: "busy" });
    try {
      const result = await predictDigit(id, image, options, signal);
      if (signal.aborted) return;
      results.set(id, { result });
      picker.setGuess(id, result);
      if (id === state.selected) showSelected();
    } catch (error) {
      if (isAbort(error)) return;
      results.set(id, { error });
      picker.setGuess(id, { state: "error", text: "no guess" });
      if (id === state.selected) {
        showSelected();
        // An upload the API refuses is worth the error box; a stray dot on the pad is not.
        if (state.upload) status.error(error);
      }
    }
  }

  function showEmpty() {
    for (const job of jobs.values()) job.abort();
    results.clear();
    for (const id of byModel.keys()) picker.setGuess(id, { state: "empty", text: "–" });
    panel.dataset.state = "empty";
    panel.setAttribute("aria-busy", "false");
    setGuess(EMPTY_TEXT, { state: "empty" });
    bars.clear(DIGITS);
    clearCanvas(modelInput);
    modelInput.setAttribute("aria-label", "The 28 × 28 input the model saw: empty until you draw.");
    notes.replaceChildren(el("li", { text: "Nothing yet: draw a digit or upload a picture of one." }));
    status.clearError();
  }

  function setGuess(text, data) {
    if (guess.textContent !== text) guess.textContent = text;
    byId("pad-guess").textContent = data.state === "empty" ? "" : text;
    guess.dataset.state = data.state;
    guess.dataset.model = data.model ?? "";
    guess.dataset.label = data.label ?? "";
  }

  function showSelected() {
    const model = byModel.get(state.selected);
    byId("bars-caption").textContent = `How sure ${model.name} is of each digit`;
    byId("model-input-caption").textContent = `What ${model.name} saw: 28 × 28 pixels`;
    const entry = results.get(state.selected);
    if (!entry) return;
    if (entry.error) {
      panel.dataset.state = "error";
      setGuess(entry.error.message, { state: "error", model: model.id });
      bars.clear(DIGITS);
      clearCanvas(modelInput);
      return;
    }
    const { result } = entry;
    panel.dataset.state = "ready";
    setGuess(`${model.name} guesses ${result.label}, ${formatPercent(result.confidence)} sure.`, {
      state: "ready",
      model: model.id,
      label: result.label,
    });
    bars.render(result.classes, result.probabilities);
    drawGrey(modelInput, result.model_input);
    modelInput.setAttribute(
      "aria-label",
      `The 28 × 28 input ${model.name} saw: your ${state.upload ? "picture" : "drawing"} as white ` +
        "ink on black, shrunk and centred.",
    );
    notes.replaceChildren(...result.preprocessing.notes.map((note) => el("li", { text: note })));
    status.clearError();
  }

  byId("undo-stroke").addEventListener("click", () => pad.undo());
  byId("clear-drawing").addEventListener("click", () => {
    state.upload = null;
    uploads.clearChoice();
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

  syncButtons();
  showSelected();
  showEmpty();
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
