// The network as a column of layers, input to output: the input, each convolution and
// pooling layer's feature maps (with the learned filters beside the convolutions), flatten and
// dense layers as bars, and the output as labelled probabilities with softmax worked out. Every
// picture reports the value under the pointer in its layer's readout line; a map and the filter
// that made it light up together; a map cell outlines its receptive field on the input.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
import { formatCount, formatNumber, formatPercent, formatShape } from "../format.js";
import { kernelLabHref, roundKernel } from "../kernel_lab/kernel_link.js";
import { flatValues, scaleFor, scaleFromApi } from "../render/colormap.js";
import { renderFeatureMaps } from "../render/feature_maps.js";
import { filterScale, renderFilterBank, renderFilterTiles } from "../render/filters_view.js";
import { renderLegend } from "../render/legend.js";
import { createProbabilityBars } from "../render/probability_bars.js";
import { renderVectorBars } from "../render/vector_bars.js";
import { inputSection } from "./input_view.js";
import { placeField, showMapDetail } from "./map_detail.js";
import { fieldOf } from "./receptive_field.js";
import { softmaxBlock } from "./softmax_view.js";

const POOLING = ["MaxPooling2D", "AveragePooling2D"];

/** The convolution's sentence: filters and input maps, one or many, with or without ReLU. */
function convSentence({ filters, channels, relu }, params) {
  if (filters === 1 && channels === 1) {
    return relu
      ? t("{filters} filter of {size} weights (times {channels} input map) slide over the input; each filter makes one feature map, and ReLU sets its negative values to 0.", params)
      : t("{filters} filter of {size} weights (times {channels} input map) slide over the input; each filter makes one feature map.", params);
  }
  if (filters === 1) {
    return relu
      ? t("{filters} filter of {size} weights (times {channels} input maps) slide over the input; each filter makes one feature map, and ReLU sets its negative values to 0.", params)
      : t("{filters} filter of {size} weights (times {channels} input maps) slide over the input; each filter makes one feature map.", params);
  }
  if (channels === 1) {
    return relu
      ? t("{filters} filters of {size} weights (times {channels} input map) slide over the input; each filter makes one feature map, and ReLU sets its negative values to 0.", params)
      : t("{filters} filters of {size} weights (times {channels} input map) slide over the input; each filter makes one feature map.", params);
  }
  return relu
    ? t("{filters} filters of {size} weights (times {channels} input maps) slide over the input; each filter makes one feature map, and ReLU sets its negative values to 0.", params)
    : t("{filters} filters of {size} weights (times {channels} input maps) slide over the input; each filter makes one feature map.", params);
}

/** A dense layer's sentence: one unit or many, softmax, ReLU or neither. */
function denseSentence({ units, softmax, relu }, params) {
  if (softmax) {
    return units === 1
      ? t("{units} unit, one per class: each adds up all {inputs} inputs times its weights, plus a bias; softmax turns the {units} sums into probabilities that add up to 1.", params)
      : t("{units} units, one per class: each adds up all {inputs} inputs times its weights, plus a bias; softmax turns the {units} sums into probabilities that add up to 1.", params);
  }
  if (units === 1) {
    return relu
      ? t("{units} unit: each adds up all {inputs} inputs times its own weights, plus a bias, and ReLU sets its negative values to 0.", params)
      : t("{units} unit: each adds up all {inputs} inputs times its own weights, plus a bias.", params);
  }
  return relu
    ? t("{units} units: each adds up all {inputs} inputs times its own weights, plus a bias, and ReLU sets its negative values to 0.", params)
    : t("{units} units: each adds up all {inputs} inputs times its own weights, plus a bias.", params);
}

