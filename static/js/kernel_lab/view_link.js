// The Kernel lab's whole view in its address, one scheme for both tabs: a link (one per lesson
// step on a slide, the /learn page, the network explorer) opens the lab just so, and a reload
// keeps what the learner set. The hash is read as URL search parameters. A missing parameter
// means its default, and the lab writes only the ones that differ from their default, so a
// link stays short and the same view always has the same link.
//
//   tab=numbers             the Numbers tab; without it the Image tab. (Old links: #numbers.)
//   preset=<name>           a preset kernel, named as GET /api/kernels lists them (sobel_left)
//   kernel=<JSON rows>      a kernel's weights instead, 1..7 rows of 1..7 numbers: [[0,1],[1,0]]
//   label=<text>            the name such a kernel is shown under (optional)
//   model=<id>&filter=<f>   Image tab: filter f of that model's first convolution, with the
//                           layer's stride, padding and bias and the "rescale" mapping; those
//                           are written only when they differ from the layer's own
//   stride=<1..8>           the kernel's stride (default 1)
//   padding=valid|same|<n>  no padding (default), Keras "same", or n zeros per side (0..64)
//   bias=<number>           added to every output value (default 0)
//   pool=max|average        pooling is on, with pool_size=<1..8> (default 2),
//                           pool_stride=<1..8> (default: the size), pool_padding=valid|same
//   pixel=<row>,<col>       the selected output pixel (Image) or the window's position (Numbers)
// Image tab only:
//   sample=<name>           a sample picture (GET /api/samples); an uploaded file cannot travel
//                           in a link, so its view opens on the first sample
//   color=rgb|gray          default rgb
//   mapping=clip|rescale|absolute|auto   values to pixels (default clip)
//   channels=each|all       the kernel on each channel separately (default) or one filter summed
//                           over all channels, as Keras Conv2D
//   zoom=0|1|2|4|8          0 (default) fits the column; otherwise CSS pixels per picture pixel
// Numbers tab only:
//   input=<JSON rows>       the input grid, 2..12 rows of 2..12 numbers
//   fill=1                  "Fill in the output as I step"
import { DEFAULTS, SIZES } from "../config.js";
import { t } from "../i18n/index.js";
import { readFilterLink, readKernelLink, unnamedLinkKernel } from "./kernel_link.js";

const CHOICES = {
  color: ["rgb", "gray"],
  mapping: ["clip", "rescale", "absolute", "auto"],
  channels: ["each", "all"],
  pool: ["max", "average"],
  pool_padding: ["valid", "same"],
};

