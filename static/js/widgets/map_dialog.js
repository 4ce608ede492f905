// One feature map enlarged in a modal <dialog>: big and crisp, with the value under the pointer
// or under a keyboard cursor (arrow keys; Shift moves by 10), Previous / Next map, and Escape,
// Close or a click outside to leave. Focus returns to whatever opened it. A click (or Enter)
// selects a cell; when the opener passes `detail`, it fills a panel beside the map about the
// selected cell (the Explorer shows how a convolution computed it).
import { EXPLORER } from "../config.js";
import { el } from "../dom.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n/index.js";
import { cellPx } from "../render/feature_maps.js";
import { renderLegend } from "../render/legend.js";
import { placeBox } from "../render/marker.js";
import { drawHeatmap } from "../render/raster.js";
import { createPixelPicker } from "./pixel_picker.js";

const HINT = () => t("Point at the map, or focus it and use the arrow keys, to read a value.");

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
  const readout = el("p", { class: "readout", dataset: { role: "readout" }, "aria-live": "polite", text: HINT() });
  const legend = el("div");
  const chosen = el("div", { class: "map-marker is-chosen", hidden: true });
  stage.append(chosen);
  const detail = el("div", { class: "map-dialog-detail", dataset: { role: "map-detail" }, hidden: true });
  const previous = el("button", { type: "button", class: "button button-quiet", text: t("← Previous map") });
  const next = el("button", { type: "button", class: "button button-quiet", text: t("Next map →") });
  const close = el("button", { type: "button", class: "button", text: t("Close"), "data-role": "close" });
  const dialog = el("dialog", { class: "map-dialog", "aria-labelledby": title.id }, [
    el("div", { class: "map-dialog-head" }, [title, close]),
    el("div", { class: "map-dialog-body" }, [
      el("div", { class: "map-dialog-map" }, [
        about,
        stage,
        readout,
        legend,
        el("div", { class: "button-row" }, [previous, next]),
      ]),
      detail,
    ]),
  ]);
  document.body.append(dialog);
  return { dialog, title, about, canvas, marker, chosen, stage, readout, legend, detail, previous, next, close };
}

/** The [row, col] of a map's largest value: a cell worth explaining first. */
function brightest(values) {
  let best = [0, 0];
  values.forEach((row, r) =>
    row.forEach((value, c) => {
      if (value > values[best[0]][best[1]]) best = [r, c];
    }),
  );
  return best;
}

/**
 * createMapDialog() returns {element, open({layer, maps, index, scale, describe(index), selected,
 * detail(index, [row, col], panel) -> {stop()} | null, onChange({index, selected}), onClose()})}.
 * `scale` is one scale, or a function index -> scale when each map has its own.
 */
export function createMapDialog() {
  const parts = buildDialog();
  const { dialog, title, about, canvas, marker, chosen, stage, readout, legend, detail, previous, next, close } = parts;

  let current = null;
  let opener = null;
  // The picker takes Escape for itself; here Escape should leave the dialog, as everywhere else.
  const picker = createPixelPicker(canvas, { onMove: show, onSelect: select, onRelease: () => dialog.close() });
  let shownDetail = null;

  function map() {
    return current.maps[current.index];
  }

  function show([row, col]) {
    const value = map()[row][col];
    placeBox(marker, { width: map()[0].length, height: map().length }, { top: row, left: col, height: 1, width: 1 });
    readout.textContent = t("Row {row}, column {col}: {value}", { row, col, value: formatNumber(value) });
    Object.assign(readout.dataset, { row, col, value });
  }

  function hide() {
    marker.hidden = true;
    readout.textContent = HINT();
  }

  const scaleOf = (index) => (typeof current.scale === "function" ? current.scale(index) : current.scale);

  // The selected cell: marked on the map, explained beside it by the opener's `detail`.
  function select(pos) {
    show(pos);
    current.selected = pos;
    picker.setPosition(pos);
    const [row, col] = pos;
    placeBox(chosen, { width: map()[0].length, height: map().length }, { top: row, left: col, height: 1, width: 1 });
    Object.assign(dialog.dataset, { row, col });
    shownDetail?.stop();
    shownDetail = current.detail?.(current.index, pos, detail) ?? null;
    detail.hidden = !shownDetail;
    dialog.classList.toggle("has-detail", Boolean(shownDetail));
    current.onChange?.({ index: current.index, selected: pos });
  }

  function paint() {
    const values = map();
    const rows = values.length;
    const cols = values[0].length;
    const px = cellPx(Math.max(rows, cols), EXPLORER.enlargedPx);
    canvas.style.width = `${cols * px}px`;
    stage.style.width = `${cols * px}px`;
    drawHeatmap(canvas, values, scaleOf(current.index));
    renderLegend(legend, scaleOf(current.index), current.legendCaption ?? t("Value colour"));
    picker.setShape(rows, cols);
    const named = { layer: current.layer, index: current.index, count: current.maps.length, rows, cols };
    title.textContent = t("{layer}, map {index} of {count}", named);
    about.textContent = current.describe?.(current.index) ?? "";
    canvas.setAttribute("aria-label", t("{layer} map {index}, {rows} × {cols} values", named));
    dialog.dataset.layer = current.layer;
    dialog.dataset.channel = String(current.index);
    previous.disabled = current.index === 0;
    next.disabled = current.index === current.maps.length - 1;
    hide();
    select(current.selected ?? brightest(values));
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
  dialog.addEventListener("close", () => {
    shownDetail?.stop();
    shownDetail = null;
    current?.onClose?.();
    opener?.focus();
  });

  return {
    element: dialog,
    open({ layer, maps, index, scale, legendCaption, describe, selected, detail: explain, onChange, onClose }) {
      opener = document.activeElement;
      const fits = selected && selected[0] < maps[index].length && selected[1] < maps[index][0].length;
      current = { layer, maps, index, scale, legendCaption, describe, selected: fits ? selected : null };
      Object.assign(current, { detail: explain, onChange, onClose });
      paint();
      dialog.showModal();
      canvas.focus();
    },
  };
}
