// The stack's summary: the totals, then one table row per layer with its output shape,
// parameters, multiply-accumulates and receptive field, each with its arithmetic underneath.
// A quiz can hide one value (shown as "?") until it is answered, and with it whatever would give
// the answer away (see quiz_mask.js).
import { el } from "../dom.js";
import { formatBytes, formatCount, formatLargeCount, formatShape, formatShare } from "../format.js";
import { t } from "../i18n/index.js";
import { glossaryButton } from "./glossary.js";
import { formatField } from "./numbers.js";
import { quizMask } from "./quiz_mask.js";

// Each column's heading and the glossary's words for it.
const COLUMNS = [
  [t("Layer"), []],
  [t("Output shape"), ["output"]],
  [t("Parameters"), ["params"]],
  ["MACs", ["macs"]],
  [t("Receptive field, jump"), ["receptive_field", "jump"]],
];
const MASKED = t("hidden");
// A cell's column: data-label names it (in English, for the styles and scripts), data-heading is
// the heading a phone shows above the value.
const HEADINGS = {
  Layer: t("Layer"),
  "Output shape": t("Output shape"),
  Parameters: t("Parameters"),
  MACs: "MACs",
  "Receptive field": t("Receptive field"),
};
const column = (label) => ({ label, heading: HEADINGS[label] });
// Where the parameters sit, by kind: "conv 35.2%".
const SHARES = {
  conv: (share) => t("conv {share}", { share }),
  dense: (share) => t("dense {share}", { share }),
  norm: (share) => t("norm {share}", { share }),
};

function total(label, value, id, note, term) {
  return el("div", { class: "total" }, [
    el("dt", {}, [label, term ? glossaryButton(term) : null]),
    el("dd", {}, [
      el("span", { id, class: value === MASKED ? "total-value is-masked" : "total-value",
        text: value }),
      note ? el("span", { class: "total-note", text: note }) : null,
    ]),
  ]);
}

// While a question is open only the totals that cannot lead to its answer stay.
function renderMaskedTotals(summary) {
  const totals = el("dl", { class: "totals is-masked" }, [
    total(t("Total parameters"), MASKED, "total-params", null, "params"),
    total(t("MACs per input"), MASKED, "total-macs", null, "macs"),
    total(t("Activations"), MASKED, "total-activations"),
    total(t("Depth"), String(summary.depth), "total-depth"),
    total(t("Output"), MASKED, "output-shape"),
    total(t("Receptive field"), formatField(summary.receptive_field), "final-rf", null, "receptive_field"),
  ]);
  const note = el("p", { class: "note totals-note", id: "totals-masked-note",
    text: t("The other totals are hidden until you answer: they would give the answer away.") });
  return [totals, note];
}

function renderTotals(summary) {
  const kinds = summary.params_by_kind;
  const where = summary.total_params
    ? ["conv", "dense", "norm"]
        .filter((kind) => kinds[kind])
        .map((kind) => SHARES[kind](formatShare(kinds[kind], summary.total_params)))
        .join(", ")
    : "";
  return el("dl", { class: "totals" }, [
    total(t("Total parameters"), formatCount(summary.total_params), "total-params",
      formatBytes(summary.params_bytes), "params"),
    total(t("Trainable"), formatCount(summary.trainable_params), "trainable-params",
      summary.non_trainable_params
        ? t("{count} not", { count: formatCount(summary.non_trainable_params) })
        : ""),
    total(t("Where they sit"), where || t("no weights"), "params-where"),
    total(t("MACs per input"), formatLargeCount(summary.total_macs), "total-macs", null, "macs"),
    total(t("Activations"), formatLargeCount(summary.activation_values), "total-activations",
      formatBytes(summary.activation_bytes)),
    total(t("Depth"), String(summary.depth), "total-depth",
      t("{count} conv/dense layers", { count: summary.weight_layers })),
    total(t("Output"), formatShape(summary.output_shape), "output-shape", null, "output"),
    total(t("Receptive field"), formatField(summary.receptive_field), "final-rf", null,
      "receptive_field"),
  ]);
}

// state: "asked" (the quiz's question, "?"), "masked" (would give the answer away) or null.
/** "... -> 5x5x64" with the arrow and what it points at on one line: a browser may otherwise
 * break after the hyphen of "->". The text reads the same. */
const workingParts = (working) =>
  working
    .split(/(-> \S+)/)
    .filter(Boolean)
    .map((part) => (part.startsWith("-> ") ? el("span", { class: "unbroken", text: part }) : part));

function cell(label, value, working, state) {
  const classes = { asked: "quiz-hidden", masked: "quiz-masked" };
  const shown = { asked: "?", masked: MASKED }[state] ?? value;
  return el("td", { class: classes[state], dataset: column(label) }, [
    el("span", { class: "value", text: shown }),
    working && !state ? el("span", { class: "working" }, workingParts(working)) : null,
  ]);
}

function layerCell(row) {
  const nested = row.nesting > 0 ? whereNested(row) : null;
  return el("th", { scope: "row", dataset: column("Layer") }, [
    el("span", { class: "row-index", text: row.index }),
    el("code", { class: "row-name", text: row.name }),
    " ",
    el("span", { class: "row-type", text: row.type }),
    row.settings ? el("span", { class: "row-settings", text: row.settings }) : null,
    nested ? el("span", { class: "row-settings", text: nested }) : null,
    ...row.warnings.map((text) => el("span", { class: "row-warning", text: `⚠ ${text}` })),
  ]);
}

// "in layers[7], branch 1": the merge layer a nested row sits in, and its branch.
function whereNested(row) {
  const location = row.location.replace(/\.branches.*$/, "");
  const match = row.location.match(/\.branches\[(\d+)\]\[\d+\]$/);
  return match ? t("in {location}, branch {branch}", { location, branch: match[1] }) : t("in {location}, ", { location });
}

/** createSummaryView(root) -> {render(summary, {hide: {location, kind} | null})}. */
export function createSummaryView(root) {
  return {
    render(summary, { hide = null } = {}) {
      const mask = quizMask(summary.layers, hide);
      const rows = summary.layers.map((row) => {
        const state = (column) =>
          mask.asked(row, column) ? "asked" : mask.masked(row, column) ? "masked" : null;
        const rf = row.receptive_field
          ? row.jump
            ? t("{field}, jump {jump}", { field: formatField(row.receptive_field), jump: row.jump[0] })
            : formatField(row.receptive_field)
          : "–";
        return el("tr", { class: `nesting-${Math.min(row.nesting, 3)}`,
          dataset: { location: row.location } }, [
          layerCell(row),
          cell("Output shape", formatShape(row.output_shape), row.output_formula, state("shape")),
          cell("Parameters", formatCount(row.params), row.params_formula, state("params")),
          cell("MACs", formatLargeCount(row.macs), row.macs ? row.macs_formula : null,
            state("macs")),
          cell("Receptive field", rf, row.receptive_field_formula, null),
        ]);
      });
      root.replaceChildren(
        ...(mask.totals ? renderMaskedTotals(summary) : [renderTotals(summary)]),
        el("div", { class: "table-wrap" }, [
          el("table", { class: "arch-table", id: "summary-table" }, [
            el("caption", { class: "visually-hidden", text: t("Each layer's output and cost") }),
            el("thead", {}, [
              el("tr", {}, COLUMNS.map(([text, terms]) => el("th", { scope: "col" }, [
                text,
                ...terms.map((term) => glossaryButton(term)),
              ]))),
            ]),
            el("tbody", {}, rows),
          ]),
        ]),
      );
    },
  };
}
