// Entry module of the Training page: training on your own images (./training/own_images.js),
// the models' curves overlaid (./training/curve_overlay.js), then per model the loss and
// accuracy after each epoch (training and validation) as charts on the axes every chart shares
// (./training/curve_axes.js), what they show in words, the test results, the recipe and the
// command that reproduces it. The page's state is in its address (./training/page_url.js).
import { getModel, getModels } from "./api.js";
import { CHART } from "./config.js";
import { byId, el } from "./dom.js";
import { t } from "./i18n/index.js";
import { formatCount, formatDuration, formatFixed, formatMachine, formatNumber, formatPercent } from "./format.js";
import { renderLineChart } from "./render/line_chart.js";
import { historyColumns, metricAxis } from "./training/curve_axes.js";
import { createCurveOverlay } from "./training/curve_overlay.js";
import { regularisationOfModel } from "./training/curve_story.js";
import { renderCurveStory } from "./training/curve_story_view.js";
import { setUpOwnImages } from "./training/own_images.js";
import { readParam, writeParams } from "./training/page_url.js";
import { orderModels } from "./widgets/model_picker.js";
import { createStatus } from "./widgets/status.js";

const percent = (value) => formatPercent(value, 2);

/** A Keras identifier that may wrap after its underscores and nowhere else. */
function identifier(name) {
  const parts = name.split(/(?<=_)/).flatMap((part) => [part, el("wbr")]);
  return el("code", { class: "identifier" }, parts.slice(0, -1));
}

function compareTable(details) {
  const head = [t("Model"), t("Test accuracy"), t("Test loss"), t("Parameters"), t("Epochs"), t("Training time")];
  return el("table", { class: "data-table" }, [
    el("thead", {}, [el("tr", {}, head.map((text) => el("th", { scope: "col", text })))]),
    el(
      "tbody",
      {},
      details.map((d) =>
        el("tr", { dataset: { model: d.id } }, [
          el("th", { scope: "row" }, [el("a", { href: `#model-${d.id}`, text: d.name })]),
          el("td", { class: "num", text: percent(d.test_accuracy) }),
          el("td", { class: "num", text: d.test_loss == null ? "–" : formatNumber(d.test_loss, 4) }),
          el("td", { class: "num", text: formatCount(d.total_params) }),
          el("td", { class: "num", text: d.epochs ?? "–" }),
          el("td", { class: "num", text: formatDuration(d.training?.seconds) }),
        ]),
      ),
    ),
  ]);
}

const isTrainedHere = (detail) => detail.origin === "trained";

/** "12 min 5 s (48.4 s per epoch) on a laptop": one whole sentence for each part there is. */
function trainingTime(training) {
  const duration = formatDuration(training.seconds);
  const perEpoch = training.seconds_per_epoch ? formatFixed(training.seconds_per_epoch, 1) : null;
  const machine = training.machine ? formatMachine(training.machine) : null;
  if (perEpoch && machine) return t("{duration} ({perEpoch} s per epoch) on {machine}", { duration, perEpoch, machine });
  if (perEpoch) return t("{duration} ({perEpoch} s per epoch)", { duration, perEpoch });
  if (machine) return t("{duration} on {machine}", { duration, machine });
  return duration;
}

function facts(detail) {
  const training = detail.training ?? {};
  const recipe = [
    training.optimizer,
    training.learning_rate != null ? t("learning rate {rate}", { rate: training.learning_rate }) : null,
    training.batch_size != null ? t("batches of {size}", { size: training.batch_size }) : null,
  ].filter(Boolean);
  const lastValidation = detail.history?.val_accuracy?.at(-1);
  // A model trained here on your images has no test set: its held-out images stand in.
  const scores = isTrainedHere(detail)
    ? [[t("Validation accuracy"), t("{percent} of the held-out images after the last epoch", { percent: percent(lastValidation) })]]
    : [
        [t("Test accuracy"), t("{percent} of the 10,000 test digits", { percent: percent(detail.test_accuracy) })],
        [t("Test loss"), detail.test_loss == null ? "–" : formatNumber(detail.test_loss, 4)],
      ];
  const rows = [
    ...scores,
    [t("Parameters"), formatCount(detail.total_params)],
    [t("Epochs"), detail.epochs ?? "–"],
    [t("Training time"), trainingTime(training)],
    [t("Recipe"), recipe.length ? recipe.join(", ") : "–"],
    [t("Loss function"), training.loss ? identifier(training.loss) : "–"],
    [t("Seed"), detail.seed ?? "–"],
  ];
  return el(
    "dl",
    { class: "facts" },
    rows.flatMap(([term, value]) => [
      el("dt", { text: term }),
      el("dd", {}, value instanceof Node ? value : String(value)),
    ]),
  );
}

