// What the image half of the Kernel lab works on, and its two requests: the picture, whether
// pooling is on, and the decoded input pixels, cached per (file, colour).
import { convolveImage, poolImage } from "../api.js";
import { latestOnly } from "../dom.js";
import { decodeImage } from "../render/raster.js";

/** A kh x kw x 3 kernel (a learned RGB filter): its cells are lists of 3 weights. */
const isRgbKernel = (matrix) => Array.isArray(matrix?.[0]?.[0]) && matrix[0][0].length === 3;

export function createImageState() {
  // Kernels and strides change far more often than the picture, and the input PNG is the
  // larger half of each answer: it is asked for only when the cached one no longer applies.
  const state = { file: null, source: null, pooling: false, input: null };
  const convJob = latestOnly();
  const poolJob = latestOnly();

  return {
    get file() {
      return state.file;
    },
    get source() {
      return state.source;
    },
    get pooling() {
      return state.pooling;
    },
    setPicture(file, source) {
      state.file = file;
      state.source = source;
    },
    setPooling(active) {
      state.pooling = active;
      if (!active) poolJob.abort();
    },
    /** The input pixels drawn for `file` in `color`, or null. */
    inputPixels(file, color) {
      const { input } = state;
      return input?.file === file && input?.color === color ? input.pixels : null;
    },
    rememberInput(file, color, pixels) {
      state.input = { file, color, pixels };
      return pixels;
    },

    /**
     * Convolve the picture; null when a newer request replaced this one. `inputBitmap` is null
     * when the cached input pixels still apply.
     */
    async convolve(params) {
      const signal = convJob.start();
      const { file } = state;
      // A grey picture reaches a 3-channel kernel as R = G = B: other pixels than for a 2-D one.
      const color = params.options.color + (isRgbKernel(params.conv.kernel.matrix) ? "+rgb" : "");
      const cached = this.inputPixels(file, color) !== null;
      const options = { ...params.options, includeInput: !cached };
      const result = await convolveImage(file, params.conv, options, signal);
      const [inputBitmap, outputBitmap] = await Promise.all([
        cached ? null : decodeImage(result.input_image),
        decodeImage(result.image),
      ]);
      return signal.aborted ? null : { file, color, result, inputBitmap, outputBitmap };
    },

    /** Pool the picture's convolution; null when a newer request replaced this one. */
    async pool(params, pool) {
      const signal = poolJob.start();
      const result = await poolImage(state.file, params.conv, pool, params.options, signal);
      const pooledBitmap = await decodeImage(result.image);
      const winnersBitmap = result.winners_image ? await decodeImage(result.winners_image) : null;
      return signal.aborted ? null : { result, pooledBitmap, winnersBitmap };
    },
  };
}
