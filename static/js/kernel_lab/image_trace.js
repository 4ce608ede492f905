// Explaining one output pixel of the image lab: outline its input window, cut the window's
// exact 8-bit values out of the input picture (zeros where it hangs into the padding), send
// that tiny grid to /api/convolve/matrix with the same kernel, and draw the trace.
import { convolveMatrix } from "../api.js";
import { CHANNEL_NAMES, TIMING } from "../config.js";
import { debounce, isAbort, latestOnly } from "../dom.js";
import { formatNumber, formatPosition } from "../format.js";
import { hideBox, placeBox } from "../render/marker.js";
import { pixelAt, windowValues } from "../render/raster.js";
import { renderTrace } from "../render/trace_view.js";
import { createPixelPicker } from "../widgets/pixel_picker.js";

/** Where output `pos` reads the input: the window's top-left cell (may be negative) and size. */
function windowOf(outputSize, [row, col]) {
  const { rows, cols } = outputSize;
  return {
    origin: [row * rows.stride - rows.pad_before, col * cols.stride - cols.pad_before],
    size: [rows.window, cols.window],
  };
}

function paddingMask([top, left], [kh, kw], width, height) {
  return Array.from({ length: kh }, (_, r) =>
    Array.from({ length: kw }, (_, c) => {
      const [y, x] = [top + r, left + c];
      return y < 0 || x < 0 || y >= height || x >= width;
    }),
  );
}

/**
 * createImageTrace({outputCanvas, windowBox, selectedBox, summary, container, status})
 * returns {setResult({result, conv, inputPixels, outputPixels}), clear()}.
 */
export function createImageTrace({ outputCanvas, windowBox, selectedBox, summary, container, status }) {
  let current = null;
  let selected = null;
  let pinned = false;
  const hint = summary.textContent;
  const job = latestOnly();
  const request = debounce((pos) => explain(pos), TIMING.hoverDebounceMs);

  const picker = createPixelPicker(outputCanvas, {
    onMove(pos, how) {
      if (how === "hover" && pinned) return;
      show(pos, false);
    },
    onSelect(pos) {
      pinned = true;
      show(pos, true);
    },
    onRelease() {
      pinned = false;
      outputCanvas.parentElement.classList.remove("is-pinned");
    },
  });

  function show(pos, now) {
    if (!current) return;
    selected = pos;
    picker.setPosition(pos);
    outputCanvas.parentElement.classList.toggle("is-pinned", pinned);
    const { result } = current;
    const [outRows, outCols] = result.output_shape;
    const { origin, size } = windowOf(result.output_size, pos);
    placeBox(windowBox, result.input, { top: origin[0], left: origin[1], height: size[0], width: size[1] });
    placeBox(selectedBox, { width: outCols, height: outRows }, { top: pos[0], left: pos[1], height: 1, width: 1 });
    request(pos);
    if (now) request.flush();
  }

  async function explain(pos) {
    const { result, conv, inputPixels, outputPixels } = current;
    const { origin, size } = windowOf(result.output_size, pos);
    const channels = result.input.channels;
    const window = windowValues(inputPixels, channels, origin, size);
    const signal = job.start();
    try {
      const tiny = { ...conv, strides: 1, padding: "valid" };
      const response = await convolveMatrix(window, tiny, [0, 0], signal);
      const outChannels = result.output_shape[2] ?? 1;
      const pixels = pixelAt(outputPixels, pos[0], pos[1], outChannels);
      const names = CHANNEL_NAMES[outChannels] ?? [];
      renderTrace(container, response.trace, {
        inputChannels: channels,
        bias: conv.bias,
        inPadding: paddingMask(origin, size, result.input.width, result.input.height),
        describeResult: (index, value) =>
          `${formatNumber(value)} is shown as pixel value ${pixels[index]} in the output picture.`,
      });
      const values = response.trace.gradient?.magnitude ?? response.trace.channels.map((ch) => ch.output);
      const listed = values
        .map((value, i) => `${names.length > 1 ? `${names[i]} ` : ""}${formatNumber(value)} → pixel ${pixels[i]}`)
        .join(", ");
      summary.textContent =
        `Output pixel ${formatPosition(pos)}${pinned ? ", selected" : ""}: ${listed}. ` +
        `Its ${size[0]} × ${size[1]} window starts at input ${formatPosition(origin)}. ` +
        result.pixel_map.description;
      container.dataset.position = pos.join(",");
    } catch (error) {
      if (!isAbort(error)) status.error(error);
    }
  }

  return {
    setResult(next) {
      current = next;
      const [rows, cols] = next.result.output_shape;
      picker.setShape(rows, cols);
      if (selected) show([Math.min(selected[0], rows - 1), Math.min(selected[1], cols - 1)], true);
    },
    clear() {
      job.abort();
      request.cancel();
      current = null;
      selected = null;
      pinned = false;
      outputCanvas.parentElement.classList.remove("is-pinned");
      summary.textContent = hint;
      delete container.dataset.position;
      hideBox(windowBox);
      hideBox(selectedBox);
      container.replaceChildren();
    },
  };
}
