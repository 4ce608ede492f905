// Big networks, layer by layer: a card per layer straight away, each layer's activations fetched
// (as PNG tiles, a page of channels at a time) only when its card scrolls into view, so the first
// layer shows while later ones have not been asked for. The input and the answer come from
// predict; the server keeps the forward pass, so each later layer costs little.
import { getFilters, getLayerActivations } from "../api.js";
import { EXPLORER } from "../config.js";
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
import { formatCount, formatShape } from "../format.js";
import { scaleFromApi } from "../render/colormap.js";
import { cellPx, markTiles, watchCells } from "../render/feature_maps.js";
import { renderLegend } from "../render/legend.js";
import { inputSection } from "./input_view.js";
import { placeField } from "./map_detail.js";
import { filtersBlock, outputSection, readoutLine, report, section, vectorSection } from "./network_view.js";
import { fieldOf } from "./receptive_field.js";

export const CHANNELS_PER_PAGE = EXPLORER.channelsPerPage;
const TILE_PX = EXPLORER.lazyTilePx;
const PREFETCH_MARGIN = EXPLORER.prefetchMargin;

const product = (shape) => shape.reduce((a, b) => a * b, 1);

/** All activation values of one forward pass, from the summary's output shapes. */
export const activationValues = (detail) => detail.summary.reduce((n, row) => n + product(row.output_shape), 0);

export const isBig = (detail) => activationValues(detail) > EXPLORER.lazyValues;

/** Run tasks one after another: the first layer's pass is then not computed twice at once. */
function serialQueue() {
  let tail = Promise.resolve();
  return (task) => {
    const result = tail.then(task);
    tail = result.catch(() => {});
    return result;
  };
}

function placeholder(text) {
  return el("div", { class: "lazy-body", dataset: { role: "lazy-body" } }, [el("p", { class: "note", text })]);
}

function failed(body, error, retry) {
  body.replaceChildren(
    el("p", { class: "lazy-error", text: t("This layer could not be loaded: {reason}", { reason: error.message }) }),
    el("button", { type: "button", class: "button button-quiet", text: t("Try again"), onclick: retry }),
  );
}

/** One PNG tile per channel; small maps scaled up without smoothing, big ones shrunk to fit. */
function pngTiles(layer, first, onHover, onLink) {
  const [rows, cols] = layer.shape;
  const side = Math.max(rows, cols);
  const width = side >= TILE_PX ? Math.round((TILE_PX * cols) / side) : cols * cellPx(side, TILE_PX);
  const smooth = side > TILE_PX ? " is-shrunk" : "";
  return layer.tiles.map((tile, i) => {
    const channel = first + i;
    const image = el("img", {
      class: `map-canvas map-image${smooth}`,
      src: `data:image/png;base64,${tile}`,
      alt: t("{layer} map {channel}", { layer: layer.name, channel }),
      style: `width: ${width}px; aspect-ratio: ${cols} / ${rows}`,
    });
    watchCells(image, rows, cols, (pos) => onHover(pos && { channel, row: pos[0], col: pos[1] }));
    return el("figure", {
      class: "map-tile is-png",
      dataset: { channel },
      onpointerenter: () => onLink(channel),
      onpointerleave: () => onLink(null),
    }, [
      image,
      el("figcaption", { class: "map-index", "aria-hidden": "true", text: channel }),
    ]);
  });
}

/** "Map 3, row 2, column 5; it depends on input rows 2–7, columns 5–10" (PNG tiles: no value). */
function cellWords(cell, field) {
  const params = { channel: cell.channel, row: cell.row, col: cell.col };
  if (!field) return t("Map {channel}, row {row}, column {col}", params);
  return t("Map {channel}, row {row}, column {col}; it depends on input rows {top}–{bottom}, columns {left}–{right}", {
    ...params,
    ...field.clipped,
  });
}

