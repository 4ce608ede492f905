// One feature map enlarged in a modal <dialog>: big and crisp, with the value under the pointer
// or under a keyboard cursor (arrow keys; Shift moves by 10), Previous / Next map, and Escape,
// Close or a click outside to leave. Focus returns to whatever opened it.
import { EXPLORER } from "../config.js";
import { el } from "../dom.js";
import { formatNumber } from "../format.js";
import { cellPx } from "../render/feature_maps.js";
import { renderLegend } from "../render/legend.js";
import { placeBox } from "../render/marker.js";
import { drawHeatmap } from "../render/raster.js";
import { createPixelPicker } from "./pixel_picker.js";

const HINT = "Point at the map, or focus it and use the arrow keys, to read a value.";

// The dialog's elements, the dialog appended to the page's body.
function buildDialog() {
  const title = el("h2", { id: "map-dialog-title" });
  const about = el("p", { class: "note", id: "map-dialog-about" });
  const canvas = el("canvas", {
    class: "map-dialog-canvas",
    tabindex: 0,
    role: "img",
    "aria-describedby": "map-dialog-about",
  });
  const marker = el("div", { class: "map-marker", hidden: true });
  const stage = el("div", { class: "map-dialog-stage" }, [canvas, marker]);
  const readout = el("p", { class: "readout", dataset: { role: "readout" }, "aria-live": "polite", text: HINT });
  const legend = el("div");
  const previous = el("button", { type: "button", class: "button button-quiet", text: "← Previous map" });
  const next = el("button", { type: "button", class: "button button-quiet", text: "Next map →" });
  const close = el("button", { type: "button", class: "button", text: "Close", "data-role": "close" });
  const dialog = el("dialog", { class: "map-dialog", "aria-labelledby": title.id }, [
    el("div", { class: "map-dialog-head" }, [title, close]),
    about,
    stage,
    readout,
    legend,
    el("div", { class: "button-row" }, [previous, next]),
  ]);
  document.body.append(dialog);
  return { dialog, title, about, canvas, marker, stage, readout, legend, previous, next, close };
}

/** createMapDialog() returns {element, open({layer, maps, index, scale, describe(index)})}. */
export function createMapDialog() {
  const { dialog, title, about, canvas, marker, stage, readout, legend, previous, next, close } = buildDialog();

  let current = null;
  let opener = null;
  // The picker takes Escape for itself; here Escape should leave the dialog, as everywhere else.
  const picker = createPixelPicker(canvas, { onMove: show, onSelect: show, onRelease: () => dialog.close() });

  function map() {
    return current.maps[current.index];
  }

  function show([row, col]) {
    const value = map()[row][col];
    placeBox(marker, { width: map()[0].length, height: map().length }, { top: row, left: col, height: 1, width: 1 });
    readout.textContent = `Row ${row}, column ${col}: ${formatNumber(value)}`;
    Object.assign(readout.dataset, { row, col, value });
  }

  function hide() {
    marker.hidden = true;
    readout.textContent = HINT;
  }

  function paint() {
    const values = map();
    const rows = values.length;
    const cols = values[0].length;
    const px = cellPx(Math.max(rows, cols), EXPLORER.enlargedPx);
    canvas.style.width = `${cols * px}px`;
    stage.style.width = `${cols * px}px`;
    drawHeatmap(canvas, values, current.scale);
    picker.setShape(rows, cols);
    title.textContent = `${current.layer}, map ${current.index} of ${current.maps.length}`;
    about.textContent = current.describe?.(current.index) ?? "";
    canvas.setAttribute("aria-label", `${current.layer} map ${current.index}, ${rows} × ${cols} values`);
    dialog.dataset.layer = current.layer;
    dialog.dataset.channel = String(current.index);
    previous.disabled = current.index === 0;
    next.disabled = current.index === current.maps.length - 1;
    hide();
  }

  function step(delta) {
    current.index = Math.min(current.maps.length - 1, Math.max(0, current.index + delta));
    paint();
  }

  previous.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(1));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
  dialog.addEventListener("close", () => opener?.focus());

  return {
    element: dialog,
    open({ layer, maps, index, scale, describe }) {
      opener = document.activeElement;
      current = { layer, maps, index, scale, describe };
      renderLegend(legend, scale, "Value colour");
      paint();
      dialog.showModal();
      canvas.focus();
    },
  };
}
