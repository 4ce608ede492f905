// A vector (a dense or flatten layer's output) as one bar per unit on a canvas sized to its box,
// each bar coloured by the layer's scale like the feature maps; pointing at a bar reports it.
import { EXPLORER } from "../config.js";
import { el } from "../dom.js";
import { formatFixed } from "../format.js";
import { t } from "../i18n/index.js";

/**
 * renderVectorBars(container, {label, values, scale, onHover({unit, value} | null)}).
 * Redraws itself when its box changes width.
 */
export function renderVectorBars(container, { label, values, scale, onHover }) {
  const canvas = el("canvas", {
    class: "vector-canvas",
    role: "img",
    style: `height: ${EXPLORER.barHeightPx}px`,
    "aria-label": t("{label}: {count} values from {min} to {max}, one bar each.", {
      label,
      count: values.length,
      min: formatFixed(Math.min(...values), 3),
      max: formatFixed(Math.max(...values), 3),
    }),
  });
  container.replaceChildren(canvas);
  const low = Math.min(0, scale.min);
  const high = scale.max > low ? scale.max : low + 1;

  function paint() {
    const width = canvas.clientWidth;
    const height = EXPLORER.barHeightPx;
    if (!width) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const y = (value) => height - ((value - low) / (high - low)) * height;
    const zero = y(0);
    const step = width / values.length;
    values.forEach((value, unit) => {
      const [r, g, b] = scale.rgb(value);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      const top = Math.min(zero, y(value));
      // At least a hairline, so that small values still show where they are.
      ctx.fillRect(unit * step, top, Math.max(step - (step > 3 ? 1 : 0), 0.5), Math.max(1, Math.abs(zero - y(value))));
    });
    ctx.fillStyle = "#5b6675";
    ctx.fillRect(0, Math.min(height - 1, zero), width, 1);
  }

  canvas.addEventListener("pointermove", (event) => {
    const rect = canvas.getBoundingClientRect();
    const unit = Math.floor(((event.clientX - rect.left) / rect.width) * values.length);
    onHover(unit >= 0 && unit < values.length ? { unit, value: values[unit] } : null);
  });
  canvas.addEventListener("pointerleave", () => onHover(null));
  const observer = new ResizeObserver(() => paint());
  observer.observe(canvas);
  paint();
}
