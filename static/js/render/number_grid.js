// One renderer for every grid of numbers on the page: the numbers-mode input and output,
// kernel editors and the trace tables. Cells can be editable, coloured by a scale, framed by a
// ring of zero padding, highlighted (window, current position, winners) and clickable.
import { el } from "../dom.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n/index.js";
import { FieldError } from "../widgets/field_errors.js";

const NO_PAD = { top: 0, bottom: 0, left: 0, right: 0 };
const key = (r, c) => `${r},${c}`;

// The grid's parts below are module functions over one context `grid`: the options, the table,
// its cells by "r,c", the values shown and how they are coloured and hidden.

/** "Kernel weight, row 0, column 2": a cell named by its grid's label and its place. */
const cellName = (grid, r, c) => t("{label}, row {row}, column {col}", { label: grid.label, row: r, col: c });

function editableInput(grid, r, c) {
  return el("input", {
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    "aria-label": cellName(grid, r, c),
    oninput: (event) => {
      const text = event.target.value.trim();
      const value = Number(text);
      const valid = text !== "" && Number.isFinite(value);
      event.target.toggleAttribute("aria-invalid", !valid);
      if (!valid) {
        // No longer the old weight's colour: the cell holds no number now.
        Object.assign(event.target.closest("td").style, { background: "", color: "" });
        grid.onInvalid?.(r, c);
        return;
      }
      grid.values[r][c] = value;
      paintCell(grid, r, c);
      grid.onEdit?.(r, c, value);
    },
  });
}

function selectButton(grid, r, c) {
  return el("button", {
    type: "button",
    class: "cell-button",
    "aria-label": cellName(grid, r, c),
    onclick: () => grid.onSelect(r, c),
  });
}

function cellContent(grid, r, c, inside) {
  if (!inside) return el("span", { text: "0", title: t("zero padding") });
  if (grid.editable) return editableInput(grid, r, c);
  if (grid.onSelect) return selectButton(grid, r, c);
  return el("span");
}

function build(grid, rows, cols, pad) {
  grid.cells = new Map();
  const body = el("tbody");
  for (let r = -pad.top; r < rows + pad.bottom; r++) {
    const tr = el("tr");
    for (let c = -pad.left; c < cols + pad.right; c++) {
      const inside = r >= 0 && r < rows && c >= 0 && c < cols;
      const td = el("td", { class: inside ? "" : "is-pad", dataset: { r, c } });
      td.append(cellContent(grid, r, c, inside));
      grid.cells.set(key(r, c), td);
      tr.append(td);
    }
    body.append(tr);
  }
  grid.table.replaceChildren(el("caption", { class: "visually-hidden", text: grid.label }), body);
}

function paintCell(grid, r, c, replace = false) {
  const td = grid.cells.get(key(r, c));
  const value = grid.values[r][c];
  const concealed = grid.hidden?.(r, c);
  const colour = grid.scale && !concealed ? grid.scale.colour(value) : null;
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
    if (grid.onSelect) {
      const named = { label: grid.label, row: r, col: c, value: text };
      const name = text
        ? t("{label}, row {row}, column {col}: {value}", named)
        : t("{label}, row {row}, column {col}: not yet computed", named);
      td.firstChild.setAttribute("aria-label", name);
    }
  }
}

function render(grid, newValues, opts) {
  const pad = { ...NO_PAD, ...opts.pad };
  grid.values = newValues.map((row) => [...row]);
  const rows = grid.values.length;
  const cols = grid.values[0]?.length ?? 0;
  const nextKey = [rows, cols, pad.top, pad.bottom, pad.left, pad.right].join(",");
  if (nextKey !== grid.shapeKey) build(grid, rows, cols, pad);
  grid.shapeKey = nextKey;
  grid.scale = opts.scale ?? null;
  grid.hidden = opts.hidden ?? null;
  const replace = opts.replace ?? false;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) paintCell(grid, r, c, replace);
}

function highlight(grid, name, marked) {
  for (const td of grid.table.querySelectorAll(`.is-${name}`)) td.classList.remove(`is-${name}`);
  for (const [r, c] of marked) grid.cells.get(key(r, c))?.classList.add(`is-${name}`);
}

function highlightBlock(grid, name, [top, left], [kh, kw]) {
  const marked = windowCells([top, left], [kh, kw]);
  highlight(grid, name, marked);
  for (const edge of ["top", "bottom", "left", "right"]) {
    for (const td of grid.table.querySelectorAll(`.${name}-${edge}`)) td.classList.remove(`${name}-${edge}`);
  }
  for (const [r, c] of marked) {
    const td = grid.cells.get(key(r, c));
    if (!td) continue;
    if (r === top) td.classList.add(`${name}-top`);
    if (r === top + kh - 1) td.classList.add(`${name}-bottom`);
    if (c === left) td.classList.add(`${name}-left`);
    if (c === left + kw - 1) td.classList.add(`${name}-right`);
  }
}

function cellProblem(table, parent) {
  const bad = table.querySelector("input[aria-invalid]");
  if (!bad) return null;
  const text = t('{cell}: "{value}" is not a number; type one.', {
    cell: bad.getAttribute("aria-label"),
    value: bad.value.trim(),
  });
  return new FieldError(text, bad, parent);
}

/**
 * createNumberGrid(parent, {label, editable, onEdit(r, c, value), onInvalid(r, c), onSelect(r, c)})
 * returns {element, render(values, {scale, pad, hidden(r, c), replace}), highlight(name, cells),
 * read()}; `replace` overwrites editable cells even while one is being edited.
 * Coordinates are those of `values`; padding cells have negative or out-of-range coordinates.
 */
export function createNumberGrid(parent, options = {}) {
  const { label = t("Numbers"), editable = false, onEdit, onInvalid, onSelect } = options;
  const table = el("table", { class: `num-grid${editable ? " is-editable" : ""}` });
  parent.append(el("div", { class: "num-grid-wrap" }, [table]));
  const grid = {
    ...{ label, editable, onEdit, onInvalid, onSelect, table },
    ...{ cells: new Map(), shapeKey: "", values: [], scale: null, hidden: null },
  };
  return {
    element: table,
    render: (values, opts = {}) => render(grid, values, opts),
    /** Mark `cells` ([[r, c], ...]) with the class `is-<name>`, clearing earlier marks. */
    highlight: (name, marked = []) => highlight(grid, name, marked),
    /** Mark a kh x kw block whose top-left cell is (top, left), with edge classes for a frame. */
    highlightBlock: (name, topLeft, size) => highlightBlock(grid, name, topLeft, size),
    /** A FieldError naming the first cell that does not hold a number, or null. */
    problem: () => cellProblem(table, parent),
    /** The edited values, or throws a FieldError naming the first cell that is not a number. */
    read() {
      const problem = cellProblem(table, parent);
      if (problem) throw problem;
      return grid.values.map((row) => [...row]);
    },
  };
}

/** All [r, c] of a kh x kw window whose top-left cell is (top, left). */
export function windowCells([top, left], [kh, kw]) {
  const cells = [];
  for (let r = 0; r < kh; r++) for (let c = 0; c < kw; c++) cells.push([top + r, left + c]);
  return cells;
}
