// "What each unit looks for": for one convolution or dense layer, the input each of its units
// responds to most (GET /api/models/{id}/patterns), a page of units at a time; a unit clicked
// shows its pattern beside what it made of the current input and, for digit models, the shipped
// digits that excite it most. Answers are kept per (model, layer, page): gradient ascent is slow.
import { getLayerActivations, getPatterns } from "../api.js";
import { el, isAbort, latestOnly } from "../dom.js";
import { formatNumber, formatShape } from "../format.js";
import { t } from "../i18n/index.js";

// The server's cap is 16 units per request (app/ml/patterns_plan.py MAX_UNITS); 8 fit a row.
const UNITS_PER_PAGE = 8;
const UNIT_LAYER_TYPES = /Conv|Dense/;

/** The layers whose units have patterns worth showing: convolutions (one per filter) and Dense. */
export const unitLayers = (detail) =>
  detail.summary.filter((row) => UNIT_LAYER_TYPES.test(row.type) && [1, 3].includes(row.output_shape.length));

const unitCount = (row) => row.output_shape[row.output_shape.length - 1];
const pageCount = (row) => Math.ceil(unitCount(row) / UNITS_PER_PAGE);
const png = (base64) => `data:image/png;base64,${base64}`;

function pageUnits(row, page) {
  const first = page * UNITS_PER_PAGE;
  return [first, Math.min(unitCount(row), first + UNITS_PER_PAGE) - 1];
}

/** Each (model, layer, page) asked for once; a failed request is forgotten so it can be retried. */
function patternCache() {
  const kept = new Map();
  return (modelId, row, page) => {
    const key = JSON.stringify([modelId, row.name, page]);
    if (!kept.has(key)) {
      const [first, last] = pageUnits(row, page);
      // Not aborted with the panel's jobs: an answer that arrives late is still kept for later.
      const request = getPatterns(modelId, { layer: row.name, units: `${first}-${last}` });
      request.catch(() => kept.delete(key));
      kept.set(key, request);
    }
    return kept.get(key);
  };
}

/** "Filter 3" for a convolution's unit, "Unit 3" for a dense layer's. */
const unitName = (kind, unit) => (kind === "maps" ? t("Filter {unit}", { unit }) : t("Unit {unit}", { unit }));

/** The alt text of a unit's pattern. */
const patternAlt = (kind, unit) =>
  kind === "maps" ? t("The input filter {unit} responds to most", { unit }) : t("The input unit {unit} responds to most", { unit });

function unitCard(pattern, kind, onOpen) {
  return el(
    "button",
    {
      type: "button",
      class: "pattern-card",
      dataset: { unit: pattern.unit },
      "aria-pressed": "false",
      onclick: () => onOpen(pattern),
    },
    [
      el("img", { class: "pattern-image", src: png(pattern.image), alt: patternAlt(kind, pattern.unit) }),
      el("span", { class: "pattern-unit", text: unitName(kind, pattern.unit) }),
      el("span", { class: "pattern-activation", text: formatNumber(pattern.activation) }),
    ],
  );
}

function topDigits(pattern, dataset) {
  if (!pattern.top_images?.length) return null;
  return el("div", { class: "pattern-top", dataset: { role: "top-images" } }, [
    el("h4", { text: t("The shipped digits that excite it most") }),
    el(
      "ul",
      { class: "pattern-top-list" },
      pattern.top_images.map((image) =>
        el("li", {}, [
          el("img", { src: image.url, alt: t("A {label} from the test set", { label: image.label }), width: 28, height: 28 }),
          el("span", { text: `${image.label}: ${formatNumber(image.activation)}` }),
        ]),
      ),
    ),
    dataset ? el("p", { class: "note", text: dataset }) : null,
  ]);
}

/**
 * createPatternsPanel(root, {onChange({layer, page})}) -> {useModel(detail, {layer, page}),
 * follow({detail, image}), clear(note)}. useModel picks the layer and page (from the URL, say);
 * follow gives the current input, for the clicked unit's feature map. onChange tells the page
 * which layer and page are shown, so it can keep them in its URL.
 */
