// The last step of a classifier, softmax, written out: scores (logits) z -> e^z -> divided by their
// sum -> probabilities. The API sends the probabilities, not the logits; softmax depends only on
// the differences between the scores, and those come back from the probabilities exactly:
//   z_i - z_top = ln(p_i / p_top).
// So the table starts from the scores measured from the top class's score.
import { el } from "../dom.js";
import { formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n/index.js";

// float32 probabilities below about 1.4e-45 are 0: their score is at least this far below the top.
const FLOAT32_FLOOR = Math.log(1.4e-45);

/** The softmax rows for classes `shown` (indices) of `probabilities`: {score, exp, probability}. */
export function softmaxRows(probabilities, shown) {
  const top = Math.max(...probabilities);
  const exps = probabilities.map((p) => p / top); // e^(z_i - z_top)
  const sum = exps.reduce((a, b) => a + b, 0);
  return {
    sum,
    rows: shown.map((i) => ({
      index: i,
      score: probabilities[i] > 0 ? Math.log(probabilities[i] / top) : null,
      exp: exps[i],
      probability: exps[i] / sum,
    })),
  };
}

/** 0.000016 -> "1.60e-5": tiny shares stay readable (a fixed 6 decimals would show 0). */
const shareText = (value) => (value !== 0 && value < 1e-3 ? value.toExponential(2) : formatNumber(value, 4));

const scoreText = (score) => (score === null ? t("below {score}", { score: formatNumber(FLOAT32_FLOOR, 0) }) : formatNumber(score));

/** softmaxBlock(classes, probabilities, shown) -> a <details> that works softmax through. */
export function softmaxBlock(classes, probabilities, shown) {
  const { sum, rows } = softmaxRows(probabilities, shown);
  const table = el("table", { class: "softmax-table" }, [
    el("caption", { class: "visually-hidden", text: t("Softmax, class by class") }),
    el("thead", {}, [
      el("tr", {}, [
        el("th", { scope: "col", text: t("class") }),
        el("th", { scope: "col", class: "num", text: "z − z_top" }),
        el("th", { scope: "col", class: "num", text: "e^(z − z_top)" }),
        el("th", { scope: "col", class: "num", text: t("÷ sum = p") }),
      ]),
    ]),
    el(
      "tbody",
      {},
      rows.map((row) =>
        el("tr", { dataset: { label: classes[row.index], probability: row.probability } }, [
          el("th", { scope: "row", text: classes[row.index] }),
          el("td", { class: "num", text: scoreText(row.score) }),
          el("td", { class: "num", text: shareText(row.exp) }),
          el("td", { class: "num", text: formatPercent(row.probability, 2) }),
        ]),
      ),
    ),
    el("tfoot", {}, [
      el("tr", {}, [
        el("th", { scope: "row", text: t("sum") }),
        el("td", {}),
        el("td", { class: "num", dataset: { role: "softmax-sum", value: sum }, text: formatNumber(sum, 6) }),
        el("td", { class: "num", text: "100%" }),
      ]),
    ]),
  ]);
  return el("details", { class: "softmax", dataset: { role: "softmax" } }, [
    el("summary", { text: t("From scores to probabilities: softmax, worked through") }),
    el("p", {
      class: "note",
      text:
        shown.length < classes.length
          ? t(
              "The last dense layer gives each class a score z (a logit). Softmax raises e to each score, " +
                "adds the results up (the sum runs over all {count} classes) and divides each by the sum: the probabilities, which add up to 1. " +
                "Adding the same number to every score changes nothing, so the scores here are measured from " +
                "the top class's score, z − z_top = ln(p / p_top). (The server sends the probabilities, not the raw scores.)",
              { count: classes.length },
            )
          : t(
              "The last dense layer gives each class a score z (a logit). Softmax raises e to each score, " +
                "adds the results up and divides each by the sum: the probabilities, which add up to 1. " +
                "Adding the same number to every score changes nothing, so the scores here are measured from " +
                "the top class's score, z − z_top = ln(p / p_top). (The server sends the probabilities, not the raw scores.)",
            ),
    }),
    table,
  ]);
}