// shared: {lossValues, epochs}, the axes every chart on the page shares.
function chartFigure(detail, metric, shared) {
  const history = detail.history;
  const images = isTrainedHere(detail);
  const train = history[metric];
  const validation = history[`val_${metric}`];
  const axis = metricAxis(metric, shared.lossValues);
  const fmt = axis.format;
  const best = metric === "loss" ? Math.min(...validation) : Math.max(...validation);
  const values = {
    name: detail.name,
    epochs: train.length,
    trainFirst: fmt(train[0]),
    trainLast: fmt(train[train.length - 1]),
    validationFirst: fmt(validation[0]),
    validationLast: fmt(validation[validation.length - 1]),
    best: fmt(best),
  };
  const label =
    metric === "loss"
      ? t("{name}, loss after each of {epochs} epochs: training from {trainFirst} to {trainLast}, validation from {validationFirst} to {validationLast} (best {best}).", values)
      : t("{name}, accuracy after each of {epochs} epochs: training from {trainFirst} to {trainLast}, validation from {validationFirst} to {validationLast} (best {best}).", values);
  const plot = el("div", { class: "chart", dataset: { model: detail.id, metric } });
  const figure = el("figure", { class: "chart-figure" }, [el("figcaption", { text: axis.caption }), plot]);
  renderLineChart(plot, {
    ...axis,
    label,
    xLabel: t("epoch"),
    epochs: shared.epochs,
    series: [
      { key: "train", name: images ? t("training images") : t("training digits"), values: train, colour: CHART.train, marker: "circle" },
      { key: "validation", name: images ? t("validation images") : t("validation digits"), values: validation, colour: CHART.validation, dash: "dashed", marker: "square" },
    ],
  });
  return figure;
}

function numbersTable(detail) {
  const h = detail.history;
  const rows = h.loss.map((_, i) =>
    el("tr", {}, [
      el("th", { scope: "row", class: "num", text: i + 1 }),
      ...[h.loss[i], h.val_loss[i]].map((v) => el("td", { class: "num", text: formatNumber(v, 4) })),
      ...[h.accuracy[i], h.val_accuracy[i]].map((v) => el("td", { class: "num", text: percent(v) })),
    ]),
  );
  const head = [t("Epoch"), t("Training loss"), t("Validation loss"), t("Training accuracy"), t("Validation accuracy")];
  return el("details", { class: "numbers" }, [
    el("summary", { text: t("The numbers behind the charts") }),
    el("div", { class: "table-scroll" }, [
      el("table", { class: "data-table" }, [
        el("thead", {}, [el("tr", {}, head.map((text) => el("th", { scope: "col", text })))]),
        el("tbody", {}, rows),
      ]),
    ]),
  ]);
}

function commandBlock(command) {
  if (!command) return null;
  const code = el("code", { text: command });
  const button = el("button", {
    type: "button",
    class: "button button-quiet",
    text: t("Copy"),
    "aria-label": t("Copy the command"),
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(command);
        button.textContent = t("Copied");
      } catch {
        getSelection().selectAllChildren(code); // the learner can copy it by hand
        button.textContent = t("Selected: press Ctrl+C");
      }
      setTimeout(() => (button.textContent = t("Copy")), 2500);
    },
  });
  return el("div", { class: "command" }, [
    el("h3", { text: t("Train it again yourself") }),
    el("div", { class: "command-row" }, [el("pre", {}, [code]), button]),
  ]);
}

