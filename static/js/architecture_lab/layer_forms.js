// Layers as the editor's form fields: a setting shown in its text box and read back, and a new
// layer made from the API's example. The types, their settings and bounds come from
// GET /api/architectures/layer-types (the catalogue); nothing about them is written here.
import { t } from "../i18n/index.js";

/** The catalogue's types by name: {Conv2D: {type, about, fields, example}, ...}. */
export function typesByName(catalogue) {
  return Object.fromEntries(catalogue.layer_types.map((spec) => [spec.type, spec]));
}

/** How a setting is shown in its text box: [3, 5] -> "3, 5"; [[1, 2], [3, 4]] -> "1, 2, 3, 4". */
export function showValue(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.flat().join(", ");
  return String(value);
}

function wholeNumbers(text) {
  const parts = text.split(/[\s,x×]+/).filter(Boolean);
  return parts.every((part) => /^\d+$/.test(part)) ? parts.map(Number) : null;
}

// A bound may be missing: epsilon only has to be above 0, which JSON Schema does not call a minimum.
function notAFloat(field) {
  const { label, minimum: min, maximum: max } = field;
  if (min != null && max != null) return t("{label} must be a number from {min} to {max}.", { label, min, max });
  if (max != null) return t("{label} must be a number up to {max}.", { label, max });
  if (min != null) return t("{label} must be a number from {min}.", { label, min });
  return t("{label} must be a number.", { label });
}

/**
 * Read a typed setting back: {value} or {error} saying what is expected. Out-of-range numbers
 * are passed on, so that the server's message names them; only what is not a number stops here.
 */
// Checked here, so a bad value gets a plain message on its field instead of the server's
// validation text (which names the field by its path in the request body).
const inRange = (field, value) =>
  Number.isFinite(value) &&
  (field.minimum == null || value >= field.minimum) &&
  (field.maximum == null || value <= field.maximum);

export function readValue(field, text) {
  const trimmed = text.trim();
  if (field.nullable && trimmed === "") return { value: null };
  if (field.kind === "int") {
    const value = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
    return inRange(field, value)
      ? { value }
      : {
          error: t('{label} must be a whole number from {min} to {max}; got "{value}".', {
            label: field.label,
            min: field.minimum,
            max: field.maximum,
            value: trimmed,
          }),
        };
  }
  if (field.kind === "float") {
    const value = Number(trimmed);
    return trimmed !== "" && Number.isFinite(value)
      ? { value }
      : { error: notAFloat(field) };
  }
  const numbers = wholeNumbers(trimmed);
  if (numbers && numbers.length === 1) return { value: numbers[0] };
  if (numbers && numbers.length === 2) return { value: numbers };
  if (field.kind === "zeros") {
    if (numbers && numbers.length === 4) return { value: [numbers.slice(0, 2), numbers.slice(2)] };
    return {
      error: t('{label}: type n, "rows, cols" or "top, bottom, left, right" (whole numbers).', { label: field.label }),
    };
  }
  return { error: t('{label}: type one whole number, or two (rows, cols) like "3, 5".', { label: field.label }) };
}

/** Fill in every setting a layer leaves out with its default, branches included. */
export function withDefaults(types, layer) {
  const spec = types[layer.type];
  for (const field of spec?.fields ?? []) {
    if (!(field.key in layer)) layer[field.key] = structuredClone(field.default);
  }
  for (const branch of layer.branches ?? []) {
    for (const inner of branch) withDefaults(types, inner);
  }
  return layer;
}

/**
 * A new layer of `type`, from the catalogue's example. A new Add's main path gives `channels`
 * channels, the input's, so that its identity shortcut fits.
 */
export function newLayer(types, type, channels) {
  const layer = withDefaults(types, structuredClone(types[type].example));
  const main = layer.type === "Add" ? layer.branches[0][0] : null;
  if (main && "filters" in main) main.filters = channels;
  return layer;
}