/** One sentence on what a layer computes, with this model's numbers. */
export function explainLayer(row) {
  const config = row.config ?? {};
  const inputs = row.input_shape;
  const relu = row.activation === "relu";
  if (row.type === "Conv2D") {
    const size = config.kernel_size.join(" × ");
    const channels = inputs[inputs.length - 1];
    const counts = { filters: config.filters, channels, relu };
    return (
      `${convSentence(counts, { filters: config.filters, size, channels })} ` +
      t("Padding \"{padding}\".", { padding: config.padding })
    );
  }
  if (POOLING.includes(row.type)) {
    const params = {
      size: config.pool_size.join(" × "),
      shape: formatShape(row.output_shape.slice(0, 2)),
      maps: row.output_shape[2],
    };
    return row.type === "MaxPooling2D"
      ? t("Each {size} window of a map is replaced by its largest value: the maps shrink to {shape}, and there are still {maps}. No weights.", params)
      : t("Each {size} window of a map is replaced by its average: the maps shrink to {shape}, and there are still {maps}. No weights.", params);
  }
  if (row.type === "Flatten") {
    return t("The {shape} numbers are laid out in one row of {count}, so that dense layers can read them. No weights.", {
      shape: formatShape(inputs),
      count: row.output_shape[0],
    });
  }
  if (row.type === "Dense") {
    const softmax = row.activation === "softmax";
    return denseSentence({ units: config.units, softmax, relu }, { units: config.units, inputs: inputs[0] });
  }
  return OTHER_LAYERS[row.type]?.(row) ?? t("A {type} layer.", { type: row.type });
}

const OTHER_LAYERS = {
  GlobalAveragePooling2D: (row) =>
    t("Each of the {maps} maps becomes one number, its average. No weights.", { maps: row.input_shape[row.input_shape.length - 1] }),
  GlobalMaxPooling2D: (row) =>
    t("Each of the {maps} maps becomes one number, its largest value. No weights.", { maps: row.input_shape[row.input_shape.length - 1] }),
  Dropout: () => t("Used only in training (it drops random values then); here every value passes through unchanged."),
  BatchNormalization: () =>
    t("Each channel is shifted and scaled with the mean and spread it had in training, then by two learned numbers."),
  Rescaling: () => t("Every input number is multiplied by one constant and shifted by another. No weights."),
  ReLU: () => t("Negative values become 0; the rest pass through. No weights."),
  Activation: (row) =>
    row.activation != null
      ? t("The {name} function is applied to each value. No weights.", { name: row.activation })
      : t("The activation function is applied to each value. No weights."),
};

