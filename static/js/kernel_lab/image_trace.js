// Explaining one output pixel of the image lab: outline its input window, cut the window's
// exact 8-bit values out of the input picture (zeros where it hangs into the padding), send
// that tiny grid to /api/convolve/matrix with the same kernel, and draw the trace.
import { convolveMatrix } from "../api.js";
import { CHANNEL_NAMES, TIMING } from "../config.js";
import { debounce, isAbort, latestOnly } from "../dom.js";
import { formatNumber, formatPosition } from "../format.js";
import { t } from "../i18n/index.js";
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

// The functions below work on one trace context: the page's elements (outputCanvas, windowBox,
// selectedBox, summary, container), the picker, the current result, the selected output pixel
// and whether it is pinned (clicked) or only pointed at.

/** Zoomed in, scroll the output so a box placed out of sight comes to the middle of it. */
function keepInView(box) {
  const scroller = box.closest(".stage-scroll");
  const outer = scroller.getBoundingClientRect();
  const inner = box.getBoundingClientRect();
  if (inner.left < outer.left || inner.right > outer.right) {
    scroller.scrollLeft += (inner.left + inner.right) / 2 - (outer.left + outer.right) / 2;
  }
  if (inner.top < outer.top || inner.bottom > outer.bottom) {
    scroller.scrollTop += (inner.top + inner.bottom) / 2 - (outer.top + outer.bottom) / 2;
  }
}

// `now`: explain at once (a click, a step, a new result), and bring the pixel into sight.
function show(trace, pos, now, follow = now) {
  if (!trace.current) return;
  trace.selected = pos;
  trace.picker.setPosition(pos);
  trace.outputCanvas.parentElement.classList.toggle("is-pinned", trace.pinned);
  const { result } = trace.current;
  const [outRows, outCols] = result.output_shape;
  const { origin, size } = windowOf(result.output_size, pos);
  const area = { top: origin[0], left: origin[1], height: size[0], width: size[1] };
  placeBox(trace.windowBox, result.input, area, { clip: false });
  placeBox(trace.selectedBox, { width: outCols, height: outRows }, { top: pos[0], left: pos[1], height: 1, width: 1 });
  trace.windowBox.dataset.origin = origin.join(",");
  trace.selectedBox.dataset.position = pos.join(",");
  if (follow && !trace.selectedBox.hidden) keepInView(trace.selectedBox);
  trace.request(pos);
  if (now) trace.request.flush();
  trace.onChange?.();
}

/** Select the output pixel `delta` steps away in reading order, wrapping round at the ends. */
function step(trace, delta) {
  if (!trace.current) return false;
  const [rows, cols] = trace.current.result.output_shape;
  const total = rows * cols;
  if (!total) return false;
  // Nothing selected yet: Step starts at the first pixel, Back at the last.
  const index = trace.selected ? trace.selected[0] * cols + trace.selected[1] : delta > 0 ? -1 : 0;
  const next = (((index + delta) % total) + total) % total;
  trace.pinned = true;
  show(trace, [Math.floor(next / cols), next % cols], true);
  return true;
}

// The summary line: each output channel's value and the pixel value it is shown as.
function summaryText(trace, result, { pos, values, pixels, origin, size }) {
  const names = CHANNEL_NAMES[result.output_shape[2] ?? 1] ?? [];
  const listed = values
    .map((value, i) => {
      const shown = { value: formatNumber(value), pixel: pixels[i] };
      return names.length > 1
        ? t("{channel} {value} → pixel {pixel}", { channel: t(names[i]), ...shown })
        : t("{value} → pixel {pixel}", shown);
    })
    .join(", ");
  const position = formatPosition(pos);
  const output = trace.pinned
    ? t("Output pixel {position}, selected: {values}.", { position, values: listed })
    : t("Output pixel {position}: {values}.", { position, values: listed });
  const window = t("Its {rows} × {cols} window starts at input {position}.", {
    rows: size[0],
    cols: size[1],
    position: formatPosition(origin),
  });
  return `${output} ${window} ${result.pixel_map.description}`;
}

