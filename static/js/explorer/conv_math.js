// One value of a convolution layer's feature map, worked out from the numbers the page already
// has: the layer's input (the model input or the layer before's maps), the filter's weights and
// its bias. As Keras' Conv2D computes it (cross-correlation):
//   z = sum over input channels c, kernel rows i, columns j of x[c][r*s + i*d - p][k*s + j*d - p] * w[c][i][j] + b
//   value = activation(z)
import { t } from "../i18n/index.js";
import { windowStep } from "./receptive_field.js";

// name: the activation as Keras calls it ("no activation" is compared, never shown); words(): what
// it does, in the page's language.
const ACTIVATIONS = {
  relu: { name: "ReLU", apply: (z) => Math.max(0, z), words: () => t("ReLU keeps a positive sum and turns a negative one into 0") },
  linear: { name: "no activation", apply: (z) => z, words: () => t("No activation: the sum is the value") },
  sigmoid: { name: "sigmoid", apply: (z) => 1 / (1 + Math.exp(-z)), words: () => t("Sigmoid squeezes the sum into 0..1: 1 / (1 + e^-z)") },
  tanh: { name: "tanh", apply: Math.tanh, words: () => t("tanh squeezes the sum into -1..1") },
};

export const activationOf = (name) => ACTIVATIONS[name ?? "linear"] ?? null;

/**
 * convolutionAt({row, input, filters, channel, at: [r, k]}) with `row` the layer's summary row,
 * `input(c, r, k)` the layer's input value (undefined outside it), `filters` the API's filters
 * answer -> {channels: [{channel, window, kernel, sum, top, left}], bias, total, value,
 * activation} or null when the layer's activation is not one the page can compute.
 * window[i][j] is null where the kernel reaches into the zero padding.
 */
export function convolutionAt({ row, input, filters, channel, at }) {
  const activation = activationOf(row.activation);
  const step = windowStep(row);
  if (!activation || !step || row.type !== "Conv2D") return null;
  const [down, across] = step;
  const [r, k] = at;
  const top = r * down.stride - down.pad;
  const left = k * across.stride - across.pad;
  const channels = filters.kernels[channel].map((kernel, c) => {
    const window = kernel.map((weights, i) =>
      weights.map((_, j) => input(c, top + i * down.dilation, left + j * across.dilation) ?? null),
    );
    const sum = kernel.reduce(
      (total, weights, i) => total + weights.reduce((s, w, j) => s + w * (window[i][j] ?? 0), 0),
      0,
    );
    return { channel: c, window, kernel, sum, top, left };
  });
  const bias = filters.bias?.[channel] ?? 0;
  const total = channels.reduce((s, c) => s + c.sum, 0) + bias;
  return { channels, bias, total, value: activation.apply(total), activation };
}
