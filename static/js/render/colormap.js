// Colour scales for numbers: diverging and centred on zero when any value is negative,
// sequential from zero otherwise. Used by every heatmap of numbers on the page.
import { COLOURS } from "../config.js";

const parseHex = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

function interpolate(stops, t) {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const scaled = clamped * (stops.length - 1);
  const index = Math.min(Math.floor(scaled), stops.length - 2);
  const [a, b] = [parseHex(stops[index]), parseHex(stops[index + 1])];
  const f = scaled - index;
  return a.map((channel, i) => Math.round(channel + (b[i] - channel) * f));
}

const linear = (channel) => {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const DARK_TEXT_LUMINANCE = 0.0056; // #111

/**
 * Near-black or white, whichever contrasts more with the background by WCAG's ratio
 * (L1 + 0.05) / (L2 + 0.05) of relative luminances: on any colour of a scale one of them
 * reaches 4.5:1.
 */
function textColourOn([r, g, b]) {
  const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  const onWhite = 1.05 / (luminance + 0.05);
  const onDark = (luminance + 0.05) / (DARK_TEXT_LUMINANCE + 0.05);
  return onDark > onWhite ? "#111" : "#fff";
}

/**
 * A scale for the given values: {kind, min, max, stops, colour(v) -> {background, text}}.
 * Signed data gets a symmetric diverging scale [-m, m] so that zero is always the middle.
 */
export function scaleFor(values) {
  const finite = values.filter(Number.isFinite);
  const low = finite.length ? Math.min(...finite) : 0;
  const high = finite.length ? Math.max(...finite) : 0;
  if (low < 0) {
    const m = Math.max(-low, high) || 1;
    return makeScale("diverging", -m, m, COLOURS.diverging);
  }
  return makeScale("sequential", 0, high || 1, COLOURS.sequential);
}

/** The scale the API chose for a layer ({colormap, min, max}), so pages colour it the same. */
export function scaleFromApi({ colormap, min, max }) {
  return colormap === "diverging"
    ? makeScale("diverging", min, max, COLOURS.diverging)
    : makeScale("sequential", min, max, COLOURS.sequential);
}

function makeScale(kind, min, max, stops) {
  return {
    kind,
    min,
    max,
    stops,
    /** [r, g, b] of a value, 0..255 each: for drawing into ImageData. */
    rgb: (value) => interpolate(stops, (value - min) / (max - min)),
    colour(value) {
      const rgb = interpolate(stops, (value - min) / (max - min));
      return { background: `rgb(${rgb.join(",")})`, text: textColourOn(rgb) };
    },
  };
}

/** Flatten any nesting of arrays of numbers. */
export const flatValues = (matrix) => matrix.flat(Infinity);
