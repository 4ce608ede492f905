// Step 3: one training job as it runs: its state (queued with its place, running, done, failed,
// cancelled), a progress bar, the time left, live loss and accuracy curves (training and
// validation, a point per finished epoch), Cancel, the first layer epoch by epoch
// (./epoch_view.js), and when done the result, where to go next and how the model does on its
// held-out images (./evaluation_view.js).
import { CHART } from "../config.js";
import { el } from "../dom.js";
import { formatDuration, formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n/index.js";
import { renderLineChart } from "../render/line_chart.js";
import { historyColumns, metricAxis } from "./curve_axes.js";
import { regularisationOfJob } from "./curve_story.js";
import { renderCurveStory } from "./curve_story_view.js";
import { createEpochPanel } from "./epoch_view.js";
import { loadEvaluation } from "./evaluation_view.js";

// The badge's words for each job state (the state itself stays in data-state).
const STATE_WORDS = {
  queued: () => t("Queued"),
  running: () => t("Training"),
  done: () => t("Done"),
  failed: () => t("Failed"),
  cancelled: () => t("Cancelled"),
};

/** "Queued: 3rd in line; …": one whole sentence per English ordinal suffix. */
function queuedInLine(place) {
  const values = { place, ahead: place - 1 };
  const tens = place % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : { 1: "st", 2: "nd", 3: "rd" }[place % 10] ?? "th";
  if (suffix === "st") return t("Queued: {place}st in line; it starts when the {ahead} before it have ended.", values);
  if (suffix === "nd") return t("Queued: {place}nd in line; it starts when the {ahead} before it have ended.", values);
  if (suffix === "rd") return t("Queued: {place}rd in line; it starts when the {ahead} before it have ended.", values);
  return t("Queued: {place}th in line; it starts when the {ahead} before it have ended.", values);
}

function stateLine(job) {
  const p = job.progress;
  switch (job.state) {
    case "queued":
      if (job.place === 1) return t("Queued: it starts as soon as the job before it ends.");
      if (job.place) return queuedInLine(job.place);
      return t("Queued: waiting for a worker.");
    case "running": {
      if (!p || p.epoch === 0) return t("Starting: building the network and loading the images…");
      const values = { epoch: p.epoch, epochs: p.epochs, batch: p.batch, batches: p.batches };
      if (p.loss == null || p.batch === 0) return t("Epoch {epoch} of {epochs}, batch {batch} of {batches}.", values);
      return t("Epoch {epoch} of {epochs}, batch {batch} of {batches}; so far this epoch: loss {loss}, accuracy {accuracy}.", {
        ...values,
        loss: formatNumber(p.loss, 3),
        accuracy: formatPercent(p.accuracy, 1),
      });
    }
    case "done":
      return t("Trained for {epochs} epochs.", { epochs: job.history.length });
    case "failed":
      return t("The training stopped before the end.");
    case "cancelled":
      return job.history.length
        ? t("Cancelled after {done} of {epochs} epochs: no model was kept.", { done: job.history.length, epochs: job.request.epochs })
        : t("Cancelled: no model was kept.");
    default:
      return "";
  }
}

function timeLine(job) {
  const parts = [];
  if (job.state === "running" && job.seconds_left != null) parts.push(t("About {duration} left", { duration: formatDuration(job.seconds_left) }));
  if (job.seconds_per_epoch != null) parts.push(t("{duration} per epoch", { duration: formatDuration(job.seconds_per_epoch) }));
  return parts.join(" · ");
}

function fraction(job) {
  if (job.state === "done") return 1;
  return job.progress?.fraction ?? 0;
}

const chartLabel = (metric, values) =>
  metric === "loss"
    ? t("{name}, loss after each of {epochs} epochs: training {training}, validation {validation} after the last.", values)
    : t("{name}, accuracy after each of {epochs} epochs: training {training}, validation {validation} after the last.", values);

// A chart of one metric over the finished epochs, on the page's shared axes and all the planned
// epochs wide (it fills in, never rescales), or a note until the first epoch has ended.
function drawChart(plot, job, metric) {
  const history = historyColumns(job.history);
  const epochs = job.history.length;
  plot.dataset.epochs = String(epochs);
  if (!epochs) {
    plot.replaceChildren(el("p", { class: "note chart-waiting", text: t("The curve starts when the first epoch ends.") }));
    return;
  }
  const train = history[metric];
  const validation = history[`val_${metric}`];
  const axis = metricAxis(metric, [...history.loss, ...history.val_loss]);
  const last = epochs - 1;
  renderLineChart(plot, {
    ...axis,
    label: chartLabel(metric, { name: job.name, epochs, training: axis.format(train[last]), validation: axis.format(validation[last]) }),
    xLabel: t("epoch"),
    epochs: Math.max(epochs, job.request?.epochs ?? epochs),
    series: [
      { key: "train", name: t("training images"), values: train, colour: CHART.train, marker: "circle" },
      { key: "validation", name: t("validation images"), values: validation, colour: CHART.validation, dash: "dashed", marker: "square" },
    ],
  });
}

/** A translated sentence with `element` where its `placeholder` stands (text around it as text). */
function withStrong(sentence, placeholder, element) {
  const at = sentence.indexOf(placeholder);
  if (at < 0) return [sentence];
  return [sentence.slice(0, at), element, sentence.slice(at + placeholder.length)].filter((part) => part !== "");
}

function resultBlock(job) {
  const last = job.history[job.history.length - 1];
  return el("div", { class: "job-result" }, [
    el(
      "p",
      { class: "job-accuracy" },
      withStrong(
        t("Final accuracy on the validation images (held out, never trained on): {validation}; on the training images: {training}.", {
          training: formatPercent(last?.accuracy, 1),
        }),
        "{validation}",
        el("strong", { class: "job-final-accuracy", text: formatPercent(last?.val_accuracy, 1) }),
      ),
    ),
    el("p", { class: "button-row" }, [
      el("a", { class: "button", id: "job-explorer-link", href: `/explorer?model=${encodeURIComponent(job.model)}`, text: t("Look inside in the Network explorer") }),
      el("a", { class: "button button-quiet", id: "job-download-link", href: `/api/models/${encodeURIComponent(job.model)}/download`, download: "", text: t("Download .keras") }),
    ]),
    el("p", { class: "note", text: t("It is listed with the other models now, on every page that shows models.") }),
  ]);
}

/**
 * createJobView(container, {onCancel(), epoch, onEpoch(epoch, newest)}) -> {show(job,
 * {canCancel}), setMode(text), say(text, state)}. epoch and onEpoch go to the epoch panel
 * (./epoch_view.js). The container's data-state, data-job and data-model follow the job (for
 * tests, too).
 */
export function createJobView(container, { onCancel, epoch = null, onEpoch }) {
  const title = el("h3", { class: "job-title" });
  const badge = el("span", { class: "job-state" });
  const line = el("p", { class: "job-line" });
  const bar = el("progress", { class: "job-bar", max: 1, value: 0, "aria-label": t("Training progress") });
  const percent = el("span", { class: "job-percent" });
  const time = el("p", { class: "job-time note" });
  const cancel = el("button", { type: "button", class: "button button-quiet", id: "job-cancel", text: t("Cancel training"), onclick: () => onCancel() });
  const message = el("p", { class: "own-message job-message", "aria-live": "polite" });
  const result = el("div", { class: "job-result-holder" });
  const plots = ["loss", "accuracy"].map((metric) => el("div", { class: "chart", dataset: { metric, epochs: "0" } }));
  const mode = el("p", { class: "note job-mode" });
  const story = el("div", { class: "curve-story job-story" });
  const epochHolder = el("section", { class: "epoch-panel", id: "epoch-panel", hidden: true });
  const evaluation = el("section", { class: "evaluation", id: "job-evaluation" });
  const epochPanel = createEpochPanel(epochHolder, { epoch, onEpoch });
  container.replaceChildren(
    el("div", { class: "panel-head" }, [title, badge]),
    el("div", { class: "job-status", role: "status", "aria-live": "polite" }, [line]),
    el("div", { class: "job-progress" }, [bar, percent]),
    time,
    el("div", { class: "button-row" }, [cancel]),
    message,
    result,
    el("div", { class: "charts job-charts" }, [
      el("figure", { class: "chart-figure" }, [el("figcaption", { text: metricAxis("loss").caption }), plots[0]]),
      el("figure", { class: "chart-figure" }, [el("figcaption", { text: metricAxis("accuracy").caption }), plots[1]]),
    ]),
    story,
    epochHolder,
    evaluation,
    mode,
  );
  let drawnEpochs = -1;
  let drawnJob = null;

  const say = (text, state) => {
    message.textContent = text;
    if (state) message.dataset.state = state;
    else delete message.dataset.state;
  };

  return {
    show(job, { canCancel }) {
      container.hidden = false;
      if (container.dataset.job !== job.id) say("");
      container.dataset.job = job.id;
      container.dataset.state = job.state;
      title.textContent = job.name;
      badge.textContent = STATE_WORDS[job.state]?.() ?? job.state;
      badge.dataset.state = job.state;
      line.textContent = stateLine(job);
      const done = fraction(job);
      bar.value = done;
      percent.textContent = formatPercent(done, 0);
      time.textContent = timeLine(job);
      const active = job.state === "queued" || job.state === "running";
      cancel.hidden = !(active && canCancel);
      if (job.state === "failed") say(job.reason || t("The training failed without a reason given."), "error");
      if (job.id !== drawnJob || job.history.length !== drawnEpochs) {
        drawnJob = job.id;
        drawnEpochs = job.history.length;
        drawChart(plots[0], job, "loss");
        drawChart(plots[1], job, "accuracy");
        renderCurveStory(story, historyColumns(job.history), regularisationOfJob(job), "images");
      }
      if (job.state === "done" && job.model) {
        container.dataset.model = job.model;
        if (!result.childElementCount) {
          result.replaceChildren(resultBlock(job));
          loadEvaluation(evaluation, job.model);
        }
      } else {
        delete container.dataset.model;
        result.replaceChildren();
        evaluation.replaceChildren();
        delete evaluation.dataset.model;
      }
      epochPanel.show(job);
    },
    /** How the job is followed ("stream" | "polling", kept as data-watch) and a line on it. */
    setMode(text, watch) {
      mode.textContent = text;
      if (watch) container.dataset.watch = watch;
    },
    say,
    setCancelling(busy) {
      cancel.disabled = busy;
      cancel.textContent = busy ? t("Cancelling…") : t("Cancel training");
    },
  };
}
