// Links that open the Kernel lab with a given kernel: /#kernel=[[...]]&label=... (any 2-D kernel;
// the network explorer writes it for a learned filter), or /#model=<id>&filter=<f> (filter f of
// that model's first convolution, 1 or 3 channels, with its bias, strides and padding). The
// Kernel lab reads them at startup, as part of its whole-view link (view_link.js, which
// documents every parameter).
import { SIZES } from "../config.js";
import { roundTo } from "../format.js";
import { t } from "../i18n/index.js";

/** The name of a link's kernel that has no label of its own, in the page's language. */
export const unnamedLinkKernel = () => t("a kernel from a link");

/** Weights rounded the way the Kernel lab shows them (DEFAULTS.decimals places). */
export const roundKernel = (matrix) => matrix.map((row) => row.map((value) => roundTo(value)));

/** The Kernel lab's URL with `matrix` (rows of weights) loaded as the kernel. */
export function kernelLabHref(matrix, label) {
  const params = new URLSearchParams({ kernel: JSON.stringify(roundKernel(matrix)), label });
  return `/#${params}`;
}

/**
 * The kernel in a location hash made by kernelLabHref: {matrix, label}; null when the hash holds
 * no kernel. Throws an Error saying what is wrong with a malformed one.
 */
export function readKernelLink(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const text = params.get("kernel");
  if (text === null) return null;
  let matrix;
  try {
    matrix = JSON.parse(text);
  } catch {
    throw new Error(t("The link's kernel is not valid JSON; expected rows of numbers like [[0,1],[1,0]]."));
  }
  const rows = Array.isArray(matrix) ? matrix.length : 0;
  const cols = Array.isArray(matrix?.[0]) ? matrix[0].length : 0;
  const inRange = (n) => n >= SIZES.kernelMin && n <= SIZES.kernelMax;
  const valid =
    inRange(rows) &&
    inRange(cols) &&
    matrix.every((row) => Array.isArray(row) && row.length === cols && row.every(Number.isFinite));
  if (!valid) {
    throw new Error(
      t(
        "The link's kernel must be {min} to {max} rows of the same number of numbers; the " +
          "default kernel is shown instead.",
        { min: SIZES.kernelMin, max: SIZES.kernelMax },
      ),
    );
  }
  const label = (params.get("label") ?? "").trim().slice(0, 80) || unnamedLinkKernel();
  return { matrix, label };
}

/** The Kernel lab's hash for filter `filter` of model `modelId`'s first convolution. */
export const filterLabHash = (modelId, filter) =>
  `#${new URLSearchParams({ model: modelId, filter: String(filter) })}`;

/** {model, filter} from a hash made by filterLabHash; null when the hash names no model. */
export function readFilterLink(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const model = params.get("model");
  if (model === null) return null;
  const text = params.get("filter") ?? "0";
  const filter = Number(text);
  if (!model || text.trim() === "" || !Number.isInteger(filter) || filter < 0) {
    throw new Error(
      t(
        "The link must name a model and a filter number from 0, like #model=lenet5&filter=3; " +
          'got model "{model}", filter "{filter}".',
        { model, filter: text },
      ),
    );
  }
  return { model, filter };
}
