// "Apply a filter a model learned": the first convolution layer of a hosted model, one filter
// of it, applied to the lab's picture exactly as Keras Conv2D applies it (its weights, bias,
// strides and padding). A 3-channel filter is kh x kw x 3 and summed over R, G and B; its three
// slices are shown in place of the kernel editor, which cannot hold them.
import { getFilters, getModel, getModels } from "../api.js";
import { SIZES } from "../config.js";
import { el } from "../dom.js";
import { formatNumber, roundTo } from "../format.js";
import { t } from "../i18n/index.js";
import { flatValues, scaleFor } from "../render/colormap.js";
import { renderLegend } from "../render/legend.js";
import { createNumberGrid } from "../render/number_grid.js";
import { orderModels } from "../widgets/model_picker.js";

const SLICE_NAMES = { 1: ["grey"], 3: ["R", "G", "B"] };
// Layers a model may put between its input and its first convolution that leave the picture's
// pattern as it is (a rescale multiplies and shifts every pixel alike).
const PASS_THROUGH = new Set(["Rescaling"]);

/**
 * The first convolution layer of a GET /api/models/{id} answer, when the lab can apply it as
 * Keras does: a Conv2D right on the picture, 1 or 3 input channels, a kernel and stride the
 * lab's controls hold, "valid" or "same" padding. Otherwise null.
 */
export function applicableFirstLayer(detail) {
  const index = detail.summary.findIndex((row) => detail.filter_layers.includes(row.name));
  if (index === -1) return null;
  const row = detail.summary[index];
  if (row.type !== "Conv2D" || !detail.summary.slice(0, index).every((r) => PASS_THROUGH.has(r.type))) {
    return null;
  }
  const channels = row.input_shape[2];
  const [kh, kw] = row.config.kernel_size;
  const [sh, sw] = row.config.strides;
  const fits =
    (channels === 1 || channels === 3) &&
    Math.max(kh, kw) <= SIZES.kernelMax &&
    sh === sw &&
    sh <= SIZES.strideMax &&
    (row.config.padding === "valid" || row.config.padding === "same");
  return fits ? { row, channels, filters: row.config.filters, strides: sh, padding: row.config.padding } : null;
}

/**
 * Filter f's slices in the photo's channel order: a "caffe" model reads blue, green, red, so its
 * slices are reversed to meet the photo's red, green, blue.
 */
function photoOrderSlices(detail, filters, f) {
  const perChannel = filters.kernels[f];
  return detail.scale === "caffe" && perChannel.length === 3 ? [...perChannel].reverse() : perChannel;
}

/** Slices (one per channel, kh x kw each) as the lab sends the kernel: kh x kw, or kh x kw x 3. */
function filterKernel(perChannel) {
  if (perChannel.length === 1) return perChannel[0];
  return perChannel[0].map((row, r) => row.map((_, c) => perChannel.map((slice) => slice[r][c])));
}

/**
 * createLearnedFilter(root, {form, onApply(), onClear(), onError(error)}) returns
 * {start(), apply(modelId, filter), kernel() -> {name: null, matrix, label} | null, clear(),
 * link() -> {model, filter, settings: {strides, padding, bias, mapping}} | null}: what a link to
 * the view says, with the settings the filter brought (a link leaves them out).
 * `form` is the lab's stride / padding / bias form: applying a filter sets them to the layer's.
 */
export function createLearnedFilter(root, { form, onApply, onClear, onError }) {
  const ctx = {
    root,
    form,
    select: root.querySelector("[name=model]"),
    index: root.querySelector("[name=filter]"),
    note: root.querySelector("[data-role=learned-note]"),
    slices: root.querySelector("[data-role=slices]"),
    clearButton: root.querySelector("[data-action=edit-kernel]"),
    models: new Map(), // id -> {detail, layer}
    filters: new Map(), // id -> filters answer
    active: null, // {matrix, label, link}
  };
  root.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    apply(ctx, ctx.select.value, Number(ctx.index.value)).then(onApply, onError);
  });
  ctx.select.addEventListener("change", () => syncIndex(ctx));
  ctx.clearButton.addEventListener("click", () => {
    clear(ctx);
    onClear();
  });
  let loading = null;
  const load = () => (loading ??= loadModels(ctx));
  return {
    start: () => load().catch(onError),
    async apply(modelId, filter) {
      await load();
      await apply(ctx, modelId, filter);
    },
    kernel: () => (ctx.active ? { name: null, matrix: ctx.active.matrix, label: ctx.active.label } : null),
    link: () => ctx.active?.link ?? null,
    clear: () => clear(ctx),
  };
}

async function loadModels(ctx) {
  const models = orderModels(await getModels()).filter((model) => model.filter_layers.length);
  const details = await Promise.all(models.map((model) => getModel(model.id)));
  for (const detail of details) {
    const layer = applicableFirstLayer(detail);
    if (layer) ctx.models.set(detail.id, { detail, layer });
  }
  ctx.select.replaceChildren(
    ...[...ctx.models.values()].map(({ detail, layer }) =>
      el("option", {
        value: detail.id,
        text: t("{model}: {layer}, {count} filters of {size} × {channels}", {
          model: detail.name,
          layer: layer.row.name,
          count: layer.filters,
          size: layer.row.config.kernel_size.join(" × "),
          channels: layer.channels,
        }),
      }),
    ),
  );
  const none = ctx.models.size === 0;
  ctx.root.querySelector("button[type=submit]").disabled = none;
  if (none) {
    ctx.note.textContent = t(
      "No model here starts with a convolution the lab can apply (a Conv2D on the picture, 1 or 3 " +
        "channels, at most {max} × {max}).",
      { max: SIZES.kernelMax },
    );
  }
  syncIndex(ctx);
}

