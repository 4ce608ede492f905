// A square drawing pad for mouse, touch and pen (Pointer Events with pointer capture): smooth
// round strokes, undo per stroke, clear, an optional picture shown in its place (an upload),
// and the drawing as a PNG file. Points are kept in pad units (0..size), so the pad can be drawn
// at any CSS width and any device-pixel ratio.
import { SKETCH } from "../config.js";
import { el } from "../dom.js";

const midpoint = (a, b) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];

/**
 * createSketchpad(parent, {label, size, strokeWidth, onChange({type})}) where type is "start",
 * "move", "end" (of a stroke), "undo" or "clear". Returns {element, canvas, isEmpty(),
 * strokeCount(), undo(), clear(), toPngFile(), showPicture(file | null), hasPicture()}.
 */
export function createSketchpad(parent, options = {}) {
  const {
    label = "Drawing pad",
    size = SKETCH.size,
    strokeWidth = SKETCH.strokeWidth,
    onChange,
  } = options;
  const canvas = el("canvas", {
    class: "sketch-canvas",
    role: "img",
    "aria-label": `${label}: draw a digit here with a mouse, a finger or a pen.`,
  });
  const hint = el("p", { class: "sketch-hint", "aria-hidden": "true", text: "Draw a digit here" });
  const picture = el("img", { class: "sketch-picture", alt: "", hidden: true });
  const element = el("div", { class: "sketchpad", dataset: { empty: "true" } }, [
    canvas,
    picture,
    hint,
  ]);
  parent.append(element);

  const strokes = [];
  let active = null; // {pointerId, points}
  let frame = 0;
  let pictureUrl = null;

  function resizeBacking() {
    const ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
    if (canvas.width !== size * ratio) {
      canvas.width = size * ratio;
      canvas.height = size * ratio;
    }
    return ratio;
  }

  function paint() {
    frame = 0;
    const ratio = resizeBacking();
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = SKETCH.paper;
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = SKETCH.ink;
    ctx.fillStyle = SKETCH.ink;
    ctx.lineWidth = strokeWidth;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const points of strokes) drawStroke(ctx, points);
    const empty = strokes.length === 0;
    element.dataset.empty = String(empty && !pictureUrl);
    hint.hidden = !empty || Boolean(pictureUrl);
  }

  /** A quadratic curve through the midpoints: smooth, and it still passes near every sample. */
  function drawStroke(ctx, points) {
    if (points.length === 1) {
      ctx.beginPath();
      ctx.arc(points[0][0], points[0][1], strokeWidth / 2, 0, Math.PI * 2);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(...points[0]);
    for (let i = 1; i < points.length - 1; i++) {
      ctx.quadraticCurveTo(...points[i], ...midpoint(points[i], points[i + 1]));
    }
    ctx.lineTo(...points[points.length - 1]);
    ctx.stroke();
  }

  const schedulePaint = () => {
    if (!frame) frame = requestAnimationFrame(paint);
  };

  function pointOf(event) {
    const rect = canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * size;
    const y = ((event.clientY - rect.top) / rect.height) * size;
    return [Math.min(size, Math.max(0, x)), Math.min(size, Math.max(0, y))];
  }

  function dropPicture() {
    if (!pictureUrl) return;
    URL.revokeObjectURL(pictureUrl);
    pictureUrl = null;
    picture.hidden = true;
    picture.removeAttribute("src");
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (active || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    try {
      canvas.setPointerCapture(event.pointerId); // keep the stroke when the pen leaves the pad
    } catch {
      // A synthetic event has no real pointer to capture; the stroke works without it.
    }
    dropPicture();
    active = { pointerId: event.pointerId, points: [pointOf(event)] };
    strokes.push(active.points);
    paint();
    onChange?.({ type: "start" });
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!active || event.pointerId !== active.pointerId) return;
    const samples = event.getCoalescedEvents?.() ?? [];
    for (const sample of samples.length ? samples : [event]) active.points.push(pointOf(sample));
    schedulePaint();
    onChange?.({ type: "move" });
  });
  const finish = (event) => {
    if (!active || event.pointerId !== active.pointerId) return;
    active = null;
    if (frame) cancelAnimationFrame(frame);
    paint();
    onChange?.({ type: "end" });
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  canvas.addEventListener("lostpointercapture", finish);

  paint();

  return {
    element,
    canvas,
    isEmpty: () => strokes.length === 0,
    strokeCount: () => strokes.length,
    hasPicture: () => Boolean(pictureUrl),
    /** Remove the last stroke; returns false when there was none. */
    undo() {
      if (active || !strokes.length) return false;
      strokes.pop();
      paint();
      onChange?.({ type: "undo" });
      return true;
    },
    clear() {
      active = null;
      strokes.length = 0;
      dropPicture();
      paint();
      onChange?.({ type: "clear" });
    },
    /**
     * The drawing as a PNG file, ink on white, at its CSS size (280 x 280) whatever the screen's
     * pixel ratio: the model sees 28 x 28 either way, and a 2x or 3x export costs the server
     * 4x or 9x the decoding and preprocessing (bench/models.py).
     *
     * Synchronous on purpose. Chromium's canvas.toBlob() (and convertToBlob() on the main
     * thread) encodes in idle-time tasks; on a page with nothing to render it gets no idle
     * time and falls back on its own timers, 1 s or 6.7 s later. toDataURL() encodes at once,
     * in about 2 ms at this size, so a prediction always starts from the drawing as it is now.
     */
    toPngFile() {
      if (frame) paint();
      let source = canvas;
      if (canvas.width !== size) {
        source = document.createElement("canvas");
        source.width = size;
        source.height = size;
        const ctx = source.getContext("2d");
        ctx.imageSmoothingQuality = "high";
        ctx.drawImage(canvas, 0, 0, size, size);
      }
      const url = source.toDataURL("image/png");
      const prefix = "data:image/png;base64,";
      if (!url.startsWith(prefix)) {
        throw new Error("The browser could not turn the drawing into a PNG.");
      }
      const bytes = Uint8Array.from(atob(url.slice(prefix.length)), (char) => char.charCodeAt(0));
      return new File([bytes], "drawing.png", { type: "image/png" });
    },
    /** Show a picture (an uploaded file) in the pad instead of the strokes; null removes it. */
    showPicture(file) {
      strokes.length = 0;
      dropPicture();
      if (file) {
        pictureUrl = URL.createObjectURL(file);
        picture.src = pictureUrl;
        picture.alt = `Your picture ${file.name ?? ""}`.trim();
        picture.hidden = false;
      }
      paint();
    },
  };
}
