// Pooling in the numbers half of the Kernel lab: the pooled grid and the winning cells outlined
// on the output. While the output fills in as the learner steps, a pooled cell (and its winner)
// appears only once every cell of its window has been computed: no value shows before its time.
import { byId } from "../dom.js";
import { formatSize } from "../format.js";
import { t } from "../i18n/index.js";
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
  const shapes = {
    size: pool.size,
    stride: pool.strides ?? pool.size,
    before: formatSize(state.result.output_shape),
    after: formatSize(response.output_shape),
  };
  const sentences = [
    pool.mode === "max"
      ? t("Max pooling {size} × {size}, stride {stride}: the {before} output becomes {after}.", shapes)
      : t("Average pooling {size} × {size}, stride {stride}: the {before} output becomes {after}.", shapes),
  ];
  if (response.argmax) sentences.push(t("Outlined output cells won their window."));
  if (lab.reveal.checked) sentences.push(t("A pooled cell appears once its whole window is filled in."));
  byId("numbers-pool-summary").textContent = sentences.join(" ");
  renderOutputSize(byId("numbers-pool-size"), response.output_size, t("pool size"));
}
