// How the Architecture lab writes counts, shapes and sizes.

/** 34944 -> "34,944" (exact, as Keras' model.summary() writes it). */
export const formatCount = (n) => n.toLocaleString("en-US");

/** [55, 55, 96] -> "55 × 55 × 96"; [4096] -> "4096". */
export const formatShape = (shape) => shape.join(" × ");

/** 1135256096 -> "1.14 billion"; small numbers stay exact. */
export function formatLarge(n) {
  for (const [size, word] of [[1e12, "trillion"], [1e9, "billion"], [1e6, "million"]]) {
    if (n >= size) return `${(n / size).toPrecision(3)} ${word}`;
  }
  return formatCount(n);
}

/** Bytes as Keras' summary writes them (1 KB = 1024 bytes): 246824 -> "241.04 KB". */
export function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

/** [11, 11] -> "11 × 11"; null (a vector input) -> "–". */
export const formatField = (pair) => (pair ? `${pair[0]} × ${pair[1]}` : "–");

/** Numbers typed as an answer: "5 x 5 x 16", "(5, 5, 16)", "2,416" -> [5, 5, 16] / [2416]. */
export function parseShapeAnswer(text) {
  const parts = text.replace(/[()[\]]/g, " ").split(/[\s,x×*]+/).filter(Boolean);
  return parts.length && parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : null;
}

export function parseCountAnswer(text) {
  const cleaned = text.replace(/[\s,_']/g, "");
  return /^\d+$/.test(cleaned) ? Number(cleaned) : null;
}
