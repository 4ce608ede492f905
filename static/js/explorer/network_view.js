// The network as a column of layers, input to output: the input, each convolution and
// pooling layer's feature maps (with the learned filters beside the convolutions), flatten and
// dense layers as bars, and the output as labelled probabilities with softmax worked out. Every
// picture reports the value under the pointer in its layer's readout line; a map and the filter
// that made it light up together; a map cell outlines its receptive field on the input.
import { el } from "../dom.js";
import { formatCount, formatNumber, formatPercent, formatShape } from "../format.js";
import { kernelLabHref, roundKernel } from "../kernel_lab/kernel_link.js";
import { flatValues, scaleFor, scaleFromApi } from "../render/colormap.js";
import { renderFeatureMaps } from "../render/feature_maps.js";
import { filterScale, renderFilterBank, renderFilterTiles } from "../render/filters_view.js";
import { renderLegend } from "../render/legend.js";
import { createProbabilityBars } from "../render/probability_bars.js";
import { renderVectorBars } from "../render/vector_bars.js";
import { inputSection } from "./input_view.js";
import { fieldWords, placeField, showMapDetail } from "./map_detail.js";
import { fieldOf } from "./receptive_field.js";
import { softmaxBlock } from "./softmax_view.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const POOLING = { MaxPooling2D: "largest value", AveragePooling2D: "average" };

/** One sentence on what a layer computes, with this model's numbers. */
export function explainLayer(row) {
  const config = row.config ?? {};
  const inputs = row.input_shape;
  const relu = row.activation === "relu" ? ", and ReLU sets its negative values to 0" : "";
  if (row.type === "Conv2D") {
    const size = config.kernel_size.join(" × ");
    const channels = inputs[inputs.length - 1];
    return (
      `${plural(config.filters, "filter")} of ${size} weights (times ${plural(channels, "input map")}) ` +
      `slide over the input; each filter makes one feature map${relu}. Padding "${config.padding}".`
    );
  }
  if (row.type in POOLING) {
    const size = config.pool_size.join(" × ");
    return (
      `Each ${size} window of a map is replaced by its ${POOLING[row.type]}: the maps shrink to ` +
      `${formatShape(row.output_shape.slice(0, 2))}, and there are still ${row.output_shape[2]}. No weights.`
    );
  }
  if (row.type === "Flatten") {
    return `The ${formatShape(inputs)} numbers are laid out in one row of ${row.output_shape[0]}, so that dense layers can read them. No weights.`;
  }
  if (row.type === "Dense") {
    const n = inputs[0];
    if (row.activation === "softmax") {
      return `${plural(config.units, "unit")}, one per class: each adds up all ${n} inputs times its weights, plus a bias; softmax turns the ${config.units} sums into probabilities that add up to 1.`;
    }
    return `${plural(config.units, "unit")}: each adds up all ${n} inputs times its own weights, plus a bias${relu}.`;
  }
  return OTHER_LAYERS[row.type]?.(row) ?? `A ${row.type} layer.`;
}

const OTHER_LAYERS = {
  GlobalAveragePooling2D: (row) =>
    `Each of the ${row.input_shape[row.input_shape.length - 1]} maps becomes one number, its average. No weights.`,
  GlobalMaxPooling2D: (row) =>
    `Each of the ${row.input_shape[row.input_shape.length - 1]} maps becomes one number, its largest value. No weights.`,
  Dropout: () => "Used only in training (it drops random values then); here every value passes through unchanged.",
  BatchNormalization: () =>
    "Each channel is shifted and scaled with the mean and spread it had in training, then by two learned numbers.",
  Rescaling: () => "Every input number is multiplied by one constant and shifted by another. No weights.",
  ReLU: () => "Negative values become 0; the rest pass through. No weights.",
  Activation: (row) => `The ${row.activation ?? "activation"} function is applied to each value. No weights.`,
};

export function readoutLine(layer) {
  return el("p", {
    class: "readout",
    dataset: { role: "readout", layer },
    text: "Point at a picture to read its values.",
  });
}