// `current` is the result the window was cut from: the one current when the request was sent.
function renderExplanation(trace, current, pos, response) {
  const { result, conv, outputPixels } = current;
  const { origin, size } = windowOf(result.output_size, pos);
  const pixels = pixelAt(outputPixels, pos[0], pos[1], result.output_shape[2] ?? 1);
  renderTrace(trace.container, response.trace, {
    inputChannels: result.input.channels,
    bias: conv.bias,
    inPadding: paddingMask(origin, size, result.input.width, result.input.height),
    describeResult: (index, value) =>
      t("{value} is shown as pixel value {pixel} in the output picture.", {
        value: formatNumber(value),
        pixel: pixels[index],
      }),
  });
  const values = response.trace.gradient?.magnitude ?? response.trace.channels.map((ch) => ch.output);
  trace.summary.textContent = summaryText(trace, result, { pos, values, pixels, origin, size });
  trace.container.dataset.position = pos.join(",");
}

async function explain(trace, pos) {
  const { current } = trace;
  const { result, conv, inputPixels } = current;
  const { origin, size } = windowOf(result.output_size, pos);
  const window = windowValues(inputPixels, result.input.channels, origin, size);
  const signal = trace.job.start();
  try {
    const tiny = { ...conv, strides: 1, padding: "valid" };
    const response = await convolveMatrix(window, tiny, [0, 0], signal);
    renderExplanation(trace, current, pos, response);
  } catch (error) {
    if (!isAbort(error)) trace.status.error(error);
  }
}

function clear(trace) {
  trace.job.abort();
  trace.request.cancel();
  trace.current = null;
  trace.selected = null;
  trace.pinned = false;
  trace.picker.setPosition([0, 0]); // a new picture: the arrow keys start again at its corner
  trace.outputCanvas.parentElement.classList.remove("is-pinned");
  trace.summary.textContent = trace.hint;
  delete trace.container.dataset.position;
  delete trace.windowBox.dataset.origin;
  delete trace.selectedBox.dataset.position;
  hideBox(trace.windowBox);
  hideBox(trace.selectedBox);
  trace.container.replaceChildren();
}

/**
 * createImageTrace({outputCanvas, windowBox, selectedBox, summary, container, status, onChange})
 * returns {setResult({result, conv, inputPixels, outputPixels}), clear(), step(delta),
 * select(pos) (pins a pixel now, or on the next result), selected() -> [row, col] | null}.
 * onChange() is called whenever the selected pixel moves.
 */
export function createImageTrace(elements) {
  const trace = {
    ...elements,
    hint: elements.summary.textContent,
    ...{ current: null, selected: null, pinned: false },
    job: latestOnly(),
    request: debounce((pos) => explain(trace, pos), TIMING.hoverDebounceMs),
  };
  trace.picker = createPixelPicker(elements.outputCanvas, {
    onMove(pos, how) {
      if (how === "hover" && trace.pinned) return;
      show(trace, pos, false, how === "key");
    },
    onSelect(pos) {
      trace.pinned = true;
      show(trace, pos, true);
    },
    onRelease() {
      trace.pinned = false;
      elements.outputCanvas.parentElement.classList.remove("is-pinned");
      trace.onChange?.();
    },
  });

  trace.api = {
    setResult(next) {
      trace.current = next;
      const [rows, cols] = next.result.output_shape;
      trace.picker.setShape(rows, cols);
      const { selected } = trace;
      if (selected) show(trace, [Math.min(selected[0], rows - 1), Math.min(selected[1], cols - 1)], true);
    },
    clear: () => clear(trace),
    step: (delta) => step(trace, delta),
    select(pos) {
      trace.pinned = true;
      trace.selected = pos;
      if (trace.current) trace.api.setResult(trace.current);
    },
    /** The pinned output pixel (a hovered one is not a choice), or null. */
    selected: () => (trace.pinned ? trace.selected : null),
  };
  return trace.api;
}
