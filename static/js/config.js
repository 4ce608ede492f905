// Colours, sizes and timings shared by the Kernel lab's modules: change them here only.

export const COLOURS = {
  // Diverging scale for signed values: blue below zero, near-white at zero, red above (RdBu).
  diverging: ["#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"],
  // Sequential scale for non-negative values: white to dark blue (Blues).
  sequential: ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"],
  window: "#ffb000", // the input window drawn over the input image
  selected: "#ff2d95", // the selected output pixel
  winners: [255, 214, 0, 235], // RGBA of pixels that won their pooling window
};

export const SIZES = {
  kernelMin: 1,
  kernelMax: 7,
  numbersMin: 2,
  numbersMax: 12,
  strideMax: 8,
  paddingMax: 64,
  poolMax: 8,
  zoomLevels: [0, 1, 2, 4, 8], // 0 means "fit the column"
  markerMinPx: 6, // a selected pixel is drawn at least this many CSS pixels wide
};

export const TIMING = {
  hoverDebounceMs: 120, // wait this long after the pointer stops before asking for a trace
  paramsDebounceMs: 250, // and this long after a control changes before convolving again
};

export const DEFAULTS = {
  imagePreset: "sharpen",
  numbersInput: [
    [1, 0, 1, 1, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 1, 1, 1, 1, 0],
    [0, 1, 1, 1, 1, 0],
    [1, 0, 1, 1, 0, 1],
    [1, 1, 0, 0, 1, 1],
  ],
  numbersKernel: [
    [0.06, 0.13, 0.06],
    [0.13, 0.25, 0.13],
    [0.06, 0.13, 0.06],
  ],
  decimals: 3,
};

export const CHANNEL_NAMES = { 1: ["Gray"], 3: ["Red", "Green", "Blue"] };
