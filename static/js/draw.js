// Entry module of the Draw page: a sketchpad (or an upload) classified live by every digit
// model; the chosen model's probabilities and the 28x28 input it saw are shown in detail.
import { getModel, getModels } from "./api.js";
import { SKETCH } from "./config.js";
import { readDigitOptions, watchDigitOptions } from "./digits/options.js";
import { createClassifier } from "./draw/classifier.js";
import { createDreamPanel } from "./draw/dream_panel.js";
import { createResultsView } from "./draw/results_view.js";
import { byId, debounce, throttle } from "./dom.js";
import { t } from "./i18n/index.js";
import { createExplainPanel } from "./explorer/explain_panel.js";
import { createImagePicker } from "./widgets/image_picker.js";
import { createModelPicker, orderModels } from "./widgets/model_picker.js";
import { createSketchpad } from "./widgets/sketchpad.js";
import { createStatus } from "./widgets/status.js";

// Only models that read drawings as MNIST digits: a photo model (an imported RGB network, say)
// would be shown a drawing it cannot read, and the live socket refuses it anyway.
const takesDrawings = (model) => model.preprocessing === "digit";

function isTyping(target) {
  const typing = "input:not([type=radio], [type=checkbox], [type=file]), textarea, select";
  return Boolean(target.closest?.(`${typing}, [contenteditable=true]`));
}

/** The page's one context: the models, their latest answers, what the pad shows, the parts. */
function start(models, status) {
  const ordered = orderModels(models);
  const ctx = {
    status,
    byModel: new Map(ordered.map((model) => [model.id, model])),
    results: new Map(), // model id -> {result} | {error}
    pending: false, // an image was sent and its answers are not all in yet
    form: byId("draw-preprocess-form"),
    // `upload` is the uploaded file while it is what the models read; a stroke replaces it.
    state: { selected: ordered[0].id, upload: null },
    view: createResultsView(),
    explain: createExplainPanel(byId("explain"), { blend: true }),
    dream: createDreamPanel(byId("dream")),
    details: new Map(), // model id -> Promise of GET /api/models/{id}, for the explain panel
  };
  // Explained once the drawing rests: every explanation is several passes through the model.
  ctx.followLater = debounce(() => followPanels(ctx), EXPLAIN_AFTER_MS);
  ctx.classifier = createClassifier({
    modelIds: ordered.map((model) => model.id),
    onResult: (id, entry) => showResult(ctx, id, entry),
    onSettled(latest) {
      if (!latest) return;
      ctx.pending = false;
      ctx.view.setBusy(false);
      ctx.followLater();
    },
  });
  ctx.pad = createPad(ctx);
  ctx.picker = createModelPicker(byId("model-picker-holder"), {
    models: ordered,
    name: "draw-model",
    legend: t("Compare the models: pick one to see its details"),
    selected: ctx.state.selected,
    guesses: true,
    onSelect(id) {
      ctx.state.selected = id;
      showSelected(ctx);
    },
  });
  ctx.uploads = createImagePicker(byId("draw-source"), {
    samples: [],
    onError: (error) => status.error(error),
    onPick(file) {
      ctx.state.upload = file;
      ctx.pad.showPicture(file);
      syncButtons(ctx);
      classify(ctx);
    },
  });
  watchDigitOptions(ctx.form, () => classify(ctx));
  wireButtons(ctx.pad, () => forgetUpload(ctx));
  syncButtons(ctx);
  showSelected(ctx);
  showEmpty(ctx);
}

const EXPLAIN_AFTER_MS = 400;

/** The explain and dream panels follow the chosen model's answer for the current drawing. */
async function followPanels(ctx) {
  const { selected } = ctx.state;
  const entry = ctx.results.get(selected);
  const image = ctx.lastImage;
  // Until the newest image's answers are in, the results are the previous image's.
  if (ctx.pending || !entry?.result || !image || isEmpty(ctx)) return;
  const model = ctx.byModel.get(selected);
  if (!ctx.details.has(selected)) {
    const request = getModel(selected);
    request.catch(() => ctx.details.delete(selected));
    ctx.details.set(selected, request);
  }
  try {
    const detail = await ctx.details.get(selected);
    if (ctx.lastImage !== image || ctx.state.selected !== selected) return; // overtaken
    const options = readDigitOptions(ctx.form);
    ctx.explain.follow({ detail, image, answer: entry.result, auto: true, inputFields: options });
    ctx.dream.follow({ model, image, result: entry.result, options });
  } catch (error) {
    ctx.status.error(error);
  }
}

/** The sketchpad: classified while a stroke is drawn (throttled) and when it ends. */
function createPad(ctx) {
  const duringStroke = throttle(() => classify(ctx), SKETCH.throttleMs);
  return createSketchpad(byId("sketchpad-holder"), {
    label: t("Drawing pad"),
    onChange: ({ type }) => {
      if (type === "start" && ctx.state.upload) forgetUpload(ctx);
      if (type === "start" || type === "move") duringStroke();
      else {
        duringStroke.cancel();
        classify(ctx);
      }
      syncButtons(ctx);
    },
  });
}

function forgetUpload(ctx) {
  ctx.state.upload = null;
  ctx.uploads.clearChoice();
}

const isEmpty = (ctx) => !ctx.state.upload && ctx.pad.isEmpty();

function syncButtons(ctx) {
  byId("undo-stroke").disabled = ctx.pad.isEmpty();
  byId("clear-drawing").disabled = isEmpty(ctx);
}

function classify(ctx) {
  if (isEmpty(ctx)) {
    showEmpty(ctx);
    return;
  }
  let image;
  try {
    image = ctx.state.upload ?? ctx.pad.toPngFile();
  } catch (error) {
    ctx.view.setBusy(false);
    ctx.status.error(error);
    return;
  }
  ctx.lastImage = image;
  ctx.pending = true;
  ctx.followLater.cancel();
  ctx.view.setBusy(true);
  ctx.status.clearError();
  ctx.classifier.classify(image, readDigitOptions(ctx.form), { upload: Boolean(ctx.state.upload) });
}

function showResult(ctx, id, entry) {
  ctx.results.set(id, entry);
  ctx.picker.setGuess(id, entry.error ? { state: "error", text: t("no guess") } : entry.result);
  if (id !== ctx.state.selected) return;
  showSelected(ctx);
  // An upload the API refuses is worth the error box; a stray dot on the pad is not.
  if (entry.error && entry.upload) {
    ctx.uploads.refused();
    ctx.status.error(entry.error);
  }
}

function showEmpty(ctx) {
  ctx.classifier.abort();
  ctx.results.clear();
  for (const id of ctx.byModel.keys()) ctx.picker.setGuess(id, { state: "empty", text: "–" });
  ctx.view.showEmpty();
  ctx.status.clearError();
  ctx.followLater.cancel();
  ctx.lastImage = null;
  ctx.pending = false;
  ctx.explain.clear(t("Draw a digit: why the model answers as it does is shown here."));
  ctx.dream.clear();
}

function showSelected(ctx) {
  const { selected, upload } = ctx.state;
  ctx.view.showModel(ctx.byModel.get(selected), ctx.results.get(selected), { upload: Boolean(upload) });
  if (ctx.results.get(selected)?.result) ctx.followLater();
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
    const models = (await getModels()).filter(takesDrawings);
    if (!models.length) {
      throw new Error(
        t("The server hosts no digit models to draw for: run `.venv/bin/convlens train <id>` first."),
      );
    }
    start(models, status);
    document.body.dataset.ready = "true";
  } catch (error) {
    status.error(error);
  }
}

main();
