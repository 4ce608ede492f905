// Choosing an output pixel on a canvas with a mouse (hover previews, click selects), touch or
// pen (tap or drag selects) and the keyboard (arrows move, Shift+arrows move by 10,
// Enter/Space select, Escape releases). The canvas must be focusable (tabindex="0").

const STEPS = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/** The [row, col] of a rows x cols picture under a pointer event, or null outside it. */
export function cellAt(element, event, rows, cols) {
  const rect = element.getBoundingClientRect();
  if (!rows || !cols || rect.width === 0 || rect.height === 0) return null;
  const col = Math.floor(((event.clientX - rect.left) / rect.width) * cols);
  const row = Math.floor(((event.clientY - rect.top) / rect.height) * rows);
  if (row < 0 || col < 0 || row >= rows || col >= cols) return null;
  return [row, col];
}

/**
 * createPixelPicker(canvas, {onMove(pos, how), onSelect(pos), onRelease()}) with pos = [row, col]
 * and how = "hover" | "drag" | "key". Returns {setShape(rows, cols), position, setPosition}.
 */
export function createPixelPicker(canvas, { onMove, onSelect, onRelease }) {
  let rows = 0;
  let cols = 0;
  let position = [0, 0];

  const fromEvent = (event) => cellAt(canvas, event, rows, cols);

  canvas.addEventListener("pointermove", (event) => {
    const pos = fromEvent(event);
    if (!pos) return;
    const dragging = event.buttons !== 0;
    if (event.pointerType === "mouse" && !dragging) {
      position = pos;
      onMove(pos, "hover");
    } else if (dragging) {
      position = pos;
      onMove(pos, "drag");
    }
  });
  canvas.addEventListener("pointerdown", (event) => {
    const pos = fromEvent(event);
    if (!pos) return;
    canvas.focus({ preventScroll: true });
    position = pos;
    onSelect(pos);
  });
  canvas.addEventListener("keydown", (event) => {
    if (!rows || !cols) return;
    if (event.key in STEPS) {
      const [dr, dc] = STEPS[event.key].map((d) => d * (event.shiftKey ? 10 : 1));
      position = [
        Math.min(rows - 1, Math.max(0, position[0] + dr)),
        Math.min(cols - 1, Math.max(0, position[1] + dc)),
      ];
      onMove(position, "key");
    } else if (event.key === "Enter" || event.key === " ") {
      onSelect(position);
    } else if (event.key === "Escape") {
      onRelease();
    } else {
      return;
    }
    event.preventDefault();
  });

  return {
    setShape(newRows, newCols) {
      rows = newRows;
      cols = newCols;
      position = [Math.min(position[0], rows - 1), Math.min(position[1], cols - 1)];
    },
    position: () => position,
    setPosition(pos) {
      position = pos;
    },
  };
}
