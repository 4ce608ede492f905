// The arithmetic behind the lesson's questions, written out so each answer is computed from the
// formula the step teaches (and the browser test checks it against Python's).

/**
 * Output size along one side: floor((n + 2p - k) / s) + 1 for p zeros on each side
 * (padding "valid" is p = 0); padding "same" gives ceil(n / s), as Keras pads.
 */
export function outputSize({ size, kernel, stride = 1, padding = 0 }) {
  if (padding === "same") return Math.ceil(size / stride);
  const pad = padding === "valid" ? 0 : padding;
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/** A Conv2D layer's parameters: (kh * kw * in + 1) * filters, the +1 the bias of each filter. */
export const conv2dParameters = ({ kernel, inChannels, filters }) =>
  (kernel * kernel * inChannels + 1) * filters;

/** One filter's weights, without its bias: kh * kw * in. */
export const filterWeights = ({ kernel, inChannels }) => kernel * kernel * inChannels;

/**
 * One output value of a Keras Conv2D (cross-correlation): each weight times the pixel under it,
 * all added; the kernel is not flipped. window and kernel are rows of numbers of one size.
 */
export const crossCorrelate = (window, kernel) =>
  window.reduce((sum, row, r) => sum + row.reduce((rowSum, value, c) => rowSum + value * kernel[r][c], 0), 0);

/** The kernel turned by 180 degrees: what a textbook convolution multiplies by. */
export const flipped = (kernel) => kernel.map((row) => [...row].reverse()).reverse();

/** Pooling windows of size x size moved by `stride` (valid): rows of each window's values. */
function poolWindows(map, size, stride) {
  const out = outputSize({ size: map.length, kernel: size, stride });
  return Array.from({ length: out }, (_, r) =>
    Array.from({ length: out }, (_, c) =>
      map.slice(r * stride, r * stride + size).flatMap((row) => row.slice(c * stride, c * stride + size)),
    ),
  );
}

/** Max pooling of a square map (valid padding). */
export const maxPool = (map, size = 2, stride = size) =>
  poolWindows(map, size, stride).map((row) => row.map((values) => Math.max(...values)));

/** Average pooling of a square map (valid padding). */
export const averagePool = (map, size = 2, stride = size) =>
  poolWindows(map, size, stride).map((row) => row.map((values) => values.reduce((a, b) => a + b, 0) / values.length));