export function readoutLine(layer) {
  return el("p", {
    class: "readout",
    dataset: { role: "readout", layer },
    text: t("Point at a picture to read its values."),
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
    el("span", { class: "layer-shape", title: t("output shape"), text: formatShape(row.output_shape) }),
    el("span", { class: "layer-params", text: t("{count} parameters", { count: formatCount(row.params) }) }),
    ...extraHead,
  ]);
  return el("section", { class: "layer", dataset: { layer: row.name }, "aria-label": t("Layer {name}", { name: row.name }) }, [
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
    renderLegend(holder, scaleFromApi(layer.scale), t("Value colour, one scale for the whole layer"));
    return;
  }
  const signed = layer.scale.colormap === "diverging";
  renderLegend(holder, scales.perMap[0], t("Value colour, one scale per map"));
  const words = signed
    ? t("Each map has its own scale centred on zero: blue below zero, red above, its strongest value the strongest colour. Colours do not compare between maps.")
    : t("Each map has its own scale: white at zero, dark blue at that map's largest value. Colours do not compare between maps.");
  holder.querySelector(".legend")?.setAttribute("aria-label", words);
  const ends = signed ? [t("− its strongest"), "0", t("+ its strongest")] : ["0", t("the map's largest")];
  holder.querySelector(".legend-labels")?.replaceChildren(...ends.map((text) => el("span", { text })));
  holder.dataset.scale = "map";
}

/** "Map 3, row 2, column 5: 0.41; it depends on input rows 2–7, columns 5–10". */
function valueWords(cell, field) {
  const params = { channel: cell.channel, row: cell.row, col: cell.col, value: formatNumber(cell.value) };
  if (!field) return t("Map {channel}, row {row}, column {col}: {value}", params);
  const { top, bottom, left, right } = field.clipped;
  return t("Map {channel}, row {row}, column {col}: {value}; it depends on input rows {top}–{bottom}, columns {left}–{right}", {
    ...params,
    ...{ top, bottom, left, right },
  });
}

const mapsHeading = (count, size) =>
  count === 1
    ? t("{count} feature map, {size} each", { count, size })
    : t("{count} feature maps, {size} each", { count, size });

function mapsSection(row, layer, ctx) {
  const readout = readoutLine(row.name);
  readout.dataset.hint = t("Point at a map to read a value and see the input pixels it depends on; click a map to enlarge it and see how a value is computed.");
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
      report(readout, cell && valueWords(cell, field), cell);
    },
    onOpen: (index) => openMap(row, layer, ctx, { index, scales, filters }),
  });
  mapsLegend(legend, layer, scales);
  const blocks = [
    el("div", { class: "layer-block" }, [
      el("h4", { text: mapsHeading(layer.maps.length, formatShape(layer.shape.slice(0, 2))) }),
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
    legendCaption: scales.perMap ? t("Value colour, this map's own scale") : t("Value colour, one scale for the whole layer"),
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
  const params = { index, layer: row.name, size: row.config?.pool_size?.join(" × ") };
  if (row.type === "Conv2D") return t("What filter {index} of {layer} found in its input: big values where the input looks like the filter.", params);
  if (row.type === "MaxPooling2D") return t("Map {index} of the layer before, shrunk: each {size} window became its largest value.", params);
  if (row.type === "AveragePooling2D") return t("Map {index} of the layer before, shrunk: each {size} window became its average.", params);
  return "";
}

export function filtersBlock(row, filters, readout, ctx, onLink = null) {
  const scale = filterScale(filters);
  const holder = el("div");
  const legend = el("div");
  const [kh, kw, channels, count] = filters.kernel_shape;
  const weightWords = (cell) => {
    const params = { filter: cell.filter, channel: cell.channel, row: cell.row, col: cell.col, value: formatNumber(cell.value) };
    return cell.channel === undefined
      ? t("Filter {filter}, row {row}, column {col}: weight {value}", params)
      : t("Filter {filter}, input channel {channel}, row {row}, column {col}: weight {value}", params);
  };
  const onHover = (cell) => report(readout, cell && weightWords(cell), cell);
  let heading;
  let view;
  if (channels === 1) {
    heading =
      count === 1
        ? t("{count} filter of {kh} × {kw} weights", { count, kh, kw })
        : t("{count} filters of {kh} × {kw} weights", { count, kh, kw });
    view = renderFilterTiles(holder, {
      filters,
      scale,
      onHover,
      onLink,
      linkFor: (f) => {
        const label = t("{model} {layer} filter {index}", { model: ctx.model.name, layer: row.name, index: f });
        const matrix = roundKernel(filters.kernels[f][0]);
        return { href: kernelLabHref(matrix, label), label, matrix };
      },
    });
  } else {
    const params = { count, kh, kw, channels };
    heading =
      count === 1
        ? t("{count} filter of {kh} × {kw} × {channels} weights: each filter is a column, its {channels} kernels (one per input map) top to bottom", params)
        : t("{count} filters of {kh} × {kw} × {channels} weights: each filter is a column, its {channels} kernels (one per input map) top to bottom", params);
    view = renderFilterBank(holder, { filters, scale, onHover, onLink });
  }
  renderLegend(legend, scale, t("Weight colour"));
  const block = el("div", { class: "layer-block layer-filters" }, [el("h4", { text: heading }), holder, legend]);
  block.view = view;
  return block;
}

export function vectorSection(row, layer, ctx) {
  const readout = readoutLine(row.name);
  readout.dataset.hint = t("Point at a bar to read a unit's value.");
  readout.textContent = readout.dataset.hint;
  const scale = scaleFromApi(layer.scale);
  const bars = el("div", { class: "vector-bars" });
  ctx.afterAttach.push(() =>
    renderVectorBars(bars, {
      label: t("{layer} values", { layer: row.name }),
      values: layer.values,
      scale,
      onHover: (unit) =>
        report(readout, unit && t("Unit {unit}: {value}", { unit: unit.unit, value: formatNumber(unit.value) }), unit),
    }),
  );
  const legend = el("div");
  renderLegend(legend, scale, t("Value colour"));
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
  createProbabilityBars(bars, { label: t("Probability of each class") }).render(
    shown.map((i) => classes[i]),
    shown.map((i) => probabilities[i]),
  );
  const more =
    classes.length > CLASSES_SHOWN
      ? el("p", { class: "note", text: t("The {shown} most probable of {count} classes.", { shown: CLASSES_SHOWN, count: formatCount(classes.length) }) })
      : null;
  const top = order.reduce((best, i) => (probabilities[i] > probabilities[best] ? i : best), 0);
  readout.textContent = t("The network's answer: {label} ({percent}).", {
    label: activations.label,
    percent: formatPercent(probabilities[top]),
  });
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
