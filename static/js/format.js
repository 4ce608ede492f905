// How numbers, counts, shapes and positions are written on the page: every page formats through
// these, so that one value reads the same wherever it is shown.
import { DEFAULTS } from "./config.js";
import { language, t } from "./i18n/index.js";

/** The dash shown where a value is missing. */
export const MISSING = "–";

/** 0.57000001 -> 0.57 and -0.0001 -> 0 (not -0) at 3 decimals: a number, for links and data. */
export function roundTo(value, decimals = DEFAULTS.decimals) {
  const rounded = Number(value.toFixed(decimals));
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** 0.5700000000000001 -> "0.57", -0 -> "0", 676.52789 -> "676.528" (trailing zeros dropped). */
export function formatNumber(value, decimals = DEFAULTS.decimals) {
  return Number.isFinite(value) ? String(roundTo(value, decimals)) : String(value);
}

/** 2.5 -> "2.50" at 2 decimals: always `decimals` places, and never "-0.00". */
export function formatFixed(value, decimals) {
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** 34944 -> "34,944" (exact, as Keras' model.summary() writes it). */
export const formatCount = (n) => n.toLocaleString("en-US");

/** 1135256096 -> "1.14 billion"; below a million the count stays exact. On a Korean page the
 * count is read in 만 (10^4), 억 (10^8) and 조 (10^12), to 3 digits: "11.4억", 12345678 ->
 * "1,230만". */
export function formatLargeCount(n) {
  if (language === "ko") {
    for (const [threshold, word, size = threshold] of [[1e12, "조"], [1e8, "억"], [1e6, "만", 1e4]]) {
      if (n >= threshold) return `${formatCount(Number((n / size).toPrecision(3)))}${word}`;
    }
    return formatCount(n);
  }
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
  return `${formatFixed(value, 2)} ${units[unit]}`;
}

// A percentage too small to show at `decimals` places reads "<0.1%", not "0.0%".
function percentText(percent, decimals) {
  const smallest = 10 ** -decimals;
  if (percent > 0 && percent < smallest / 2) return `<${formatFixed(smallest, decimals)}%`;
  return `${formatFixed(percent, decimals)}%`;
}

/** 0.98123 -> "98.1%", 0.00004 -> "<0.1%", null -> "–"; `decimals` places after the point. */
export function formatPercent(fraction, decimals = 1) {
  return fraction == null ? MISSING : percentText(fraction * 100, decimals);
}

/** part's share of whole: "96%", or two decimals below 1% ("0.41%"). */
export function formatShare(part, whole) {
  const percent = (100 * part) / whole;
  return percentText(percent, percent < 1 ? 2 : 0);
}

/** 42.31 -> "42.3 s"; a minute or more -> "3 min 5 s" ("3분 5초" on a Korean page); null -> "–". */
export function formatDuration(seconds) {
  if (seconds == null) return MISSING;
  if (seconds < 60) return t("{seconds} s", { seconds: formatFixed(seconds, 1) });
  const minutes = Math.floor(seconds / 60);
  return t("{minutes} min {seconds} s", { minutes, seconds: Math.round(seconds - minutes * 60) });
}

/** The training machine as ConvLens writes it ("x86_64, 2 CPUs"), in the page's language;
 * any other text as it is. */
export function formatMachine(machine) {
  const ours = /^(.+), (\d+) CPUs$/.exec(machine ?? "");
  return ours ? t("{arch}, {count} CPUs", { arch: ours[1], count: Number(ours[2]) }) : machine;
}

/** [55, 55, 96] -> "55 × 55 × 96"; [4096] -> "4096". */
export const formatShape = (shape) => shape.join(" × ");

/** [510, 510, 3] -> "510 × 510" (rows × cols); channels are reported separately. */
export const formatSize = (shape) => `${shape[0]} × ${shape[1]}`;

/** [510, 510, 3] -> "3 channels", [28, 28] -> "1 channel" ("채널 3개" on a Korean page). */
export function formatChannels(shape) {
  const channels = shape.length > 2 ? shape[2] : 1;
  return channels === 1 ? t("1 channel") : t("{channels} channels", { channels });
}

/** [3, 5] -> "(row 3, col 5)" ("(3행, 5열)" on a Korean page). */
export const formatPosition = ([row, col]) => t("(row {row}, col {col})", { row, col });
