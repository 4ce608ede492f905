// The Architecture lab's own notation: a receptive field, and the numbers a learner types as an
// answer. Counts, shapes and sizes are written by ../format.js.
import { formatSize } from "../format.js";

/** [11, 11] -> "11 × 11"; null (a vector input) -> "–". */
export const formatField = (pair) => (pair ? formatSize(pair) : "–");

/** Numbers typed as an answer: "5 x 5 x 16", "(5, 5, 16)", "2,416" -> [5, 5, 16] / [2416]. */
export function parseShapeAnswer(text) {
  const parts = text.replace(/[()[\]]/g, " ").split(/[\s,x×*]+/).filter(Boolean);
  return parts.length && parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : null;
}

export function parseCountAnswer(text) {
  const cleaned = text.replace(/[\s,_']/g, "");
  return /^\d+$/.test(cleaned) ? Number(cleaned) : null;
}
