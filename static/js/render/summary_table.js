// model.summary() as a table: each layer's output shape and parameter count with the arithmetic
// behind both, and the totals. On a phone the CSS stacks each row into a card, naming each cell
// by its column (data-label).
import { el } from "../dom.js";
import { formatCount, formatShape } from "../format.js";
import { t } from "../i18n/index.js";

const HEADERS = [
  t("Layer"),
  t("Type"),
  t("Output shape"),
  t("Parameters"),
  t("Parameters, worked out"),
  t("Output size, worked out"),
];

function labelled(row) {
  [...row.children].forEach((cell, i) => {
    cell.dataset.label = HEADERS[i];
  });
  return row;
}

/** renderSummaryTable(container, detail) for a GET /api/models/{id} answer. */
export function renderSummaryTable(container, detail) {
  const head = el("tr", {}, HEADERS.map((text) => el("th", { scope: "col", text })));
  const input = el("tr", { dataset: { layer: "input" } }, [
    el("th", { scope: "row" }, [el("code", { text: "input" })]),
    el("td", { text: t("Input") }),
    el("td", { class: "num", text: formatShape(detail.input_shape) }),
    el("td", { class: "num", text: "0" }),
    el("td", { text: t("the picture itself") }),
    el("td", { text: inputDescription(detail) }),
  ]);
  const rows = detail.summary.map((row) =>
    el("tr", { dataset: { layer: row.name } }, [
      el("th", { scope: "row" }, [el("code", { text: row.name })]),
      el("td", {}, [
        row.type,
        row.activation ? el("span", { class: "activation", text: row.activation }) : null,
      ]),
      el("td", { class: "num", text: formatShape(row.output_shape) }),
      el("td", { class: "num", dataset: { role: "params", value: row.params }, text: formatCount(row.params) }),
      el("td", {}, [el("code", { text: row.params_formula })]),
      el("td", {}, [row.output_formula ? el("code", { text: row.output_formula }) : "–"]),
    ]),
  );
  const total = el("tr", {}, [
    el("th", { scope: "row", colspan: 3, text: t("Total") }),
    el("td", {
      class: "num",
      id: "summary-total",
      dataset: { value: detail.total_params },
      text: formatCount(detail.total_params),
    }),
    el("td", {
      colspan: 2,
      text: t("the sum of the Parameters column; {trainable} of them trainable (changed by training)", {
        trainable: formatCount(detail.trainable_params),
      }),
    }),
  ]);
  container.replaceChildren(
    el("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("{name} summary table", { name: detail.name }) }, [
      el("table", { class: "summary-table" }, [
        el("caption", { text: t("{name}, layer by layer", { name: detail.name }) }),
        el("thead", {}, [head]),
        el("tbody", {}, [input, ...rows].map(labelled)),
        el("tfoot", {}, [total]),
      ]),
    ]),
  );
}

/** What the input row holds: "28 × 28 grey pixels, 0 (black) to 1 (white)" for a digit model. */
function inputDescription(detail) {
  const [height, width, channels] = detail.input_shape;
  const size = { height, width };
  const pixels =
    channels === 3 ? t("{height} × {width} colour (R, G, B) pixels", size) : t("{height} × {width} grey pixels", size);
  // The pixels, then how their values are scaled: two descriptions side by side, after a comma.
  if (detail.preprocessing === "digit") return `${pixels}, ${t("0 (black) to 1 (white)")}`;
  const scales = {
    "0..1": t("0 (black) to 1 (white)"),
    "-1..1": t("-1 (black) to 1 (white)"),
    "0..255": t("0 (black) to 255 (white)"),
    caffe: t("in B, G, R order, ImageNet's mean colour subtracted (caffe)"),
    torch: t("ImageNet's mean subtracted, divided by its spread (torch)"),
  };
  return `${pixels}, ${scales[detail.scale] ?? detail.scale}`;
}
