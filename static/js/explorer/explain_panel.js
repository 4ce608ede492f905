// "Why this answer?": the Explorer's current prediction explained for its model and input, from
// POST /api/models/{id}/explain as PNGs: the input, the heatmap with its legend, and the heatmap
// laid over the input, with one sentence on what the colours mean for the chosen method.
import { explainPrediction } from "../api.js";
import { EXPLAIN } from "../config.js";
import { el, isAbort, latestOnly } from "../dom.js";
import { formatFixed, formatNumber, formatPercent, formatShape } from "../format.js";
import { t } from "../i18n/index.js";
import { scaleFromApi } from "../render/colormap.js";
import { renderLegend } from "../render/legend.js";

// The methods' names as shown (the keys are the API's).
const METHODS = {
  gradcam: () => "Grad-CAM",
  "gradcam++": () => "Grad-CAM++",
  saliency: () => t("Saliency"),
  smoothgrad: () => "SmoothGrad",
  integrated_gradients: () => t("Integrated gradients"),
  occlusion: () => t("Occlusion"),
};
// The options each method takes (the server refuses any other): the fields shown for it.
const METHOD_OPTIONS = {
  gradcam: ["layer"],
  "gradcam++": ["layer"],
  saliency: [],
  smoothgrad: ["samples", "noise"],
  integrated_gradients: ["steps", "baseline"],
  occlusion: ["patch", "stride"],
};
const LAYER_METHODS = ["gradcam", "gradcam++"];

// Gradients can be tiny: below 0.01, two significant digits rather than three decimals ("0").
const formatValue = (v) => (v !== 0 && Math.abs(v) < 0.01 ? v.toPrecision(2) : formatNumber(v));

/** Layers whose output is feature maps (height x width x channels): the ones Grad-CAM weighs. */
export const spatialLayers = (detail) => detail.summary.filter((row) => row.output_shape.length === 3);

// One sentence per method: what a coloured pixel means, in the colours the scale uses (`high`
// begins the sentence, `highInside` is the same colour inside one, `low` the other end).
const MEANINGS = {
  gradcam: (answer, params) =>
    t(
      "{high}: where the feature maps of layer {layer} pushed the score for “{class}” up " +
        "(each map weighed by how fast the score grows with it); white: where they did not push it up.",
      { ...params, layer: answer.details.layer },
    ),
  "gradcam++": (answer, params) =>
    t(
      "{high}: where the feature maps of layer {layer} pushed the score for “{class}” up, " +
        "with Grad-CAM++'s weights, which give small parts of the picture their share too; white: nowhere.",
      { ...params, layer: answer.details.layer },
    ),
  saliency: (answer, params) =>
    t(
      "{high}: the pixels where a small change would change the score for “{class}” the most, up or " +
        "down; white: pixels the score hardly notices.",
      params,
    ),
  smoothgrad: (answer, params) =>
    t(
      "Saliency averaged over {samples} copies of the input with noise added: {highInside} " +
        "where a small change moves the score for “{class}” the most, with less speckle than one gradient.",
      { ...params, samples: answer.details.samples },
    ),
  integrated_gradients: (answer, params) => {
    const baseline = answer.details.baseline;
    if (baseline === "black") {
      return t(
        "{high}: pixels that raise the score for “{class}”, compared with a black picture; " +
          "{low}: pixels that lower it. Together they add up to the change in the score (checked below).",
        params,
      );
    }
    if (baseline === "blurred") {
      return t(
        "{high}: pixels that raise the score for “{class}”, compared with a blurred picture; " +
          "{low}: pixels that lower it. Together they add up to the change in the score (checked below).",
        params,
      );
    }
    return t(
      "{high}: pixels that raise the score for “{class}”, compared with a {baseline} picture; " +
        "{low}: pixels that lower it. Together they add up to the change in the score (checked below).",
      { ...params, baseline },
    );
  },
  occlusion: (answer, params) =>
    t(
      "{high}: where covering a {side} × {side} patch makes “{class}” less probable (the darkest: " +
        "{points} percentage points less); {low}: where " +
        "covering it makes “{class}” more probable.",
      { ...params, side: answer.details.patch, points: formatFixed(100 * answer.map.value_range[1], 1) },
    ),
};