/** Write a hovered value into a readout line (and its data- attributes, for tests and tools). */
export function report(readout, text, data) {
  for (const key of ["channel", "filter", "unit", "row", "col", "value"]) delete readout.dataset[key];
  if (!data) {
    readout.textContent = readout.dataset.hint;
    readout.classList.remove("is-active");
    return;
  }
  Object.assign(readout.dataset, data);
  readout.textContent = text;
  readout.classList.add("is-active");
}

export function section(row, readout, children, extraHead = []) {
  const head = el("div", { class: "layer-head" }, [
    el("h3", {}, [el("code", { text: row.name }), " ", el("span", { class: "layer-type", text: row.type })]),
    el("span", { class: "layer-shape", title: "output shape", text: formatShape(row.output_shape) }),
    el("span", { class: "layer-params", text: `${formatCount(row.params)} parameters` }),
    ...extraHead,
  ]);
  return el("section", { class: "layer", dataset: { layer: row.name }, "aria-label": `Layer ${row.name}` }, [
    head,
    el("p", { class: "layer-explain", text: explainLayer(row) }),
    ...children,
    readout,
  ]);
}

// The colour scales of a maps layer: the API's one scale for the layer, or one per map.
function mapScales(layer, mode) {
  if (mode !== "map") return { scale: scaleFromApi(layer.scale), perMap: null };
  // A signed layer keeps a diverging scale on every map, centred on zero: each map's own
  // strongest value (either sign) gets the strongest colour.
  const signed = layer.scale.colormap === "diverging";
  const perMap = layer.maps.map((map) => {
    const values = flatValues(map);
    return scaleFor(signed ? [...values, -Math.max(...values.map(Math.abs))] : values);
  });
  return { scale: (channel) => perMap[channel], perMap };
}

// The legend under a layer's maps says which scale the colours follow.
function mapsLegend(holder, layer, scales) {
  if (!scales.perMap) {
    renderLegend(holder, scaleFromApi(layer.scale), "Value colour, one scale for the whole layer");
    return;
  }
  const signed = layer.scale.colormap === "diverging";
  renderLegend(holder, scales.perMap[0], "Value colour, one scale per map");
  const words = signed
    ? "Each map has its own scale centred on zero: blue below zero, red above, its strongest value the strongest colour. Colours do not compare between maps."
    : "Each map has its own scale: white at zero, dark blue at that map's largest value. Colours do not compare between maps.";
  holder.querySelector(".legend")?.setAttribute("aria-label", words);
  const ends = signed ? ["− its strongest", "0", "+ its strongest"] : ["0", "the map's largest"];
  holder.querySelector(".legend-labels")?.replaceChildren(...ends.map((text) => el("span", { text })));
  holder.dataset.scale = "map";
}

function mapsSection(row, layer, ctx) {
  const readout = readoutLine(row.name);
  readout.dataset.hint = "Point at a map to read a value and see the input pixels it depends on; click a map to enlarge it and see how a value is computed.";
  readout.textContent = readout.dataset.hint;
  const scales = mapScales(layer, ctx.scaleMode);
  const maps = el("div", { class: "layer-maps" });
  const legend = el("div", { dataset: { scale: ctx.scaleMode === "map" ? "map" : "layer" } });
  const filters = ctx.filters.get(row.name);
  const linked = { maps: null, filters: null };
  const link = (index) => {
    linked.maps?.mark("is-linked", index);
    linked.filters?.mark("is-linked", index);
  };
  linked.maps = renderFeatureMaps(maps, {
    layer: row.name,
    maps: layer.maps,
    scale: scales.scale,
    onLink: filters ? link : null,
    onHover(cell) {
      const field = cell && fieldOf(ctx.model.summary, row.name, cell.row, cell.col, ctx.model.input_shape);
      ctx.showField(field);
      const sees = field ? `; it depends on input ${fieldWords(field.clipped)}` : "";
      report(readout, cell && `Map ${cell.channel}, row ${cell.row}, column ${cell.col}: ${formatNumber(cell.value)}${sees}`, cell);
    },
    onOpen: (index) => openMap(row, layer, ctx, { index, scales, filters }),
  });
  mapsLegend(legend, layer, scales);
  const blocks = [
    el("div", { class: "layer-block" }, [
      el("h4", { text: `${plural(layer.maps.length, "feature map")}, ${formatShape(layer.shape.slice(0, 2))} each` }),
      maps,
      legend,
    ]),
  ];
  if (filters) {
    const block = filtersBlock(row, filters, readout, ctx, link);
    linked.filters = block.view;
    blocks.push(block);
  }
  // Many maps and filters need the whole width each; a few sit side by side.
  const stacked = layer.maps.length > 8 ? " is-stacked" : "";
  const card = section(row, readout, [el("div", { class: `layer-body${stacked}` }, blocks)]);
  ctx.views.set(row.name, {
    card,
    select(index) {
      linked.maps.mark("is-selected", index);
      linked.filters?.mark("is-selected", index, true);
    },
    open: (index, selected) => openMap(row, layer, ctx, { index, scales, filters, selected }),
  });
  return card;
}

