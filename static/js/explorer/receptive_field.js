// Which input pixels one unit of a feature map depends on (its receptive field), worked out from
// the layers' kernel sizes, strides and padding in the model's summary.
//
// Going down one windowed layer (a convolution or a pooling with window k, stride s and p zeros
// padded before the first row), the output rows a..b read the input rows
//   a*s - p .. b*s - p + (k - 1)*d        (d: the dilation, 1 unless set),
// so the field of a unit is that step repeated from its layer down to the input. Layers that keep
// each value in its place (ReLU, BatchNormalization, Dropout…) leave the rows as they are.

const WINDOWED = {
  Conv2D: (config) => ({ window: config.kernel_size, dilation: config.dilation_rate ?? [1, 1] }),
  DepthwiseConv2D: (config) => ({ window: config.kernel_size, dilation: config.dilation_rate ?? [1, 1] }),
  SeparableConv2D: (config) => ({ window: config.kernel_size, dilation: config.dilation_rate ?? [1, 1] }),
  MaxPooling2D: (config) => ({ window: config.pool_size, dilation: [1, 1] }),
  AveragePooling2D: (config) => ({ window: config.pool_size, dilation: [1, 1] }),
};

/** Zeros Keras pads before the first row for padding "same": half the total, rounded down. */
export function padBefore(size, window, stride, dilation, padding) {
  if (padding !== "same") return 0;
  const span = (window - 1) * dilation + 1;
  const outputs = Math.ceil(size / stride);
  return Math.floor(Math.max((outputs - 1) * stride + span - size, 0) / 2);
}

/** One windowed layer's step, per axis: {window, stride, dilation, pad}; null for others. */
export function windowStep(row) {
  const make = WINDOWED[row.type];
  if (!make) return null;
  const config = row.config ?? {};
  const { window, dilation } = make(config);
  const strides = config.strides ?? window;
  return [0, 1].map((axis) => ({
    window: window[axis],
    stride: strides[axis],
    dilation: dilation[axis],
    pad: padBefore(row.input_shape[axis], window[axis], strides[axis], dilation[axis], config.padding),
  }));
}

/** Layers that keep every value where it was (their output has their input's shape). */
const keepsPlaces = (row) =>
  row.output_shape.length === 3 && row.output_shape.every((n, i) => n === row.input_shape[i]);

/**
 * fieldOf(summary, layer, row, col) -> {top, bottom, left, right} (inclusive input rows and
 * columns; they may reach past the picture into the padding) and {clipped} to the picture, or
 * null when a layer on the way has no field (a dense layer, a global pooling).
 */
export function fieldOf(summary, layer, row, col, inputShape) {
  const end = summary.findIndex((r) => r.name === layer);
  if (end < 0) return null;
  let rows = [row, row];
  let cols = [col, col];
  for (let i = end; i >= 0; i -= 1) {
    const step = windowStep(summary[i]);
    if (step) {
      const [down, across] = step;
      const grow = ([a, b], s) => [a * s.stride - s.pad, b * s.stride - s.pad + (s.window - 1) * s.dilation];
      rows = grow(rows, down);
      cols = grow(cols, across);
    } else if (!keepsPlaces(summary[i])) {
      return null;
    }
  }
  const [height, width] = inputShape;
  const field = { top: rows[0], bottom: rows[1], left: cols[0], right: cols[1] };
  field.clipped = {
    top: Math.max(0, field.top),
    bottom: Math.min(height - 1, field.bottom),
    left: Math.max(0, field.left),
    right: Math.min(width - 1, field.right),
  };
  return field;
}