function meaning(answer) {
  const diverging = answer.heatmap.scale.colormap === "diverging";
  const colours = diverging
    ? { high: t("Red"), highInside: t("red"), low: t("blue") }
    : { high: t("Dark blue"), highInside: t("dark blue"), low: t("white") };
  const text = MEANINGS[answer.method](answer, { ...colours, class: answer.class_name });
  const flat = answer.map.value_range[0] === 0 && answer.map.value_range[1] === 0;
  return flat ? `${text} ${t("Here the map is 0 everywhere: nothing in this picture does that.")}` : text;
}

/** The score of the picture integrated gradients start from, in words. */
function baselineScore(baseline) {
  if (baseline === "black") return t("Score of the black picture");
  if (baseline === "blurred") return t("Score of the blurred picture");
  return t("Score of the {baseline} picture", { baseline });
}

function completeness(details) {
  const check = details.completeness;
  if (!check) return null;
  const off = check.relative_difference === null ? "" : ` (${formatPercent(Math.abs(check.relative_difference), 2)})`;
  const rows = [
    [t("Sum of the attributions"), formatNumber(check.attributions_sum)],
    [baselineScore(details.baseline), formatNumber(check.score_at_baseline)],
    [t("Score of this input"), formatNumber(check.score_at_input)],
    [t("Score difference"), formatNumber(check.score_difference)],
    [t("Sum minus difference"), `${formatNumber(check.difference)}${off}`],
  ];
  return el("div", { class: "explain-check", dataset: { role: "completeness" } }, [
    el("p", {
      text: t(
        "Completeness check: the attributions should add up to the score difference. With {steps} " +
          "steps on the path they are this close; more steps bring them closer.",
        { steps: details.steps },
      ),
    }),
    el("dl", {}, rows.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", { text: value })])),
  ]);
}

function picture(png, alt, role, side) {
  const shrunk = side > EXPLAIN.picturePx ? " is-shrunk" : "";
  return el("img", { class: `explain-image${shrunk}`, src: `data:image/png;base64,${png}`, alt, dataset: { role } });
}

/** The heatmap laid over the input in the browser, its opacity set by a slider (0..100). */
function blendFigure(answer, side, opacity) {
  const heatmap = picture(answer.heatmap.png, "", "blend-heatmap", side);
  heatmap.style.opacity = String(opacity.value / 100);
  const slider = el("input", { type: "range", id: "explain-opacity", min: 0, max: 100, step: 5, value: opacity.value });
  slider.addEventListener("input", () => {
    opacity.value = Number(slider.value);
    heatmap.style.opacity = String(opacity.value / 100);
  });
  return [
    el("figure", { class: "explain-figure" }, [
      el("div", { class: "explain-blend", dataset: { role: "blend" } }, [
        picture(answer.input_picture, t("The heatmap blended over the input"), "blend-input", side),
        heatmap,
      ]),
      el("figcaption", { text: t("Blended over the input") }),
    ]),
    el("div", { class: "explain-opacity" }, [el("label", { for: slider.id, text: t("Heatmap opacity") }), slider]),
  ];
}

function results(answer, shape, opacity) {
  const side = Math.max(shape[0], shape[1]);
  const blend = opacity ? blendFigure(answer, side, opacity) : null;
  const figures = [
    [answer.input_picture, t("The input"), t("The {shape} input the network read", { shape: formatShape(shape) }), "input"],
    [answer.heatmap.png, t("Heatmap"), t("Heatmap of {method} for “{class}”", { method: METHODS[answer.method](), class: answer.class_name }), "heatmap"],
    blend ? null : [answer.overlay, t("Over the input"), t("The heatmap laid over the input"), "overlay"],
  ]
    .filter(Boolean)
    .map(([png, caption, alt, role]) =>
      el("figure", { class: "explain-figure" }, [picture(png, alt, role, side), el("figcaption", { text: caption })]),
    );
  if (blend) figures.push(blend[0]);
  const legend = el("div");
  renderLegend(legend, scaleFromApi(answer.heatmap.scale), t("Heatmap colour"));
  const [low, high] = answer.map.value_range;
  const summary = t("{method} for “{class}” (class {index}); the network's answer is “{label}” ({percent}).", {
    method: METHODS[answer.method](),
    class: answer.class_name,
    index: answer.class_index,
    label: answer.label,
    percent: formatPercent(answer.confidence),
  });
  const score =
    answer.score === null ? "" : ` ${t("Its score before the softmax: {score}.", { score: formatNumber(answer.score) })}`;
  return [
    el("p", { class: "explain-summary", text: `${summary}${score}` }),
    el("div", { class: "explain-figures" }, figures),
    blend?.[1],
    legend,
    el("p", {
      class: "note explain-range",
      text: t("This map's values run from {low} to {high}.", { low: formatValue(low), high: formatValue(high) }),
    }),
    el("p", { class: "explain-meaning", dataset: { role: "meaning" }, text: meaning(answer) }),
    completeness(answer.details),
  ].filter(Boolean);
}

function field(label, control, option) {
  const id = `explain-${option ?? control.name}`;
  control.id = id;
  return el("div", { class: "field", dataset: option ? { option } : {} }, [el("label", { for: id, text: label }), control]);
}

const numberInput = (name, { min, max, step = 1, value = "" }) =>
  el("input", { type: "number", name, min, max, step, value, inputmode: step === 1 ? "numeric" : "decimal" });

function buildControls() {
  const method = el("select", { name: "method" }, Object.entries(METHODS).map(([value, name]) => el("option", { value, text: name() })));
  const controls = {
    method,
    classIndex: el("select", { name: "class_index" }),
    layer: el("select", { name: "layer" }),
    samples: numberInput("samples", { min: 1, max: EXPLAIN.maxSamples, value: EXPLAIN.samples }),
    noise: numberInput("noise", { min: 0, max: 1, step: 0.05, value: EXPLAIN.noise }),
    steps: numberInput("steps", { min: 1, max: EXPLAIN.maxSteps, value: EXPLAIN.steps }),
    baseline: el("select", { name: "baseline" }, [
      el("option", { value: "black", text: t("black picture") }),
      el("option", { value: "blurred", text: t("blurred input") }),
    ]),
    patch: numberInput("patch", { min: 1 }),
    stride: numberInput("stride", { min: 1 }),
  };
  controls.patch.placeholder = controls.stride.placeholder = t("auto");
  return controls;
}

/**
 * createExplainPanel(root, {blend}) -> {follow({detail, image, answer, auto}), clear(note)}.
 * follow() shows the controls for the model and, when `auto`, explains the new answer at once
 * (else on the button); clear() empties the panel when there is no answer to explain. With
 * `blend` the third picture is the heatmap over the input drawn here, with an opacity slider,
 * instead of the server's fixed overlay.
 */
export function createExplainPanel(root, { blend = false, initial = {}, onChange = () => {} } = {}) {
  const controls = buildControls();
  const button = el("button", { type: "submit", class: "button", text: t("Explain"), disabled: true });
  const message = el("p", { class: "explain-message", role: "status", "aria-live": "polite" });
  const output = el("div", { class: "explain-output", dataset: { role: "explain-output" } });
  const form = el("form", { class: "explain-controls", novalidate: true }, [
    el("div", { class: "field-row" }, [
      field(t("Method"), controls.method),
      field(t("Class to explain"), controls.classIndex),
      field(t("Layer"), controls.layer, "layer"),
      field(t("Noisy copies"), controls.samples, "samples"),
      field(t("Noise (0–1)"), controls.noise, "noise"),
      field(t("Steps"), controls.steps, "steps"),
      field(t("Start from"), controls.baseline, "baseline"),
      field(t("Patch side"), controls.patch, "patch"),
      field(t("Stride"), controls.stride, "stride"),
    ]),
    el("div", { class: "button-row" }, [button]),
  ]);
  root.replaceChildren(form, message, output);
  const job = latestOnly();
  // initial: {method, classIndex} from a shared link, used for the first model that has them.
  const state = { detail: null, image: null, auto: false, renders: 0, methodChosen: false, initial };
  const opacity = blend ? { value: 60 } : null; // kept from one explanation to the next
  const setStatus = (status) => {
    root.dataset.status = status;
    root.setAttribute("aria-busy", String(status === "busy"));
  };
  setStatus("idle");

  const showOptions = () => {
    const shown = METHOD_OPTIONS[controls.method.value];
    for (const holder of form.querySelectorAll("[data-option]")) holder.hidden = !shown.includes(holder.dataset.option);
  };

  showOptions(); // only the default method's settings, before any model is in use

  function useModel(detail) {
    const layers = spatialLayers(detail);
    controls.layer.replaceChildren(
      ...layers.map((row) => el("option", { value: row.name, text: `${row.name} (${formatShape(row.output_shape)})` })),
    );
    if (layers.length) controls.layer.value = layers[layers.length - 1].name;
    for (const option of controls.method.options) {
      option.disabled = LAYER_METHODS.includes(option.value) && !layers.length;
    }
    const wanted = [...controls.method.options].find((o) => o.value === state.initial.method && !o.disabled);
    if (wanted) {
      controls.method.value = wanted.value;
      state.methodChosen = true;
    }
    // Grad-CAM by default; a model without feature maps has nothing for it to weigh.
    if (controls.method.selectedOptions[0]?.disabled || !state.methodChosen) {
      controls.method.value = layers.length ? "gradcam" : "saliency";
    }
    controls.classIndex.replaceChildren(
      el("option", { value: "" }),
      ...detail.classes.map((name, i) => el("option", { value: String(i), text: name })),
    );
    // A shared link's class, if it names one of this model's; else the network's own answer.
    const linked = state.initial.classIndex;
    const known = linked != null && linked !== "" && Number(linked) < detail.classes.length;
    controls.classIndex.value = known ? String(linked) : "";
    state.initial = {}; // a shared link's choice, once
    const side = Math.min(detail.input_shape[0], detail.input_shape[1]);
    controls.patch.max = controls.stride.max = String(side);
    controls.patch.value = controls.stride.value = "";
    showOptions();
  }

  function fields() {
    const method = controls.method.value;
    const options = { method };
    if (controls.classIndex.value !== "") options.class_index = controls.classIndex.value;
    for (const name of METHOD_OPTIONS[method]) {
      const value = controls[name].value.trim();
      if (value !== "") options[name] = value;
    }
    return options;
  }

  async function explain() {
    if (!state.detail || !state.image) return;
    const { detail, image } = state;
    const asked = { ...fields(), ...state.inputFields };
    // Enter in a number field both changes it and submits the form: one request for the two.
    const key = JSON.stringify([detail.id, asked]);
    if (state.pending?.key === key && state.pending.image === image) return;
    const signal = job.start();
    state.pending = { key, image, signal };
    setStatus("busy");
    message.textContent = t("Explaining with {method}…", { method: METHODS[controls.method.value]() });
    delete message.dataset.state;
    try {
      const answer = await explainPrediction(detail.id, image, asked, signal);
      if (signal.aborted) return;
      output.replaceChildren(...results(answer, detail.input_shape, opacity));
      if (answer.method === "occlusion") {
        // Left empty, they take the server's choice: shown greyed, as what empty means.
        controls.patch.placeholder = String(answer.details.patch);
        controls.stride.placeholder = String(answer.details.stride);
      }
      message.textContent = "";
      Object.assign(root.dataset, { method: answer.method, classIndex: answer.class_index, renders: ++state.renders });
      setStatus("ready");
    } catch (error) {
      if (isAbort(error) || signal.aborted) return;
      output.replaceChildren();
      message.textContent = error.message; // the server's own sentence: what, why, what to do
      message.dataset.state = "error";
      setStatus("error");
    } finally {
      if (state.pending?.signal === signal) state.pending = null;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    explain();
  });
  form.addEventListener("change", (event) => {
    if (event.target === controls.method) {
      state.methodChosen = true; // kept from model to model, where the model has it
      showOptions();
    }
    onChange({ method: controls.method.value, classIndex: controls.classIndex.value });
    if (state.auto) explain();
    else if (state.image) message.textContent = t("Settings changed: press “Explain” to see them.");
  });

  return {
    /** inputFields: how the page prepared the image (the Draw page's digit switches), sent along. */
    follow({ detail, image, answer, auto, inputFields = {} }) {
      if (state.detail?.id !== detail.id) useModel(detail);
      state.detail = detail;
      state.image = image;
      state.auto = auto;
      state.inputFields = inputFields;
      controls.classIndex.options[0].textContent = t("The network's answer ({label})", { label: answer.label });
      button.disabled = false;
      if (auto) {
        explain();
        return;
      }
      // Big models: every explanation costs many passes, so it waits for the button.
      job.abort();
      state.pending = null;
      output.replaceChildren();
      delete message.dataset.state;
      message.textContent = t("{model} is big: press “Explain” to see why it answered “{label}”.", { model: detail.name, label: answer.label });
      setStatus("idle");
    },
    clear(note = "") {
      job.abort();
      state.pending = null;
      state.image = null;
      button.disabled = true;
      output.replaceChildren();
      delete message.dataset.state;
      message.textContent = note;
      setStatus("idle");
    },
  };
}