function wholeIn(text, min, max) {
  const value = Number(text);
  return text.trim() !== "" && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

function numberGrid(text, min, max) {
  try {
    const rows = JSON.parse(text);
    const cols = rows?.[0]?.length;
    const fits = (n) => Number.isInteger(n) && n >= min && n <= max;
    const valid =
      Array.isArray(rows) &&
      fits(rows.length) &&
      fits(cols) &&
      rows.every((row) => Array.isArray(row) && row.length === cols && row.every(Number.isFinite));
    return valid ? rows : null;
  } catch {
    return null;
  }
}

/**
 * The view a location hash asks for: {view, problems}. `view` holds only what the hash sets:
 * {tab, kernel: {name} | {matrix, label, note}, filter: {model, filter}, conv: {strides?,
 * padding?, bias?}, pool: {mode, size, strides, padding}, pixel: [row, col], sample, color,
 * mapping, channels, zoom, input, fill}. `problems` says in words what could not be used.
 */
export function readViewLink(hash) {
  const text = hash.replace(/^#/, "");
  const params = new URLSearchParams(text);
  const view = { tab: params.get("tab") === "numbers" || text === "numbers" ? "numbers" : "image" };
  const problems = [];
  // One sentence per kind of value a parameter expects: `expected(fields)` says it in words.
  const bad = (name, expected, fields = {}) =>
    problems.push(expected({ name, value: params.get(name), ...fields }));
  const wholeNumber = (p) =>
    t('The link\'s {name}="{value}" was ignored: expected a whole number from {min} to {max}.', p);
  const oneOf = (p) => t('The link\'s {name}="{value}" was ignored: expected {choices}.', p);

  try {
    const link = params.has("kernel") ? readKernelLink(hash) : null;
    if (link) {
      const note = t(
        "Loaded from a link: {label}, weights rounded to {decimals} decimals. Edit any cell to make it your own.",
        { label: link.label, decimals: DEFAULTS.decimals },
      );
      view.kernel = { ...link, note };
    }
  } catch (error) {
    problems.push(error.message);
  }
  if (params.has("preset") && !view.kernel) view.kernel = { name: params.get("preset") };
  try {
    view.filter = readFilterLink(hash) ?? undefined;
  } catch (error) {
    problems.push(error.message);
  }

  const conv = {};
  if (params.has("stride")) {
    conv.strides = wholeIn(params.get("stride"), 1, SIZES.strideMax);
    if (conv.strides === null) bad("stride", wholeNumber, { min: 1, max: SIZES.strideMax });
  }
  if (params.has("padding")) {
    const padding = params.get("padding");
    conv.padding = ["valid", "same"].includes(padding) ? padding : wholeIn(padding, 0, SIZES.paddingMax);
    if (conv.padding === null) {
      const padding = (p) =>
        t(
          'The link\'s {name}="{value}" was ignored: expected valid, same or a number of zeros from 0 to {max}.',
          p,
        );
      bad("padding", padding, { max: SIZES.paddingMax });
    }
  }
  if (params.has("bias")) {
    const bias = Number(params.get("bias"));
    conv.bias = params.get("bias").trim() !== "" && Number.isFinite(bias) && Math.abs(bias) <= 1e6 ? bias : null;
    if (conv.bias === null) {
      bad("bias", (p) =>
        t('The link\'s {name}="{value}" was ignored: expected a number between -1000000 and 1000000.', p),
      );
    }
  }
  view.conv = Object.fromEntries(Object.entries(conv).filter(([, value]) => value !== null));

  for (const [name, values] of Object.entries(CHOICES)) {
    if (!params.has(name)) continue;
    if (values.includes(params.get(name))) view[name] = params.get(name);
    else bad(name, oneOf, { choices: values.join(t(" or ")) });
  }
  if (view.pool) {
    const size = params.has("pool_size") ? wholeIn(params.get("pool_size"), 1, SIZES.poolMax) : 2;
    const strides = params.has("pool_stride") ? wholeIn(params.get("pool_stride"), 1, SIZES.poolMax) : null;
    if (size === null) bad("pool_size", wholeNumber, { min: 1, max: SIZES.poolMax });
    if (params.has("pool_stride") && strides === null) {
      bad("pool_stride", wholeNumber, { min: 1, max: SIZES.poolMax });
    }
    view.pool = { mode: view.pool, size: size ?? 2, strides, padding: view.pool_padding ?? "valid" };
  }
  delete view.pool_padding;

  if (params.has("pixel")) {
    const [row, col] = params.get("pixel").split(",").map((part) => wholeIn(part, 0, 100_000));
    if (row === null || col === null || row === undefined || col === undefined) {
      bad("pixel", (p) =>
        t('The link\'s {name}="{value}" was ignored: expected a row and a column from 0, like 3,5.', p),
      );
    } else {
      view.pixel = [row, col];
    }
  }
  if (params.has("sample")) view.sample = params.get("sample");
  if (params.has("zoom")) {
    const zoom = Number(params.get("zoom"));
    if (SIZES.zoomLevels.includes(zoom)) view.zoom = zoom;
    else bad("zoom", oneOf, { choices: SIZES.zoomLevels.join(", ") });
  }
  if (params.has("input")) {
    view.input = numberGrid(params.get("input"), SIZES.numbersMin, SIZES.numbersMax) ?? undefined;
    if (!view.input) {
      const rows = (p) =>
        t('The link\'s {name}="{value}" was ignored: expected {min} to {max} rows of as many numbers each.', p);
      bad("input", rows, { min: SIZES.numbersMin, max: SIZES.numbersMax });
    }
  }
  if (params.get("fill") === "1") view.fill = true;
  return { view, problems };
}

/** The hash for `entries` ([name, value] pairs, in order; null values are left out). */
export function viewHash(entries) {
  const params = new URLSearchParams();
  for (const [name, value] of entries) if (value !== null && value !== undefined) params.append(name, value);
  // Commas need no escaping in a hash: "pixel=3,5" reads better than "pixel=3%2C5".
  const text = params.toString().replaceAll("%2C", ",");
  return text ? `#${text}` : "";
}

// The kernel editor's name for a kernel of the learner's own (a value, not translated there).
const CUSTOM = "custom kernel";
// Labels that name no kernel in particular: a link leaves them out (the reader's page puts its
// own in, in its own language).
const unnamed = (label) => !label || label === CUSTOM || label === unnamedLinkKernel();

/** [name, value] pairs for a kernel: a preset by name, or its weights (and label, if any). */
export function kernelEntries(kernel, defaultName) {
  if (kernel.name) return kernel.name === defaultName ? [] : [["preset", kernel.name]];
  const entries = [["kernel", JSON.stringify(kernel.matrix)]];
  if (!unnamed(kernel.label)) entries.push(["label", kernel.label]);
  return entries;
}

/** [name, value] pairs for pooling (on, with its settings), or none when it is off. */
export function poolEntries(pool) {
  if (!pool) return [];
  return [
    ["pool", pool.mode],
    ["pool_size", pool.size === 2 ? null : pool.size],
    ["pool_stride", pool.strides],
    ["pool_padding", pool.padding === "valid" ? null : pool.padding],
  ];
}