// The map enlarged, with its selected cell's receptive field and (for a convolution) calculation.
function openMap(row, layer, ctx, { index, scales, filters, selected }) {
  ctx.views.get(row.name)?.select(index);
  ctx.dialog.open({
    layer: row.name,
    maps: layer.maps,
    index,
    selected,
    scale: scales.scale,
    legendCaption: scales.perMap ? "Value colour, this map's own scale" : "Value colour, one scale for the whole layer",
    describe: (i) => describeMap(row, i),
    detail: (channel, at, panel) =>
      showMapDetail(panel, { detail: ctx.model, activations: ctx.activations, filters, row, channel, at }),
    onChange: ({ index: channel, selected: at }) => {
      ctx.views.get(row.name)?.select(channel);
      ctx.onSelect?.({ layer: row.name, map: channel, px: at });
    },
    onClose: () => ctx.onSelect?.({ layer: row.name, map: ctx.selectedMap(row.name), px: null }),
  });
}

function describeMap(row, index) {
  if (row.type === "Conv2D") return `What filter ${index} of ${row.name} found in its input: big values where the input looks like the filter.`;
  if (row.type in POOLING) return `Map ${index} of the layer before, shrunk: each ${row.config.pool_size.join(" × ")} window became its ${POOLING[row.type]}.`;
  return "";
}

export function filtersBlock(row, filters, readout, ctx, onLink = null) {
  const scale = filterScale(filters);
  const holder = el("div");
  const legend = el("div");
  const [kh, kw, channels, count] = filters.kernel_shape;
  const onHover = (cell) =>
    report(
      readout,
      cell &&
        `Filter ${cell.filter}${cell.channel === undefined ? "" : `, input channel ${cell.channel}`}, ` +
          `row ${cell.row}, column ${cell.col}: weight ${formatNumber(cell.value)}`,
      cell,
    );
  let heading;
  let view;
  if (channels === 1) {
    heading = `${plural(count, "filter")} of ${kh} × ${kw} weights`;
    view = renderFilterTiles(holder, {
      filters,
      scale,
      onHover,
      onLink,
      linkFor: (f) => {
        const label = `${ctx.model.name} ${row.name} filter ${f}`;
        const matrix = roundKernel(filters.kernels[f][0]);
        return { href: kernelLabHref(matrix, label), label, matrix };
      },
    });
  } else {
    heading = `${plural(count, "filter")} of ${kh} × ${kw} × ${channels} weights: each filter is a column, its ${channels} kernels (one per input map) top to bottom`;
    view = renderFilterBank(holder, { filters, scale, onHover, onLink });
  }
  renderLegend(legend, scale, "Weight colour");
  const block = el("div", { class: "layer-block layer-filters" }, [el("h4", { text: heading }), holder, legend]);
  block.view = view;
  return block;
}

