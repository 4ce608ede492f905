// One renderer for every grid of numbers on the page: the numbers-mode input and output,
// kernel editors and the trace tables. Cells can be editable, coloured by a scale, framed by a
// ring of zero padding, highlighted (window, current position, winners) and clickable.
import { el } from "../dom.js";
import { formatNumber } from "../format.js";

const NO_PAD = { top: 0, bottom: 0, left: 0, right: 0 };
const key = (r, c) => `${r},${c}`;

/**
 * createNumberGrid(parent, {label, editable, onEdit(r, c, value), onSelect(r, c), cellClass})
 * returns {element, render(values, {scale, pad, hidden(r, c), replace}), highlight(name, cells),
 * read()}; `replace` overwrites editable cells even while one is being edited.
 * Coordinates are those of `values`; padding cells have negative or out-of-range coordinates.
 */
export function createNumberGrid(parent, options = {}) {
  const { label = "Numbers", editable = false, onEdit, onSelect } = options;
  const table = el("table", { class: `num-grid${editable ? " is-editable" : ""}` });
  const wrapper = el("div", { class: "num-grid-wrap" }, [table]);
  parent.append(wrapper);
  let cells = new Map();
  let shapeKey = "";
  let values = [];

  function build(rows, cols, pad) {
    cells = new Map();
    const body = el("tbody");
    for (let r = -pad.top; r < rows + pad.bottom; r++) {
      const tr = el("tr");
      for (let c = -pad.left; c < cols + pad.right; c++) {
        const inside = r >= 0 && r < rows && c >= 0 && c < cols;
        const td = el("td", { class: inside ? "" : "is-pad", dataset: { r, c } });
        if (!inside) td.append(el("span", { text: "0", title: "zero padding" }));
        else if (editable) td.append(editableInput(r, c));
        else if (onSelect) td.append(selectButton(r, c));
        else td.append(el("span"));
        cells.set(key(r, c), td);
        tr.append(td);
      }
      body.append(tr);
    }
    table.replaceChildren(el("caption", { class: "visually-hidden", text: label }), body);
  }

  function editableInput(r, c) {
    return el("input", {
      type: "text",
      inputmode: "decimal",
      autocomplete: "off",
      "aria-label": `${label}, row ${r}, column ${c}`,
      oninput: (event) => {
        const text = event.target.value.trim();
        const value = Number(text);
        const valid = text !== "" && Number.isFinite(value);
        event.target.toggleAttribute("aria-invalid", !valid);
        if (!valid) return;
        values[r][c] = value;
        paintCell(r, c);
        onEdit?.(r, c, value);
      },
    });
  }

  function selectButton(r, c) {
    return el("button", {
      type: "button",
      class: "cell-button",
      "aria-label": `${label}, row ${r}, column ${c}`,
      onclick: () => onSelect(r, c),
    });
  }

  let scale = null;
  let hidden = null;

  function paintCell(r, c, replace = false) {
    const td = cells.get(key(r, c));
    const value = values[r][c];
    const concealed = hidden?.(r, c);
    const colour = scale && !concealed ? scale.colour(value) : null;
    td.style.background = colour ? colour.background : "";
    td.style.color = colour ? colour.text : "";
    const text = concealed ? "" : formatNumber(value);
    td.dataset.value = concealed ? "" : String(value);
    const input = td.querySelector("input");
    if (input) {
      if (replace) input.removeAttribute("aria-invalid");
      if (replace || (document.activeElement !== input && !input.hasAttribute("aria-invalid"))) {
        input.value = text;
      }
    } else {
      td.firstChild.textContent = text;
      if (onSelect) {
        td.firstChild.setAttribute("aria-label", `${label}, row ${r}, column ${c}: ${text || "not yet computed"}`);
      }
    }
  }

  return {
    element: table,
    render(newValues, opts = {}) {
      const pad = { ...NO_PAD, ...opts.pad };
      values = newValues.map((row) => [...row]);
      const rows = values.length;
      const cols = values[0]?.length ?? 0;
      const nextKey = [rows, cols, pad.top, pad.bottom, pad.left, pad.right].join(",");
      if (nextKey !== shapeKey) build(rows, cols, pad);
      shapeKey = nextKey;
      scale = opts.scale ?? null;
      hidden = opts.hidden ?? null;
      const replace = opts.replace ?? false;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) paintCell(r, c, replace);
    },
    /** Mark `cells` ([[r, c], ...]) with the class `is-<name>`, clearing earlier marks. */
    highlight(name, marked = []) {
      for (const td of table.querySelectorAll(`.is-${name}`)) td.classList.remove(`is-${name}`);
      for (const [r, c] of marked) cells.get(key(r, c))?.classList.add(`is-${name}`);
    },
    /** Mark a kh x kw block whose top-left cell is (top, left), with edge classes for a frame. */
    highlightBlock(name, [top, left], [kh, kw]) {
      const marked = windowCells([top, left], [kh, kw]);
      this.highlight(name, marked);
      for (const edge of ["top", "bottom", "left", "right"]) {
        for (const td of table.querySelectorAll(`.${name}-${edge}`)) td.classList.remove(`${name}-${edge}`);
      }
      for (const [r, c] of marked) {
        const td = cells.get(key(r, c));
        if (!td) continue;
        if (r === top) td.classList.add(`${name}-top`);
        if (r === top + kh - 1) td.classList.add(`${name}-bottom`);
        if (c === left) td.classList.add(`${name}-left`);
        if (c === left + kw - 1) td.classList.add(`${name}-right`);
      }
    },
    /** The edited values, or throws naming the first cell that is not a number. */
    read() {
      const bad = table.querySelector("input[aria-invalid]");
      if (bad) throw new Error(`${bad.getAttribute("aria-label")} is not a number; type one.`);
      return values.map((row) => [...row]);
    },
  };
}

/** All [r, c] of a kh x kw window whose top-left cell is (top, left). */
export function windowCells([top, left], [kh, kw]) {
  const cells = [];
  for (let r = 0; r < kh; r++) for (let c = 0; c < kw; c++) cells.push([top + r, left + c]);
  return cells;
}
