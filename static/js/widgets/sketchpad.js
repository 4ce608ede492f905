// A square drawing pad for mouse, touch and pen (Pointer Events with pointer capture): smooth
// round strokes, undo per stroke, clear, an optional picture shown in its place (an upload),
// and the drawing as a PNG file. Points are kept in pad units (0..size), so the pad can be drawn
// at any CSS width and any device-pixel ratio.
import { SKETCH } from "../config.js";
import { el } from "../dom.js";
import { t } from "../i18n/index.js";

const midpoint = (a, b) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];

/** A quadratic curve through the midpoints: smooth, and it still passes near every sample. */
function drawStroke(ctx, points, strokeWidth) {
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

/**
 * The canvas as a PNG file, ink on white, at `size` x `size` pixels (its CSS size) whatever the
 * screen's pixel ratio: the model sees 28 x 28 either way, and a 2x or 3x export costs the server
 * 4x or 9x the decoding and preprocessing (bench/models.py).
 *
 * Synchronous on purpose. Chromium's canvas.toBlob() (and convertToBlob() on the main
 * thread) encodes in idle-time tasks; on a page with nothing to render it gets no idle
 * time and falls back on its own timers, 1 s or 6.7 s later. toDataURL() encodes at once,
 * in about 2 ms at this size, so a prediction always starts from the drawing as it is now.
 */
function canvasPngFile(canvas, size) {
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
    throw new Error(t("The browser could not turn the drawing into a PNG."));
  }
  const bytes = Uint8Array.from(atob(url.slice(prefix.length)), (char) => char.charCodeAt(0));
  return new File([bytes], "drawing.png", { type: "image/png" });
}

// The functions below work on one pad context: its elements (canvas, picture, hint, element), its
// options (size, strokeWidth, onChange), the strokes, the stroke being drawn (active:
// {pointerId, points}), the pending animation frame and the shown picture's object URL.

function resizeBacking(pad) {
  const { canvas, size } = pad;
  const ratio = Math.max(1, Math.round(window.devicePixelRatio || 1));
  if (canvas.width !== size * ratio) {
    canvas.width = size * ratio;
    canvas.height = size * ratio;
  }
  return ratio;
}

function paint(pad) {
  pad.frame = 0;
  const { size, strokes, pictureUrl } = pad;
  const ratio = resizeBacking(pad);
  const ctx = pad.canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = SKETCH.paper;
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = SKETCH.ink;
  ctx.fillStyle = SKETCH.ink;
  ctx.lineWidth = pad.strokeWidth;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const points of strokes) drawStroke(ctx, points, pad.strokeWidth);
  const empty = strokes.length === 0;
  pad.element.dataset.empty = String(empty && !pictureUrl);
  pad.hint.hidden = !empty || Boolean(pictureUrl);
}

function pointOf(pad, event) {
  const { size } = pad;
  const rect = pad.canvas.getBoundingClientRect();
  const x = ((event.clientX - rect.left) / rect.width) * size;
  const y = ((event.clientY - rect.top) / rect.height) * size;
  return [Math.min(size, Math.max(0, x)), Math.min(size, Math.max(0, y))];
}

function dropPicture(pad) {
  if (!pad.pictureUrl) return;
  URL.revokeObjectURL(pad.pictureUrl);
  pad.pictureUrl = null;
  pad.picture.hidden = true;
  pad.picture.removeAttribute("src");
}

function showPicture(pad, file) {
  pad.strokes.length = 0;
  dropPicture(pad);
  if (file) {
    pad.pictureUrl = URL.createObjectURL(file);
    pad.picture.src = pad.pictureUrl;
    pad.picture.alt = file.name ? t("Your picture {name}", { name: file.name }) : t("Your picture");
    pad.picture.hidden = false;
  }
  paint(pad);
}

// Pointer Events: a stroke starts on pointerdown, grows on pointermove (every coalesced sample,
// painted once a frame) and ends on pointerup, pointercancel or a lost capture.
function listenForStrokes(pad) {
  const { canvas } = pad;
  canvas.addEventListener("pointerdown", (event) => {
    if (pad.active || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    try {
      canvas.setPointerCapture(event.pointerId); // keep the stroke when the pen leaves the pad
    } catch {
      // A synthetic event has no real pointer to capture; the stroke works without it.
    }
    dropPicture(pad);
    pad.active = { pointerId: event.pointerId, points: [pointOf(pad, event)] };
    pad.strokes.push(pad.active.points);
    paint(pad);
    pad.onChange?.({ type: "start" });
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!pad.active || event.pointerId !== pad.active.pointerId) return;
    const samples = event.getCoalescedEvents?.() ?? [];
    for (const sample of samples.length ? samples : [event]) pad.active.points.push(pointOf(pad, sample));
    if (!pad.frame) pad.frame = requestAnimationFrame(() => paint(pad));
    pad.onChange?.({ type: "move" });
  });
  const finish = (event) => {
    if (!pad.active || event.pointerId !== pad.active.pointerId) return;
    pad.active = null;
    if (pad.frame) cancelAnimationFrame(pad.frame);
    paint(pad);
    pad.onChange?.({ type: "end" });
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  canvas.addEventListener("lostpointercapture", finish);
}

/**
 * createSketchpad(parent, {label, size, strokeWidth, onChange({type})}) where type is "start",
 * "move", "end" (of a stroke), "undo" or "clear". Returns {element, canvas, isEmpty(),
 * strokeCount(), undo(), clear(), toPngFile(), showPicture(file | null), hasPicture()}.
 */
export function createSketchpad(parent, options = {}) {
  const {
    label = t("Drawing pad"),
    size = SKETCH.size,
    strokeWidth = SKETCH.strokeWidth,
    onChange,
  } = options;
  const canvas = el("canvas", {
    class: "sketch-canvas",
    role: "img",
    "aria-label": t("{label}: draw a digit here with a mouse, a finger or a pen.", { label }),
  });
  const hint = el("p", { class: "sketch-hint", "aria-hidden": "true", text: t("Draw a digit here") });
  const picture = el("img", { class: "sketch-picture", alt: "", hidden: true });
  const element = el("div", { class: "sketchpad", dataset: { empty: "true" } }, [
    canvas,
    picture,
    hint,
  ]);
  parent.append(element);
  const pad = {
    ...{ canvas, hint, picture, element, size, strokeWidth, onChange },
    ...{ strokes: [], active: null, frame: 0, pictureUrl: null },
  };
  listenForStrokes(pad);
  paint(pad);

  return {
    element,
    canvas,
    isEmpty: () => pad.strokes.length === 0,
    strokeCount: () => pad.strokes.length,
    hasPicture: () => Boolean(pad.pictureUrl),
    /** Remove the last stroke; returns false when there was none. */
    undo() {
      if (pad.active || !pad.strokes.length) return false;
      pad.strokes.pop();
      paint(pad);
      onChange?.({ type: "undo" });
      return true;
    },
    clear() {
      pad.active = null;
      pad.strokes.length = 0;
      dropPicture(pad);
      paint(pad);
      onChange?.({ type: "clear" });
    },
    /** The drawing as a PNG file (see canvasPngFile), with any pending stroke painted first. */
    toPngFile() {
      if (pad.frame) paint(pad);
      return canvasPngFile(canvas, size);
    },
    /** Show a picture (an uploaded file) in the pad instead of the strokes; null removes it. */
    showPicture: (file) => showPicture(pad, file),
  };
}