// A feature-map layer: the first page of channels, then more on request, then its filters.
function mapsCard(row, ctx) {
  const readout = readoutLine(row.name);
  readout.dataset.hint = t("Point at a map to find a cell; the colours follow the legend.");
  readout.textContent = readout.dataset.hint;
  const total = row.output_shape[2];
  const placeholderParams = { count: formatCount(total), size: formatShape(row.output_shape.slice(0, 2)) };
  const body = placeholder(t("{count} feature maps of {size}: they load when you scroll here.", placeholderParams));
  const card = section(row, readout, [body]);
  const grid = el("div", { class: "map-grid", dataset: { layer: row.name } });
  const count = el("p", { class: "note channel-count" });
  const more = el("button", { type: "button", class: "button button-quiet", dataset: { role: "more-channels" } });
  let shown = 0;
  let filterView = null;
  const onHover = (cell) => {
    const field = cell && fieldOf(ctx.detail.summary, row.name, cell.row, cell.col, ctx.detail.input_shape);
    ctx.showField(field);
    report(readout, cell && cellWords(cell, field), cell);
  };
  // A map and the filter that made it light up together.
  const onLink = (index) => {
    markTiles(grid, "is-linked", index);
    filterView?.mark("is-linked", index);
  };

  const nextPage = async () => {
    const last = Math.min(total, shown + CHANNELS_PER_PAGE) - 1;
    const layer = await ctx.fetchLayer({ layers: row.name, format: "png", channels: `${shown}-${last}` });
    if (!shown) {
      const legend = el("div");
      renderLegend(legend, scaleFromApi(layer.scale), t("Value colour"));
      const maps = el("div", { class: "layer-block" }, [
        el("h4", {
          text: t("{count} feature maps, {size} each", { count: formatCount(total), size: formatShape(layer.shape.slice(0, 2)) }),
        }),
        grid,
        el("div", { class: "button-row more-row" }, [count, more]),
        legend,
      ]);
      body.replaceChildren(el("div", { class: "layer-body is-stacked" }, [maps]));
    }
    grid.append(...pngTiles(layer, layer.channels[0], onHover, onLink));
    shown = layer.channels[1] + 1;
    count.textContent = t("Showing maps 0–{last} of {total}.", { last: shown - 1, total: formatCount(total) });
    const left = total - shown;
    more.hidden = left === 0;
    more.textContent = t("Show {count} more maps", { count: Math.min(left, CHANNELS_PER_PAGE) });
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      await nextPage();
    } catch (error) {
      ctx.onError(error);
    } finally {
      more.disabled = false;
    }
  });

  const load = async () => {
    await nextPage();
    const [kh, kw, channels] = [...(row.config.kernel_size ?? []), row.input_shape[2]];
    const weights = kh * kw * channels * (row.config.filters ?? 0);
    if (ctx.detail.filter_layers.includes(row.name) && weights && weights <= EXPLORER.filterWeightsShown) {
      const filters = await ctx.fetchFilters(row.name);
      body.firstChild.classList.remove("is-stacked");
      const block = filtersBlock(row, filters, readout, { model: ctx.detail }, onLink);
      filterView = block.view;
      body.firstChild.append(block);
    }
  };
  return { card, body, load };
}

// A vector layer (flatten, dense): all its values as bars.
function vectorCard(row, ctx) {
  const readout = readoutLine(row.name);
  const body = placeholder(t("{count} values: they load when you scroll here.", { count: formatCount(row.output_shape[0]) }));
  const card = section(row, readout, [body]);
  const load = async () => {
    const layer = await ctx.fetchLayer({ layers: row.name, format: "numbers" });
    const drawn = { afterAttach: [] };
    const full = vectorSection(row, layer, drawn);
    card.replaceWith(full);
    for (const attach of drawn.afterAttach) attach();
    return full;
  };
  return { card, body, load };
}

/**
 * renderLazyNetwork(container, {detail, image, signal, onError, onField(field | null)}) draws a
 * card per layer and loads each as it scrolls into view; onField hears the receptive field of
 * the map cell pointed at. Returns {showAnswer(prediction)}, which fills the input card and the
 * output card from a predict answer.
 */
export function renderLazyNetwork(container, { detail, image, signal, onError, onField }) {
  const queue = serialQueue();
  const fetchLayer = (fields) =>
    queue(() => getLayerActivations(detail.id, image, fields, signal)).then((answer) => answer.layers[0]);
  const ctx = {
    detail,
    onError,
    fetchLayer,
    fetchFilters: (layer) => getFilters(detail.id, layer, signal),
    showField(field) {
      const box = container.querySelector("[data-role=input-field]");
      if (box) placeField(box, field, detail.input_shape);
      onField?.(field);
    },
  };
  const inputCard = el("section", { class: "layer", dataset: { layer: "input" }, "aria-label": t("The input") }, [
    placeholder(t("The input appears with the network's answer.")),
  ]);
  const last = detail.summary[detail.summary.length - 1];
  const cards = [inputCard];
  const loaders = new Map();
  let outputCard = null;
  for (const row of detail.summary) {
    if (row === last && row.activation === "softmax") {
      outputCard = el("section", { class: "layer", dataset: { layer: row.name } }, [
        placeholder(t("The answer appears here.")),
      ]);
      cards.push(outputCard);
      continue;
    }
    const entry = row.output_shape.length === 3 ? mapsCard(row, ctx) : vectorCard(row, ctx);
    entry.card.dataset.state = "waiting";
    loaders.set(entry.card, entry);
    cards.push(entry.card);
  }
  container.replaceChildren(...cards);
  container.dataset.lazy = "true";

  const start = (entry) => {
    const { card } = entry;
    card.dataset.state = "loading";
    const note = entry.body.querySelector(".note");
    if (note) note.textContent = t("Loading this layer…");
    entry
      .load()
      .then((replacement) => {
        (replacement ?? card).dataset.state = "ready";
      })
      .catch((error) => {
        if (signal.aborted) return;
        card.dataset.state = "error";
        failed(entry.body, error, () => start(entry));
      });
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const { target, isIntersecting } of entries) {
        if (!isIntersecting || signal.aborted) continue;
        observer.unobserve(target);
        start(loaders.get(target));
      }
    },
    { rootMargin: PREFETCH_MARGIN },
  );
  // The first layer loads at once, on screen or not (on a phone the controls come first).
  const [first, ...rest] = loaders.values();
  if (first) start(first);
  for (const { card } of rest) observer.observe(card);
  signal.addEventListener("abort", () => observer.disconnect());

  return {
    showAnswer(prediction) {
      inputCard.replaceWith(inputSection(prediction, detail.input_shape, { readoutLine, report }));
      if (outputCard) outputCard.replaceWith(outputSection(last, prediction));
    },
  };
}