export function vectorSection(row, layer, ctx) {
  const readout = readoutLine(row.name);
  readout.dataset.hint = "Point at a bar to read a unit's value.";
  readout.textContent = readout.dataset.hint;
  const scale = scaleFromApi(layer.scale);
  const bars = el("div", { class: "vector-bars" });
  ctx.afterAttach.push(() =>
    renderVectorBars(bars, {
      label: `${row.name} values`,
      values: layer.values,
      scale,
      onHover: (unit) =>
        report(readout, unit && `Unit ${unit.unit}: ${formatNumber(unit.value)}`, unit),
    }),
  );
  const legend = el("div");
  renderLegend(legend, scale, "Value colour");
  return section(row, readout, [bars, legend]);
}

const CLASSES_SHOWN = 10; // with more classes than this (ImageNet has 1000), the most probable

export function outputSection(row, activations) {
  const { classes, probabilities } = activations;
  const readout = el("p", { class: "readout", dataset: { role: "readout", layer: row.name } });
  const order = classes.map((_, i) => i);
  if (classes.length > CLASSES_SHOWN) order.sort((a, b) => probabilities[b] - probabilities[a]);
  const shown = order.slice(0, CLASSES_SHOWN);
  // Class names come from whoever trained the model: a column wide enough for words, not digits.
  const named = classes.some((name) => name.length > 2) ? " has-names" : "";
  const bars = el("div", { class: `output-bars${named}` });
  createProbabilityBars(bars, { label: "Probability of each class" }).render(
    shown.map((i) => classes[i]),
    shown.map((i) => probabilities[i]),
  );
  const more =
    classes.length > CLASSES_SHOWN
      ? el("p", { class: "note", text: `The ${CLASSES_SHOWN} most probable of ${formatCount(classes.length)} classes.` })
      : null;
  const top = order.reduce((best, i) => (probabilities[i] > probabilities[best] ? i : best), 0);
  readout.textContent = `The network's answer: ${activations.label} (${formatPercent(probabilities[top])}).`;
  return section(row, readout, [more, bars, softmaxBlock(classes, probabilities, shown)]);
}

/**
 * renderNetwork(container, {detail, activations, filters: Map(layer -> filters), dialog,
 * scaleMode: "layer" | "map", onSelect({layer, map, px}), onField(field | null)}) draws every
 * layer of `activations` in the order of the model's summary; onField hears the receptive field
 * of the map cell pointed at. Returns {select(layer, map), open(layer, map, px)}.
 */
export function renderNetwork(container, { detail, activations, filters, dialog, scaleMode, onSelect, onField }) {
  const byName = new Map(activations.layers.map((layer) => [layer.name, layer]));
  const input = inputSection(activations, detail.input_shape, { readoutLine, report });
  const fieldBox = input.querySelector("[data-role=input-field]");
  const selection = new Map();
  const ctx = {
    ...{ model: detail, activations, filters, dialog, scaleMode, afterAttach: [], views: new Map() },
    showField(field) {
      placeField(fieldBox, field, detail.input_shape);
      onField?.(field);
    },
    selectedMap: (layer) => selection.get(layer) ?? null,
    onSelect(state) {
      if (state.map !== null) selection.set(state.layer, state.map);
      onSelect?.(state);
    },
  };
  const last = detail.summary[detail.summary.length - 1]?.name;
  const sections = [input];
  for (const row of detail.summary) {
    const layer = byName.get(row.name);
    if (!layer) continue;
    if (row.name === last && row.activation === "softmax") sections.push(outputSection(row, activations));
    else if (layer.kind === "maps") sections.push(mapsSection(row, layer, ctx));
    else sections.push(vectorSection(row, layer, ctx));
  }
  container.replaceChildren(...sections);
  for (const attach of ctx.afterAttach) attach(); // bars size themselves to their box
  return {
    select(layer, map) {
      const view = ctx.views.get(layer);
      if (!view || map >= (byName.get(layer)?.maps?.length ?? 0)) return false;
      selection.set(layer, map);
      view.select(map);
      return true;
    },
    open(layer, map, px) {
      const view = ctx.views.get(layer);
      if (!view || map >= (byName.get(layer)?.maps?.length ?? 0)) return;
      selection.set(layer, map);
      view.open(map, px);
    },
    card: (layer) => ctx.views.get(layer)?.card ?? null,
  };
}