function storyOf(detail) {
  const story = el("div", { class: "curve-story" });
  const noun = isTrainedHere(detail) ? "images" : "digits";
  renderCurveStory(story, historyColumns(detail.history), regularisationOfModel(detail), noun);
  return story;
}

function modelSection(detail, shared) {
  const charts = detail.history
    ? el("div", { class: "model-curves" }, [
        el("div", { class: "charts" }, [chartFigure(detail, "loss", shared), chartFigure(detail, "accuracy", shared)]),
        storyOf(detail),
      ])
    : el("p", { class: "note", text: t("This model was saved without its training history.") });
  return el(
    "section",
    { class: "panel model-training", id: `model-${detail.id}`, dataset: { model: detail.id, epochs: detail.epochs ?? "" }, "aria-labelledby": `heading-${detail.id}` },
    [
      el("h2", { id: `heading-${detail.id}`, text: detail.name }),
      el("p", { class: "model-description", text: detail.description }),
      el("div", { class: "model-training-body" }, [facts(detail), charts]),
      detail.history ? numbersTable(detail) : null,
      commandBlock(detail.training?.command),
    ],
  );
}

/** "LeNet-5 (imported)": a model's name and where it came from (origin is an identifier). */
function namedWithOrigin({ name, origin }) {
  if (origin === "imported") return t("{name} (imported)", { name });
  if (origin === "shipped") return t("{name} (shipped)", { name });
  if (origin === "trained") return t("{name} (trained)", { name });
  return `${name} (${origin})`;
}

/** Models with neither curves nor a recipe here (an imported model), named in one note. */
function untrainedNote(details) {
  if (!details.length) return null;
  const names = details.map(namedWithOrigin).join(", ");
  return el("p", {
    class: "note",
    id: "no-training-record",
    text: t("No training record: {names}. A model imported from a Keras file brings its weights but not how it was trained, so it has no curves here; the Network explorer shows what it does.", { names }),
  });
}

const hasTrainingRecord = (detail) => Boolean(detail.history || detail.training);

/** The axes all the page's charts share: every loss drawn, and the longest history. */
function sharedAxes(withHistory) {
  const columns = withHistory.map((detail) => historyColumns(detail.history));
  return {
    lossValues: columns.flatMap((h) => [...h.loss, ...h.val_loss]),
    epochs: Math.max(1, ...columns.map((h) => h.loss.length)),
  };
}

// ?compare=a,b chooses the overlaid models; without it, the first two.
function comparedInUrl(withHistory) {
  const named = readParam("compare");
  if (named !== null) return named.split(",").filter(Boolean);
  return withHistory.slice(0, 2).map((detail) => detail.id);
}

/** List every model with a training record (a model trained here joins the list). */
async function showModels(overlay) {
  const models = orderModels(await getModels());
  const details = await Promise.all(models.map((model) => getModel(model.id)));
  const trained = details.filter(hasTrainingRecord);
  const untrained = details.filter((detail) => !hasTrainingRecord(detail));
  const withHistory = trained.filter((detail) => detail.history);
  const shared = sharedAxes(withHistory);
  byId("compare").replaceChildren(compareTable(trained));
  byId("no-training-record")?.remove();
  const note = untrainedNote(untrained);
  if (note) byId("compare").after(note);
  overlay.show(withHistory, { compare: comparedInUrl(withHistory), curves: readParam("curves"), ...shared });
  byId("models").replaceChildren(...trained.map((detail) => modelSection(detail, shared)));
}

async function main() {
  const status = createStatus(byId("error-box"), byId("status-line"));
  const overlay = createCurveOverlay(byId("overlay"), {
    onChange: ({ compare, curves }) =>
      writeParams({ compare: compare.join(",") || ",", curves: curves === "validation" ? null : curves }),
  });
  const refresh = () => showModels(overlay).catch((error) => status.error(error));
  try {
    await Promise.all([showModels(overlay), setUpOwnImages({ onModelTrained: refresh })]);
    document.body.dataset.ready = "true";
  } catch (error) {
    status.error(error);
  }
}

main();