function syncIndex(ctx) {
  const entry = ctx.models.get(ctx.select.value);
  ctx.index.max = entry ? entry.layer.filters - 1 : 0;
  if (Number(ctx.index.value) > Number(ctx.index.max)) ctx.index.value = "0";
}

async function apply(ctx, modelId, f) {
  const entry = ctx.models.get(modelId);
  if (!entry) {
    throw new Error(
      t(
        'Model "{model}" has no first convolution the Kernel lab can apply; pick one of the ' +
          "models listed under “Apply a filter a model learned”.",
        { model: modelId },
      ),
    );
  }
  const { detail, layer } = entry;
  if (!Number.isInteger(f) || f < 0 || f >= layer.filters) {
    throw new Error(
      t("{model}'s {layer} has filters 0 to {last}; got {filter}.", {
        model: detail.name,
        layer: layer.row.name,
        last: layer.filters - 1,
        filter: f,
      }),
    );
  }
  if (!ctx.filters.has(modelId)) ctx.filters.set(modelId, await getFilters(modelId, layer.row.name));
  const filters = ctx.filters.get(modelId);
  const bias = filters.bias?.[f] ?? 0;
  ctx.select.value = modelId;
  syncIndex(ctx);
  ctx.index.value = String(f);
  const perChannel = photoOrderSlices(detail, filters, f);
  const settings = { strides: layer.strides, padding: layer.padding, bias, mapping: "rescale" };
  ctx.active = {
    matrix: filterKernel(perChannel),
    label: t("{model} {layer} filter {filter}", { model: detail.name, layer: layer.row.name, filter: f }),
    link: { model: modelId, filter: f, settings },
  };
  setConvFields(ctx.form, settings);
  showSlices(ctx, perChannel, f, { detail, layer, bias });
  ctx.root.open = true;
}

function setConvFields(form, { strides, padding, bias }) {
  form.querySelector("[name=stride]").value = String(strides);
  form.querySelector("[name=padding]").value = padding;
  form.querySelector("[data-role=pad-amount]").hidden = true;
  // The bias exactly, not rounded: the output is then Conv2D's own, number for number.
  form.querySelector("[name=bias]").value = String(bias);
  // A learned filter's outputs are signed numbers far from 0..255: clipped, most are black.
  const rescale = form.querySelector("[name=mapping][value=rescale]");
  if (rescale) rescale.checked = true;
}

function showSlices(ctx, perChannel, f, { detail, layer, bias }) {
  const names = SLICE_NAMES[perChannel.length];
  const scale = scaleFor(flatValues(perChannel));
  const figures = perChannel.map((slice, c) => {
    const figure = el("figure", { class: "learned-slice", dataset: { channel: names[c] } });
    const label =
      perChannel.length === 1
        ? t("grey slice of filter {filter}", { filter: f })
        : t("{channel} slice of filter {filter}", { channel: names[c], filter: f });
    const grid = createNumberGrid(figure, { label });
    grid.render(slice.map((row) => row.map((v) => roundTo(v))), { scale });
    const caption = perChannel.length === 1 ? t("weights") : t("{channel} slice", { channel: names[c] });
    figure.append(el("figcaption", { text: caption }));
    return figure;
  });
  const legend = el("div");
  renderLegend(legend, scale, t("Weight colour"));
  const [kh, kw] = layer.row.config.kernel_size;
  let sum = t("output = picture ∗ weights + bias.");
  if (perChannel.length > 1 && detail.scale === "caffe") {
    sum = t(
      "output = R ∗ R slice + G ∗ G slice + B ∗ B slice + bias: one map, summed over the " +
        "channels, as Keras Conv2D computes it (a grey picture is read as R = G = B); {model} " +
        "reads blue, green, red (caffe), so its slices are shown in the photo's red, green, blue order.",
      { model: detail.name },
    );
  } else if (perChannel.length > 1) {
    sum = t(
      "output = R ∗ R slice + G ∗ G slice + B ∗ B slice + bias: one map, summed over the " +
        "channels, as Keras Conv2D computes it (a grey picture is read as R = G = B).",
    );
  }
  const filter = t(
    'Filter {filter} of {model}\'s {layer}: {kh} × {kw} × {channels} weights, bias {bias}, stride {stride}, padding "{padding}".',
    {
      filter: f,
      model: detail.name,
      layer: layer.row.name,
      kh,
      kw,
      channels: perChannel.length,
      bias: formatNumber(bias),
      stride: layer.strides,
      padding: layer.padding,
    },
  );
  ctx.slices.replaceChildren(
    el("p", { class: "note", dataset: { role: "learned-sum" }, text: `${filter} ${sum}` }),
    el("div", { class: "learned-slices" }, figures),
    legend,
  );
  ctx.clearButton.hidden = false;
  ctx.note.textContent = t(
    "The kernel editor is set aside while this learned filter is applied. Its outputs are " +
      "signed numbers, so they are shown rescaled (min..max onto 0..255); change that below.",
  );
}

function clear(ctx) {
  ctx.active = null;
  ctx.slices.replaceChildren();
  ctx.clearButton.hidden = true;
  ctx.note.textContent = "";
}
