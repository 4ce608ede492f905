// The axes every training chart on the page shares, so that two models' curves can be compared
// by eye: accuracy always 0 to 100%, loss on one logarithmic scale (0.01 to 3 holds a
// 10-class guess, ln 10 = 2.3, and a well-trained model's 0.03 alike; it widens by whole decades
// only when a curve leaves it), epochs from 1. One definition of each metric's look, too.
import { formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n/index.js";

const LOSS_DOMAIN = [0.01, 3];

/** The loss axis' [low, high] for these loss values: 0.01..3, widened by decades if needed. */
export function lossDomain(values) {
  const finite = values.filter((v) => v != null && Number.isFinite(v) && v > 0);
  let [low, high] = LOSS_DOMAIN;
  if (finite.length) {
    const smallest = Math.min(...finite);
    const largest = Math.max(...finite);
    if (smallest < low) low = 10 ** Math.floor(Math.log10(smallest));
    if (largest > high) high = 10 ** Math.ceil(Math.log10(largest));
  }
  return [low, high];
}

/** History as columns: {loss, val_loss, accuracy, val_accuracy}, from a model's or a job's. */
export function historyColumns(history) {
  if (!Array.isArray(history)) return history;
  const column = (key) => history.map((epoch) => epoch[key] ?? null);
  return {
    loss: column("loss"),
    val_loss: column("val_loss"),
    accuracy: column("accuracy"),
    val_accuracy: column("val_accuracy"),
  };
}

/**
 * The chart options of one metric: {yLabel, scale, domain, format, tickFormat, caption}.
 * lossValues are every loss the page's charts share (see lossDomain).
 */
export function metricAxis(metric, lossValues = []) {
  if (metric === "loss") {
    return {
      yLabel: t("loss (log scale)"),
      scale: "log",
      domain: lossDomain(lossValues),
      format: (v) => formatNumber(v, 3),
      tickFormat: (v) => String(v),
      caption: t("Loss (lower is better; log scale)"),
    };
  }
  return {
    yLabel: t("accuracy"),
    scale: "linear",
    domain: [0, 1],
    format: (v) => formatPercent(v, 1),
    tickFormat: (v) => formatPercent(v, 0),
    caption: t("Accuracy (higher is better)"),
  };
}
