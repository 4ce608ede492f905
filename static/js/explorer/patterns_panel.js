// "What each unit looks for": for one convolution or dense layer, the input each of its units
// responds to most (GET /api/models/{id}/patterns), a page of units at a time; a unit clicked
// shows its pattern beside what it made of the current input and, for digit models, the shipped
// digits that excite it most. Answers are kept per (model, layer, page): gradient ascent is slow.
import { getLayerActivations, getPatterns } from "../api.js";
import { el, isAbort, latestOnly } from "../dom.js";
import { formatNumber, formatShape } from "../format.js";

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

function unitCard(pattern, kind, onOpen) {
  const what = kind === "maps" ? "Filter" : "Unit";
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
      el("img", { class: "pattern-image", src: png(pattern.image), alt: `The input ${what.toLowerCase()} ${pattern.unit} responds to most` }),
      el("span", { class: "pattern-unit", text: `${what} ${pattern.unit}` }),
      el("span", { class: "pattern-activation", text: formatNumber(pattern.activation) }),
    ],
  );
}

function topDigits(pattern, dataset) {
  if (!pattern.top_images?.length) return null;
  return el("div", { class: "pattern-top", dataset: { role: "top-images" } }, [
    el("h4", { text: "The shipped digits that excite it most" }),
    el(
      "ul",
      { class: "pattern-top-list" },
      pattern.top_images.map((image) =>
        el("li", {}, [
          el("img", { src: image.url, alt: `A ${image.label} from the test set`, width: 28, height: 28 }),
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
  const previous = el("button", { type: "button", class: "button button-quiet", text: "Previous", dataset: { role: "previous" } });
  const next = el("button", { type: "button", class: "button button-quiet", text: "Next", dataset: { role: "next" } });
  const pageLabel = el("span", { class: "patterns-page", "aria-live": "polite" });
  const message = el("p", { class: "patterns-message", role: "status", "aria-live": "polite" });
  const grid = el("div", { class: "pattern-grid", dataset: { role: "pattern-grid" } });
  const unitView = el("div", { class: "pattern-detail", dataset: { role: "unit-detail" }, hidden: true });
  root.replaceChildren(
    el("div", { class: "field-row patterns-controls" }, [
      el("div", { class: "field" }, [el("label", { for: layerSelect.id, text: "Layer" }), layerSelect]),
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
  const start = el("button", { type: "button", class: "button", text: "Find the patterns", dataset: { role: "find" } });
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
    pageLabel.textContent = `Units ${first}–${last} of ${unitCount(state.row)}`;
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
      setStatus("idle", `${detail.name} is big: finding what its units look for takes a while, so it waits for the button.`);
      return;
    }
    const signal = pageJob.start();
    setStatus("busy", `Finding what units ${pageUnits(row, page).join("–")} of ${row.name} look for (gradient ascent: a few seconds)…`);
    try {
      const answer = await load(detail.id, row, page);
      if (signal.aborted) return;
      state.answer = answer;
      grid.replaceChildren(...answer.patterns.map((pattern) => unitCard(pattern, answer.kind, openUnit)));
      Object.assign(root.dataset, { layer: row.name, page: String(page), renders: String(Number(root.dataset.renders ?? 0) + 1) });
      setStatus(
        "ready",
        `Each picture is the input that ${row.name}'s ${answer.kind === "maps" ? "filter" : "unit"} responds to most, ` +
          "found by gradient ascent from noise; the number is its activation for that picture. Click one to compare it with your input.",
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
    const what = answer.kind === "maps" ? "Filter" : "Unit";
    const current = el("figure", { class: "pattern-figure", dataset: { role: "unit-map" } }, [
      el("p", { class: "note", text: image ? "Loading what it makes of your input…" : "Pick an input to see what it makes of it." }),
    ]);
    unitView.hidden = false;
    unitView.dataset.unit = String(pattern.unit);
    unitView.replaceChildren(
      el("h3", { text: `${what} ${pattern.unit} of ${row.name}` }),
      el("div", { class: "pattern-pair" }, [
        el("figure", { class: "pattern-figure", dataset: { role: "unit-pattern" } }, [
          el("img", { class: "pattern-large", src: png(pattern.image), alt: `The input ${what.toLowerCase()} ${pattern.unit} responds to most` }),
          el("figcaption", {
            text: `What it looks for: activation ${formatNumber(pattern.activation)} (from ${formatNumber(pattern.start_activation)} for the noise it started from)`,
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
        ...rows.map((row) => el("option", { value: row.name, text: `${row.name} (${row.type}, ${unitCount(row)} units)` })),
      );
      if (!rows.length) {
        state.row = null;
        pageJob.abort();
        root.dataset.layer = "";
        setStatus("idle", `${detail.name} has no convolution or dense layers whose units could be shown.`);
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
      el("img", { class: "pattern-large pattern-map", src: png(layer.tiles[0]), alt: `Feature map ${unit} of ${row.name} for your input` }),
      el("figcaption", {
        text: `What it found in your input: its ${formatShape(layer.shape.slice(0, 2))} feature map, coloured as in the network above.`,
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
      text: `For your input it gives ${formatNumber(value)} (the layer's values run from ${formatNumber(low)} to ${formatNumber(high)}).`,
    }),
  ];
}
