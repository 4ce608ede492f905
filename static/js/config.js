// Colours, sizes and timings shared by the Kernel lab's modules: change them here only.
import { t } from "./i18n/index.js";

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
  // The pool winners are single pixels: below this many CSS pixels per pixel they blur into a mesh.
  winnersMinPx: 3,
};

export const TIMING = {
  hoverDebounceMs: 120, // wait this long after the pointer stops before asking for a trace
  paramsDebounceMs: 250, // and this long after a control changes before convolving again
};

export const DEFAULTS = {
  imagePreset: "sharpen",
  // Image kernels shown as a photo editor shows them: values clipped to 0..255. ("auto" rescales
  // whenever a value leaves 0..255, which makes Sharpen look flatter and Brighten barely brighter.)
  imageMapping: "clip",
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

// The channels' names, as values (the pages compare them); channelTitle(name) shows one in the
// page's language.
export const CHANNEL_NAMES = { 1: ["Gray"], 3: ["Red", "Green", "Blue"] };
const CHANNEL_TITLES = { Gray: t("Gray"), Red: t("Red"), Green: t("Green"), Blue: t("Blue") };

/** "Red" -> "Red" on an English page, "빨강" on a Korean one. */
export const channelTitle = (name) => CHANNEL_TITLES[name] ?? name;

// --- Draw, Network explorer and Training pages -----------------------------------------------

export const SKETCH = {
  size: 280, // CSS pixels of the square drawing pad
  // MNIST strokes are 2-3 pixels in a 20-pixel digit, a tenth of its height or a little more:
  // on a digit drawn ~200 px tall that is 20-30 px.
  strokeWidth: 22,
  ink: "#111111",
  paper: "#ffffff",
  throttleMs: 150, // while a stroke is drawn, ask for a prediction at most this often
};

export const MODEL_ORDER = ["lenet5", "mnist-cnn", "mlp"]; // how the pages list the models

export const EXPLORER = {
  tilePx: 56, // CSS size of one feature-map tile (wider maps keep this width)
  filterPx: 56, // CSS size of one first-layer filter
  enlargedPx: 392, // the enlarged map in the dialog (14 px per cell for 28 x 28)
  barHeightPx: 64, // dense-layer bar charts
  digitsShown: 20, // MNIST test digits offered as inputs
  // Above this many activation values in all layers together, layers load as they scroll in.
  lazyValues: 1_000_000,
  channelsPerPage: 16, // maps fetched at once, and per "show more"
  filterWeightsShown: 3_000, // bigger filter banks are not fetched: too many to read
  lazyTilePx: 84, // small maps are scaled up by a whole factor to about this; big ones shrink
  prefetchMargin: "300px 0px", // start loading a card a little before it is on screen
};

// "Why this answer?" in the Network explorer: the explain form's defaults and bounds (the
// server's own, from app/ml/explain_plan.py) and the size of its three pictures.
export const EXPLAIN = {
  samples: 20, // SmoothGrad's noisy copies
  maxSamples: 50,
  noise: 0.15, // SmoothGrad's noise, a fraction of the input's value range
  steps: 50, // integrated gradients' points on the path
  maxSteps: 200,
  picturePx: 168, // CSS width of each picture; bigger inputs shrink to it, smoothed
};

export const CHART = {
  train: "#1f5fbf", // training curve (solid)
  validation: "#d95f02", // validation curve (dashed)
  width: 460,
  height: 260,
};

// --- Architecture lab ------------------------------------------------------------------------

export const ARCHITECTURE = {
  defaultPreset: "lenet5",
  summaryDebounceMs: 300, // wait this long after the last edit before asking for the table
  // Where the parameters sit: convolutions, dense layers, batch normalisation.
  kindColours: { conv: "#2171b5", dense: "#f4a582", norm: "#6baed6" },
  inputLine: "#b2182b", // the input size, drawn across the receptive-field sparklines
  sparkWidth: 180,
  sparkHeight: 48,
};

// --- Training on your own images (bounds are the API's, app/schemas/training.py) -------------

export const TRAINING = {
  // The recipes POST /api/training knows, as app/jobs/architectures.py builds them.
  recipes: [
    // title and description are shown (in the page's language); name is the API's.
    { name: "lenet5", title: "LeNet-5", description: t("The course's LeNet-5: two 5×5 convolutions (6 and 16 filters) with pooling, then dense 120 and 84, swish.") },
    { name: "mnist-cnn", title: t("Course CNN"), description: t("The course CNN: 32 and 64 3×3 filters with pooling, then dense 64 and 32, relu.") },
    { name: "mlp", title: t("Dense baseline"), description: t("No convolution at all: every pixel wired to 84 units. The fastest, and the baseline to beat.") },
    { name: "small-vgg", title: t("Small VGG"), description: t("VGG's shape, small, for colour images: three blocks of two 3×3 convolutions (16, 32, 64 filters), dense 64 with dropout.") },
  ],
  grayRecipe: "lenet5", // proposed for a gray dataset
  colourRecipe: "small-vgg", // and for a colour one
  epochs: { value: 5, min: 1, max: 50 },
  batchSize: { value: 32, min: 1, max: 512 },
  learningRate: { value: 0.001, min: 0.000001, max: 1 },
  validationSplit: { value: 0.2, min: 0.05, max: 0.5 },
  seed: { value: 1998, min: 0, max: 2 ** 31 - 1 },
  optimizers: ["adam", "sgd", "rmsprop"],
  imageSize: { min: 4, max: 128 }, // POST /api/datasets' image_size
  thumbnailsShown: 6, // per class
  thumbnailPx: 48, // CSS size of a thumbnail and of a mean image
  skippedShown: 20, // skipped files listed before "and N more"
  pollMs: 1000, // GET /api/jobs/{id} this often when the event stream fails
};

// --- DeepDream and class dreams in the Network explorer (bounds are the API's,
// app/ml/deepdream.py and app/ml/patterns_plan.py) ---------------------------------------------

export const DREAM = {
  octaves: { value: 3, min: 1, max: 6 },
  steps: { value: 20, min: 1, max: 100 },
  stepSize: { value: 0.01, min: 0.001, max: 0.1 },
  side: { value: 256, min: 8, max: 512 },
  seed: 0,
  pollMs: 1000, // GET /api/works/{id} this often when the event stream fails
  pixelatedBelowPx: 128, // smaller dreams are scaled up without smoothing
  classesShown: 16, // the server's cap of classes per GET .../dreams
  classSteps: 64, // gradient ascent steps for each class's dream
};
