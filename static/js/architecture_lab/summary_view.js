// The stack's summary: the totals, then one table row per layer with its output shape,
// parameters, multiply-accumulates and receptive field, each with its arithmetic underneath.
// A quiz can hide one value (shown as "?") until it is answered, and with it whatever would give
// the answer away (see quiz_mask.js).
import { el } from "../dom.js";
import { formatBytes, formatCount, formatLargeCount, formatShape, formatShare } from "../format.js";
import { glossaryButton } from "./glossary.js";
import { formatField } from "./numbers.js";
import { quizMask } from "./quiz_mask.js";

// Each column's heading and the glossary's words for it.
const COLUMNS = [
  ["Layer", []],
  ["Output shape", ["output"]],
  ["Parameters", ["params"]],
  ["MACs", ["macs"]],
  ["Receptive field, jump", ["receptive_field", "jump"]],
];
const MASKED = "hidden";

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
    total("Total parameters", MASKED, "total-params", null, "params"),
    total("MACs per input", MASKED, "total-macs", null, "macs"),
    total("Activations", MASKED, "total-activations"),
    total("Depth", String(summary.depth), "total-depth"),
    total("Output", MASKED, "output-shape"),
    total("Receptive field", formatField(summary.receptive_field), "final-rf", null, "receptive_field"),
  ]);
  const note = el("p", { class: "note totals-note", id: "totals-masked-note",
    text: "The other totals are hidden until you answer: they would give the answer away." });
  return [totals, note];
}

function renderTotals(summary) {
  const kinds = summary.params_by_kind;
  const where = summary.total_params
    ? ["conv", "dense", "norm"]
        .filter((kind) => kinds[kind])
        .map((kind) => `${kind} ${formatShare(kinds[kind], summary.total_params)}`)
        .join(", ")
    : "";
  return el("dl", { class: "totals" }, [
    total("Total parameters", formatCount(summary.total_params), "total-params",
      formatBytes(summary.params_bytes), "params"),
    total("Trainable", formatCount(summary.trainable_params), "trainable-params",
      summary.non_trainable_params ? `${formatCount(summary.non_trainable_params)} not` : ""),
    total("Where they sit", where || "no weights", "params-where"),
    total("MACs per input", formatLargeCount(summary.total_macs), "total-macs", null, "macs"),
    total("Activations", formatLargeCount(summary.activation_values), "total-activations",
      formatBytes(summary.activation_bytes)),
    total("Depth", String(summary.depth), "total-depth",
      `${summary.weight_layers} conv/dense layers`),
    total("Output", formatShape(summary.output_shape), "output-shape", null, "output"),
    total("Receptive field", formatField(summary.receptive_field), "final-rf", null,
      "receptive_field"),
  ]);
}

// state: "asked" (the quiz's question, "?"), "masked" (would give the answer away) or null.
function cell(label, value, working, state) {
  const classes = { asked: "quiz-hidden", masked: "quiz-masked" };
  const shown = { asked: "?", masked: MASKED }[state] ?? value;
  return el("td", { class: classes[state], dataset: { label } }, [
    el("span", { class: "value", text: shown }),
    working && !state ? el("span", { class: "working", text: working }) : null,
  ]);
}

function layerCell(row) {
  const nested = row.nesting > 0 ? `in ${row.location.replace(/\.branches.*$/, "")}` : null;
  return el("th", { scope: "row", dataset: { label: "Layer" } }, [
    el("span", { class: "row-index", text: row.index }),
    el("code", { class: "row-name", text: row.name }),
    " ",
    el("span", { class: "row-type", text: row.type }),
    row.settings ? el("span", { class: "row-settings", text: row.settings }) : null,
    nested ? el("span", { class: "row-settings", text: `${nested}, ${branchOf(row)}` }) : null,
    ...row.warnings.map((text) => el("span", { class: "row-warning", text: `⚠ ${text}` })),
  ]);
}

function branchOf(row) {
  const match = row.location.match(/\.branches\[(\d+)\]\[\d+\]$/);
  return match ? `branch ${match[1]}` : "";
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
          ? `${formatField(row.receptive_field)}${row.jump ? `, jump ${row.jump[0]}` : ""}`
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
            el("caption", { class: "visually-hidden", text: "Each layer's output and cost" }),
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
