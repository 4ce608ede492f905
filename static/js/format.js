// How numbers, shapes and positions are written on the page.
import { DEFAULTS } from "./config.js";

/** 0.5700000000000001 -> "0.57", -0 -> "0", 676.52789 -> "676.528". */
export function formatNumber(value, decimals = DEFAULTS.decimals) {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toFixed(decimals));
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** [510, 510, 3] -> "510 × 510" (rows × cols); channels are reported separately. */
export const formatSize = (shape) => `${shape[0]} × ${shape[1]}`;

export function formatChannels(shape) {
  const channels = shape.length > 2 ? shape[2] : 1;
  return channels === 1 ? "1 channel" : `${channels} channels`;
}

export const formatPosition = ([row, col]) => `(row ${row}, col ${col})`;
