// "Their curves on one chart": tick two or more models (shipped or trained here) and see their
// loss and accuracy curves overlaid on the page's shared axes, the validation curves or the
// training ones. Each model keeps one look wherever it is drawn: a colour (Okabe and Ito's
// colour-blind-safe palette), a dash pattern and a marker shape, so the lines stay apart in
// grey too. The choice lives in the address (./page_url.js).
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
import { renderLineChart } from "../render/line_chart.js";
import { historyColumns, metricAxis } from "./curve_axes.js";

const COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"];
const DASHES = ["solid", "dashed", "dotted", "dashdot"];
const MARKERS = ["circle", "square", "triangle", "diamond"];

/** The look of the model at `index` in the page's list: {colour, dash, marker}. */
export function lookOf(index) {
  return {
    colour: COLOURS[index % COLOURS.length],
    dash: DASHES[index % DASHES.length],
    marker: MARKERS[index % MARKERS.length],
  };
}

// [value (kept in the address), the words a reader sees]
const CURVES = [
  ["validation", () => t("Validation curves (data held back from training)")],
  ["training", () => t("Training curves")],
];

function modelChoices(details, chosen, onToggle) {
  return el("fieldset", { class: "overlay-models" }, [
    el("legend", { text: t("Models") }),
    ...details.map((detail, index) => {
      const id = `overlay-${detail.id}`;
      const box = el("input", { type: "checkbox", id, value: detail.id, checked: chosen.includes(detail.id) });
      box.addEventListener("change", () => onToggle(detail.id, box.checked));
      const { colour } = lookOf(index);
      return el("label", { class: "overlay-model", for: id }, [
        box,
        el("span", { class: "overlay-swatch", style: `background: ${colour}`, "aria-hidden": "true" }),
        detail.name,
      ]);
    }),
  ]);
}

function curveChoices(curves, onCurves) {
  return el("fieldset", { class: "overlay-curves" }, [
    el("legend", { text: t("Curves") }),
    ...CURVES.map(([value, text]) => {
      const id = `overlay-curves-${value}`;
      const radio = el("input", { type: "radio", name: "overlay-curves", id, value, checked: value === curves });
      radio.addEventListener("change", () => radio.checked && onCurves(value));
      return el("label", { for: id }, [radio, ` ${text()}`]);
    }),
  ]);
}

/** The overlaid chart's label: which curves of which metric, then each model's end ("ends"). */
function overlayLabel(curves, metric, ends) {
  if (curves === "training") {
    return metric === "loss" ? t("Training loss of {ends}.", { ends }) : t("Training accuracy of {ends}.", { ends });
  }
  return metric === "loss" ? t("Validation loss of {ends}.", { ends }) : t("Validation accuracy of {ends}.", { ends });
}

/**
 * createCurveOverlay(container, {onChange({compare, curves})}) -> {show(details, {compare,
 * curves, lossValues, epochs})}. details are the models with a history, in the page's order;
 * compare the chosen ids; lossValues and epochs the page's shared loss axis and epoch count.
 */
export function createCurveOverlay(container, { onChange }) {
  let state = null;

  function draw() {
    const { details, compare, curves, lossValues, epochs } = state;
    const chosen = details.filter((d) => compare.includes(d.id));
    const plots = ["loss", "accuracy"].map((metric) => {
      const plot = el("div", { class: "chart", dataset: { metric, models: chosen.map((d) => d.id).join(",") } });
      const axis = metricAxis(metric, lossValues);
      const prefix = curves === "training" ? "" : "val_";
      const series = chosen.map((detail) => ({
        key: detail.id,
        name: detail.name,
        values: historyColumns(detail.history)[`${prefix}${metric}`],
        ...lookOf(details.indexOf(detail)),
      }));
      const figure = el("figure", { class: "chart-figure" }, [el("figcaption", { text: axis.caption }), plot]);
      if (series.length) {
        const ends = series
          .map((s) => t("{name} {value} after {epochs} epochs", { name: s.name, value: axis.format(s.values.at(-1)), epochs: s.values.length }))
          .join("; ");
        renderLineChart(plot, {
          ...axis,
          label: overlayLabel(curves, metric, ends),
          xLabel: t("epoch"),
          epochs,
          series,
        });
      }
      return figure;
    });
    const hint = chosen.length < 2 ? el("p", { class: "note overlay-hint", text: t("Tick two or more models to compare their curves.") }) : null;
    container.replaceChildren(
      el("div", { class: "overlay-choices" }, [
        modelChoices(details, compare, (id, on) => {
          const next = on ? [...compare, id] : compare.filter((c) => c !== id);
          update({ compare: details.map((d) => d.id).filter((d) => next.includes(d)) }, `overlay-${id}`);
        }),
        curveChoices(curves, (value) => update({ curves: value }, `overlay-curves-${value}`)),
      ]),
      ...(hint ? [hint] : []),
      el("div", { class: "charts overlay-charts" }, plots),
    );
    container.dataset.compare = compare.join(",");
    container.dataset.curves = curves;
  }

  // Redraw with the change, give the focus back to the control used, and tell the page.
  function update(change, focusId) {
    state = { ...state, ...change };
    draw();
    document.getElementById(focusId)?.focus();
    onChange({ compare: state.compare, curves: state.curves });
  }

  return {
    show(details, { compare, curves, lossValues, epochs }) {
      const known = details.map((d) => d.id);
      state = {
        details,
        compare: known.filter((id) => compare.includes(id)),
        curves: curves === "training" ? "training" : "validation",
        lossValues,
        epochs,
      };
      draw();
    },
  };
}
