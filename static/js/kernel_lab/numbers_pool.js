// Pooling in the numbers half of the Kernel lab: the pooled grid and the winning cells outlined
// on the output. While the output fills in as the learner steps, a pooled cell (and its winner)
// appears only once every cell of its window has been computed: no value shows before its time.
import { byId } from "../dom.js";
import { formatSize } from "../format.js";
import { flatValues, scaleFor } from "../render/colormap.js";
import { renderOutputSize } from "../render/size_view.js";

/** The flat index (row-major) of the last output cell pooled into pooled cell `index` on `axis`. */
const lastCell = (axis, index, length) =>
  Math.min(length - 1, index * axis.stride - axis.pad_before + axis.window - 1);

/** Draw the pooled answer kept in `lab.state.pooled` as far as the output has been revealed. */
export function renderPooled(lab) {
  const { state, outputGrid, pooledGrid } = lab;
  const { pooled } = state;
  if (!pooled) return;
  const [outRows, outCols] = state.result.output_shape;
  const revealedUpTo = lab.reveal.checked ? state.index : Infinity;
  const { rows, cols } = pooled.output_size;
  const done = (i, j) =>
    lastCell(rows, i, outRows) * outCols + lastCell(cols, j, outCols) <= revealedUpTo;
  const hidden = lab.reveal.checked ? (i, j) => !done(i, j) : null;
  pooledGrid.render(pooled.output, { scale: scaleFor(flatValues(pooled.output)), hidden });
  const winners = (pooled.argmax ?? []).flatMap((row, i) => row.filter((_, j) => done(i, j)));
  outputGrid.highlight("winner", winners);
}

/** Keep a /api/pool/matrix answer and show it with its summary and arithmetic. */
export function showPooled(lab, response, pool) {
  const { state } = lab;
  state.pooled = response;
  renderPooled(lab);
  byId("numbers-pool-result").hidden = false;
  byId("numbers-pooled-shape").textContent = formatSize(response.output_shape);
  byId("numbers-pool-summary").textContent =
    `${pool.mode === "max" ? "Max" : "Average"} pooling ${pool.size} × ${pool.size}, stride ` +
    `${pool.strides ?? pool.size}: the ${formatSize(state.result.output_shape)} output becomes ` +
    `${formatSize(response.output_shape)}.` +
    (response.argmax ? " Outlined output cells won their window." : "") +
    (lab.reveal.checked ? " A pooled cell appears once its whole window is filled in." : "");
  renderOutputSize(byId("numbers-pool-size"), response.output_size, "pool size");
}
