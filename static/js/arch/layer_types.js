// The layer types the editor offers, each with its Keras settings: how each one is shown, read
// back from what the learner typed, and what a new layer of that type starts with.

export const ACTIVATIONS = [
  "relu", "sigmoid", "tanh", "softmax", "linear", "relu6", "leaky_relu", "elu", "selu", "gelu",
  "silu", "swish", "mish", "hard_sigmoid", "log_softmax", "softplus", "softsign", "exponential",
];

const windowField = (key, label, max = 256) => ({ key, label, kind: "pair", min: 1, max });
const padding = { key: "padding", label: "Padding", kind: "choice", options: ["valid", "same"] };
const activation = { key: "activation", label: "Activation", kind: "activation" };
const useBias = { key: "use_bias", label: "Bias", kind: "bool" };
const poolStrides = { ...windowField("strides", "Strides"), optional: "= pool" };

/** type -> {about, fields: [{key, label, kind, ...}], create(context) -> a new layer}. */
export const LAYER_TYPES = {
  Conv2D: {
    about: "filters slide over the input",
    fields: [
      { key: "filters", label: "Filters", kind: "int", min: 1, max: 65536 },
      windowField("kernel_size", "Kernel"),
      windowField("strides", "Strides"),
      padding,
      activation,
      useBias,
    ],
    create: () => ({ type: "Conv2D", filters: 8, kernel_size: 3, strides: 1, padding: "valid",
      activation: "relu", use_bias: true }),
  },
  DepthwiseConv2D: {
    about: "one filter per input channel",
    fields: [
      windowField("kernel_size", "Kernel"),
      windowField("strides", "Strides"),
      padding,
      { key: "depth_multiplier", label: "Depth multiplier", kind: "int", min: 1, max: 256 },
      activation,
      useBias,
    ],
    create: () => ({ type: "DepthwiseConv2D", kernel_size: 3, strides: 1, padding: "same",
      depth_multiplier: 1, activation: null, use_bias: true }),
  },
  MaxPooling2D: {
    about: "keeps the largest value of each window",
    fields: [windowField("pool_size", "Pool size"), poolStrides, padding],
    create: () => ({ type: "MaxPooling2D", pool_size: 2, strides: null, padding: "valid" }),
  },
  AveragePooling2D: {
    about: "averages each window",
    fields: [windowField("pool_size", "Pool size"), poolStrides, padding],
    create: () => ({ type: "AveragePooling2D", pool_size: 2, strides: null, padding: "valid" }),
  },
  GlobalAveragePooling2D: {
    about: "one average per channel",
    fields: [{ key: "keepdims", label: "Keep 1×1", kind: "bool" }],
    create: () => ({ type: "GlobalAveragePooling2D", keepdims: false }),
  },
  GlobalMaxPooling2D: {
    about: "one maximum per channel",
    fields: [{ key: "keepdims", label: "Keep 1×1", kind: "bool" }],
    create: () => ({ type: "GlobalMaxPooling2D", keepdims: false }),
  },
  ZeroPadding2D: {
    about: "adds rows and columns of zeros",
    fields: [{ key: "padding", label: "Zeros", kind: "zeros", max: 512 }],
    create: () => ({ type: "ZeroPadding2D", padding: 1 }),
  },
  Flatten: {
    about: "lays the values out in one vector",
    fields: [],
    create: () => ({ type: "Flatten" }),
  },
  Dense: {
    about: "every input wired to every unit (on the last axis)",
    fields: [
      { key: "units", label: "Units", kind: "int", min: 1, max: 65536 },
      activation,
      useBias,
    ],
    create: () => ({ type: "Dense", units: 10, activation: null, use_bias: true }),
  },
  Dropout: {
    about: "zeroes a fraction of values while training",
    fields: [{ key: "rate", label: "Rate", kind: "float", min: 0, max: 1, step: 0.05 }],
    create: () => ({ type: "Dropout", rate: 0.5 }),
  },
  BatchNormalization: {
    about: "normalises each channel",
    fields: [
      { key: "scale", label: "Scale (γ)", kind: "bool" },
      { key: "center", label: "Center (β)", kind: "bool" },
    ],
    create: () => ({ type: "BatchNormalization", center: true, scale: true }),
  },
  Activation: {
    about: "a function applied to each value",
    fields: [{ ...activation, required: true }],
    create: () => ({ type: "Activation", activation: "relu" }),
  },
  Add: {
    about: "sums branches of equal shape (a residual block)",
    fields: [],
    branches: true,
    create: ({ channels }) => ({
      type: "Add",
      branches: [
        [{ type: "Conv2D", filters: channels, kernel_size: 3, strides: 1, padding: "same",
          activation: null, use_bias: true }],
        [],
      ],
    }),
  },
  Concatenate: {
    about: "stacks branches along the channels (an inception module)",
    fields: [],
    branches: true,
    create: () => ({
      type: "Concatenate",
      branches: [
        [{ type: "Conv2D", filters: 8, kernel_size: 1, strides: 1, padding: "same",
          activation: "relu", use_bias: true }],
        [{ type: "MaxPooling2D", pool_size: 3, strides: 1, padding: "same" }],
      ],
    }),
  },
};

/** How a setting is shown in its text box: [3, 5] -> "3, 5"; [[1, 2], [3, 4]] -> "1, 2, 3, 4". */
export function showValue(field, value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.flat().join(", ");
  return String(value);
}

function wholeNumbers(text) {
  const parts = text.split(/[\s,x×]+/).filter(Boolean);
  return parts.every((part) => /^\d+$/.test(part)) ? parts.map(Number) : null;
}

/**
 * Read a typed setting back: {value} or {error} saying what is expected. Out-of-range numbers
 * are passed on, so that the server's message names them; only what is not a number stops here.
 */
export function readValue(field, text) {
  const trimmed = text.trim();
  if (field.kind === "int") {
    return /^\d+$/.test(trimmed)
      ? { value: Number(trimmed) }
      : { error: `${field.label} must be a whole number from ${field.min} to ${field.max}.` };
  }
  if (field.kind === "float") {
    const value = Number(trimmed);
    return trimmed !== "" && Number.isFinite(value)
      ? { value }
      : { error: `${field.label} must be a number from ${field.min} to ${field.max}.` };
  }
  if (field.kind === "pair") {
    if (trimmed === "" && field.optional) return { value: null };
    const numbers = wholeNumbers(trimmed);
    if (numbers && numbers.length === 1) return { value: numbers[0] };
    if (numbers && numbers.length === 2) return { value: numbers };
    return { error: `${field.label}: type one whole number, or two (rows, cols) like "3, 5".` };
  }
  if (field.kind === "zeros") {
    const numbers = wholeNumbers(trimmed);
    if (numbers && numbers.length === 1) return { value: numbers[0] };
    if (numbers && numbers.length === 2) return { value: numbers };
    if (numbers && numbers.length === 4) return { value: [numbers.slice(0, 2), numbers.slice(2)] };
    return {
      error: `${field.label}: type n, "rows, cols" or "top, bottom, left, right" (whole numbers).`,
    };
  }
  return { value: trimmed };
}
