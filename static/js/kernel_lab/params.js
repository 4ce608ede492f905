// Reading the stride / padding / bias and pooling controls into the objects api.js takes,
// with messages that say what is wrong and how to fix it.
import { DEFAULTS, SIZES } from "../config.js";
import { t } from "../i18n/index.js";
import { FieldError } from "../widgets/field_errors.js";

// What a field holds that is not a whole number in range, in words: one sentence per field.
const NOT_WHOLE = {
  stride: (p) => t('Stride must be a whole number from {min} to {max}; got "{text}".', p),
  padAmount: (p) => t('Zeros per side must be a whole number from {min} to {max}; got "{text}".', p),
  poolSize: (p) => t('Pool size must be a whole number from {min} to {max}; got "{text}".', p),
  poolStride: (p) => t('Pool stride must be a whole number from {min} to {max}; got "{text}".', p),
};

function wholeNumber(input, field, min, max) {
  const text = input.value.trim();
  const value = Number(text);
  if (text === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new FieldError(NOT_WHOLE[field]({ min, max, text }), input);
  }
  return value;
}

/** Call onChange whenever a control in `form` changes; show "zeros per side" when needed. */
export function watchForm(form, onChange) {
  const padding = form.querySelector("[name=padding]");
  const amount = form.querySelector("[data-role=pad-amount]");
  const sync = () => {
    if (amount) amount.hidden = padding.value !== "explicit";
  };
  sync();
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("input", () => {
    sync();
    onChange();
  });
  form.addEventListener("change", () => {
    sync();
    onChange();
  });
}

/** {kernel, strides, padding, bias} for a form holding conv_controls(). */
export function readConv(form, kernel) {
  const strides = wholeNumber(form.querySelector("[name=stride]"), "stride", 1, SIZES.strideMax);
  let padding = form.querySelector("[name=padding]").value;
  if (padding === "explicit") {
    const amount = form.querySelector("[name=pad_amount]");
    padding = wholeNumber(amount, "padAmount", 0, SIZES.paddingMax);
  }
  const biasInput = form.querySelector("[name=bias]");
  const biasText = biasInput.value.trim();
  const bias = biasText === "" ? 0 : Number(biasText);
  if (!Number.isFinite(bias) || Math.abs(bias) > 1e6) {
    const message = t('Bias must be a number between -1000000 and 1000000; got "{text}".', { text: biasText });
    throw new FieldError(message, biasInput);
  }
  return { kernel, strides, padding, bias };
}

/** {mode, size, strides, padding} for a form holding pool_controls(). */
export function readPool(form) {
  const size = wholeNumber(form.querySelector("[name=size]"), "poolSize", 1, SIZES.poolMax);
  const strideInput = form.querySelector("[name=stride]");
  const strides =
    strideInput.value.trim() === ""
      ? null
      : wholeNumber(strideInput, "poolStride", 1, SIZES.poolMax);
  return {
    mode: form.querySelector("[name=mode]").value,
    size,
    strides,
    padding: form.querySelector("[name=padding]").value,
  };
}

/** {color, mapping} from the image lab's picture options. */
export function readPictureOptions(form) {
  return {
    color: form.querySelector("[name=color]:checked")?.value ?? "rgb",
    mapping: form.querySelector("[name=mapping]:checked")?.value ?? DEFAULTS.imageMapping,
  };
}

/** Check the page's default mapping (the API's own default stays "auto"). */
export function choosePictureDefaults(form) {
  form.querySelector(`[name=mapping][value=${DEFAULTS.imageMapping}]`).checked = true;
}

/** Wire the "Pool the result" / "Stop pooling" buttons next to a pool form. */
export function poolButtons(panel, { onPool, onStop }) {
  const start = panel.querySelector("[data-action=pool]");
  const stop = panel.querySelector("[data-action=unpool]");
  start.addEventListener("click", onPool);
  stop.addEventListener("click", onStop);
  return {
    setActive(active) {
      stop.hidden = !active;
      start.textContent = active ? t("Pool again") : t("Pool the result");
    },
  };
}

/** Set conv_controls() fields from {strides?, padding?, bias?} (what a link gives). */
export function setConv(form, { strides, padding, bias }) {
  if (strides !== undefined) form.querySelector("[name=stride]").value = String(strides);
  if (typeof padding === "number") {
    form.querySelector("[name=padding]").value = "explicit";
    form.querySelector("[name=pad_amount]").value = String(padding);
  } else if (padding !== undefined) {
    form.querySelector("[name=padding]").value = padding;
  }
  form.querySelector("[data-role=pad-amount]").hidden = form.querySelector("[name=padding]").value !== "explicit";
  if (bias !== undefined) form.querySelector("[name=bias]").value = String(bias);
}

/** Set pool_controls() fields from {mode, size, strides, padding}. */
export function setPool(form, { mode, size, strides, padding }) {
  form.querySelector("[name=mode]").value = mode;
  form.querySelector("[name=size]").value = String(size);
  form.querySelector("[name=stride]").value = strides === null ? "" : String(strides);
  form.querySelector("[name=padding]").value = padding;
}

export function setRadio(form, name, value) {
  const input = form.querySelector(`[name=${name}][value=${value}]`);
  if (input) input.checked = true;
}

/**
 * [name, value] pairs of a view link for conv_controls() as the learner left them (even a value
 * that cannot be used yet), each null when it equals `defaults` {strides, padding, bias}.
 */
export function convEntries(form, defaults = { strides: 1, padding: "valid", bias: 0 }) {
  const stride = form.querySelector("[name=stride]").value.trim();
  let padding = form.querySelector("[name=padding]").value;
  if (padding === "explicit") padding = form.querySelector("[name=pad_amount]").value.trim();
  const bias = form.querySelector("[name=bias]").value.trim() || "0";
  return [
    ["stride", stride === String(defaults.strides) ? null : stride],
    ["padding", padding === String(defaults.padding) ? null : padding],
    ["bias", Number(bias) === Number(defaults.bias) ? null : bias],
  ];
}