export function createPatternsPanel(root, { onChange }) {
  const layerSelect = el("select", { id: "patterns-layer", name: "patterns_layer" });
  const previous = el("button", { type: "button", class: "button button-quiet", text: t("Previous"), dataset: { role: "previous" } });
  const next = el("button", { type: "button", class: "button button-quiet", text: t("Next"), dataset: { role: "next" } });
  const pageLabel = el("span", { class: "patterns-page", "aria-live": "polite" });
  const message = el("p", { class: "patterns-message", role: "status", "aria-live": "polite" });
  const grid = el("div", { class: "pattern-grid", dataset: { role: "pattern-grid" } });
  const unitView = el("div", { class: "pattern-detail", dataset: { role: "unit-detail" }, hidden: true });
  root.replaceChildren(
    el("div", { class: "field-row patterns-controls" }, [
      el("div", { class: "field" }, [el("label", { for: layerSelect.id, text: t("Layer") }), layerSelect]),
      el("div", { class: "button-row" }, [previous, pageLabel, next]),
    ]),
    message,
    grid,
    unitView,
  );
  const load = patternCache();
  const pageJob = latestOnly();
  const unitJob = latestOnly();
  const state = { detail: null, row: null, page: 0, image: null, answer: null, unit: null, asked: true };
  const start = el("button", { type: "button", class: "button", text: t("Find the patterns"), dataset: { role: "find" } });
  start.addEventListener("click", () => {
    state.asked = true;
    showPage();
  });

  const setStatus = (status, text = "") => {
    root.dataset.status = status;
    root.setAttribute("aria-busy", String(status === "busy"));
    message.textContent = text;
    message.dataset.state = status;
  };
  setStatus("idle");

  function syncPaging() {
    const pages = pageCount(state.row);
    const [first, last] = pageUnits(state.row, state.page);
    previous.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    pageLabel.textContent = t("Units {first}–{last} of {count}", { first, last, count: unitCount(state.row) });
  }

  async function showPage() {
    const { detail, row, page } = state;
    if (!detail || !row) return;
    syncPaging();
    onChange?.({ layer: row.name, page });
    closeUnit();
    if (!state.asked) {
      // Big models: a page of patterns is many passes through the whole network; on request.
      grid.replaceChildren(start);
      setStatus("idle", t("{model} is big: finding what its units look for takes a while, so it waits for the button.", { model: detail.name }));
      return;
    }
    const signal = pageJob.start();
    const [first, last] = pageUnits(row, page);
    setStatus("busy", t("Finding what units {first}–{last} of {layer} look for (gradient ascent: a few seconds)…", { first, last, layer: row.name }));
    try {
      const answer = await load(detail.id, row, page);
      if (signal.aborted) return;
      state.answer = answer;
      grid.replaceChildren(...answer.patterns.map((pattern) => unitCard(pattern, answer.kind, openUnit)));
      Object.assign(root.dataset, { layer: row.name, page: String(page), renders: String(Number(root.dataset.renders ?? 0) + 1) });
      setStatus(
        "ready",
        answer.kind === "maps"
          ? t(
              "Each picture is the input that {layer}'s filter responds to most, " +
                "found by gradient ascent from noise; the number is its activation for that picture. Click one to compare it with your input.",
              { layer: row.name },
            )
          : t(
              "Each picture is the input that {layer}'s unit responds to most, " +
                "found by gradient ascent from noise; the number is its activation for that picture. Click one to compare it with your input.",
              { layer: row.name },
            ),
      );
    } catch (error) {
      if (isAbort(error) || signal.aborted) return;
      grid.replaceChildren();
      setStatus("error", error.message);
    }
  }

  function closeUnit() {
    unitJob.abort();
    state.unit = null;
    unitView.hidden = true;
    unitView.replaceChildren();
    for (const card of grid.children) card.setAttribute("aria-pressed", "false");
  }

  async function openUnit(pattern) {
    state.unit = pattern;
    for (const card of grid.children) card.setAttribute("aria-pressed", String(Number(card.dataset.unit) === pattern.unit));
    const { detail, row, answer, image } = state;
    const current = el("figure", { class: "pattern-figure", dataset: { role: "unit-map" } }, [
      el("p", { class: "note", text: image ? t("Loading what it makes of your input…") : t("Pick an input to see what it makes of it.") }),
    ]);
    unitView.hidden = false;
    unitView.dataset.unit = String(pattern.unit);
    unitView.replaceChildren(
      el("h3", {
        text:
          answer.kind === "maps"
            ? t("Filter {unit} of {layer}", { unit: pattern.unit, layer: row.name })
            : t("Unit {unit} of {layer}", { unit: pattern.unit, layer: row.name }),
      }),
      el("div", { class: "pattern-pair" }, [
        el("figure", { class: "pattern-figure", dataset: { role: "unit-pattern" } }, [
          el("img", { class: "pattern-large", src: png(pattern.image), alt: patternAlt(answer.kind, pattern.unit) }),
          el("figcaption", {
            text: t("What it looks for: activation {activation} (from {start} for the noise it started from)", {
              activation: formatNumber(pattern.activation),
              start: formatNumber(pattern.start_activation),
            }),
          }),
        ]),
        current,
      ]),
      topDigits(pattern, answer.dataset),
    );
    if (!image) return;
    const signal = unitJob.start();
    try {
      const options = { layers: row.name, format: "png" };
      if (answer.kind === "maps") options.channels = String(pattern.unit);
      const activations = await getLayerActivations(detail.id, image, options, signal);
      if (signal.aborted) return;
      current.replaceChildren(...unitOnInput(activations.layers[0], pattern.unit, row));
      unitView.dataset.status = "ready";
    } catch (error) {
      if (isAbort(error) || signal.aborted) return;
      current.replaceChildren(el("p", { class: "patterns-message", dataset: { state: "error" }, text: error.message }));
    }
  }

  layerSelect.addEventListener("change", () => {
    state.row = state.detail.summary.find((row) => row.name === layerSelect.value);
    state.page = 0;
    showPage();
  });
  previous.addEventListener("click", () => {
    state.page = Math.max(0, state.page - 1);
    showPage();
  });
  next.addEventListener("click", () => {
    state.page = Math.min(pageCount(state.row) - 1, state.page + 1);
    showPage();
  });

  return {
    /** auto: find the first page's patterns at once (small models), else on the button. */
    useModel(detail, wanted = {}, { auto = true } = {}) {
      const rows = unitLayers(detail);
      if (state.detail?.id === detail.id && state.row) return;
      state.detail = detail;
      state.asked = auto;
      state.answer = null;
      grid.replaceChildren();
      closeUnit();
      layerSelect.replaceChildren(
        ...rows.map((row) =>
          el("option", { value: row.name, text: t("{layer} ({type}, {count} units)", { layer: row.name, type: row.type, count: unitCount(row) }) }),
        ),
      );
      if (!rows.length) {
        state.row = null;
        pageJob.abort();
        root.dataset.layer = "";
        setStatus("idle", t("{model} has no convolution or dense layers whose units could be shown.", { model: detail.name }));
        return;
      }
      state.row = rows.find((row) => row.name === wanted.layer) ?? rows[0];
      layerSelect.value = state.row.name;
      const page = Number.parseInt(wanted.page ?? "0", 10);
      state.page = Number.isFinite(page) ? Math.min(Math.max(0, page), pageCount(state.row) - 1) : 0;
      showPage();
    },
    follow({ image }) {
      state.image = image;
      if (state.unit) openUnit(state.unit); // the open unit, on the new input
    },
    clear() {
      state.image = null;
      if (state.unit) openUnit(state.unit);
    },
  };
}

/** What a unit made of the current input: its feature map (a tile), or its one value. */
function unitOnInput(layer, unit, row) {
  if (layer.kind === "maps") {
    return [
      el("img", {
        class: "pattern-large pattern-map",
        src: png(layer.tiles[0]),
        alt: t("Feature map {unit} of {layer} for your input", { unit, layer: row.name }),
      }),
      el("figcaption", {
        text: t("What it found in your input: its {size} feature map, coloured as in the network above.", {
          size: formatShape(layer.shape.slice(0, 2)),
        }),
      }),
    ];
  }
  const value = layer.values[unit];
  const [low, high] = layer.value_range;
  const share = high > low ? (value - low) / (high - low) : 0;
  return [
    el("div", { class: "pattern-value", dataset: { value } }, [
      el("span", { class: "pattern-value-fill", style: `width: ${Math.round(share * 100)}%` }),
    ]),
    el("figcaption", {
      text: t("For your input it gives {value} (the layer's values run from {low} to {high}).", {
        value: formatNumber(value),
        low: formatNumber(low),
        high: formatNumber(high),
      }),
    }),
  ];
}
