// The multiply-and-sum behind one output value: window × kernel = products, their sum, the
// bias and the result; one block per output channel, and Gx, Gy and the magnitude for a
// gradient-magnitude kernel. Draws what /api/convolve/matrix returns in `trace`.
import { CHANNEL_NAMES, channelTitle } from "../config.js";
import { el } from "../dom.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n/index.js";
import { flatValues, scaleFor } from "./colormap.js";
import { renderLegend } from "./legend.js";
import { createNumberGrid } from "./number_grid.js";

/** A sentence whose {name} placeholders left by t() are filled with elements: [text, node, ...]. */
function withNodes(text, nodes) {
  return text.split(/\{(\w+)\}/).map((part, i) => (i % 2 ? nodes[part] ?? `{${part}}` : part)).filter((part) => part !== "");
}

function gridFigure(role, caption, values, { scale, marked } = {}) {
  const figure = el("figure", { class: "trace-grid", dataset: { role } });
  const grid = createNumberGrid(figure, { label: caption });
  grid.render(values, { scale });
  if (marked) grid.highlight("padding", marked);
  figure.append(el("figcaption", { text: caption }));
  return figure;
}

function paddedCells(inPadding) {
  const cells = [];
  inPadding?.forEach((row, r) => row.forEach((pad, c) => pad && cells.push([r, c])));
  return cells;
}

function contributionRow(contribution, context, title) {
  const { productScale, marked, names, summed } = context;
  const name = names[contribution.input_channel];
  const input = name
    ? t("{channel} input", { channel: channelTitle(name) })
    : t("Channel {index} input", { index: contribution.input_channel });
  // Gx or Gy (a symbol), and the input channel when several are summed.
  const heading = [title, summed ? input : null].filter(Boolean).join(", ");
  return el("div", { class: "trace-row" }, [
    heading ? el("p", { class: "trace-row-title", text: heading }) : null,
    gridFigure("window", t("Window"), contribution.window, { marked }),
    el("span", { class: "trace-op", "aria-hidden": "true", text: "×" }),
    gridFigure("kernel", t("Kernel"), contribution.kernel),
    el("span", { class: "trace-op", "aria-hidden": "true", text: "=" }),
    gridFigure("products", t("Products"), contribution.products, { scale: productScale }),
  ]);
}

function sumLine(channelTrace, name, showBias) {
  const sum = el("output", {
    dataset: { role: "sum", value: channelTrace.sum },
    text: formatNumber(channelTrace.sum),
  });
  const result = el("strong", { dataset: { role: "result" }, text: formatNumber(channelTrace.output) });
  const filled = { name, bias: formatNumber(channelTrace.bias) };
  let text;
  if (showBias) {
    text = name
      ? t("{name} = sum of products = {sum}; plus bias {bias} gives {result}", filled)
      : t("Sum of products = {sum}; plus bias {bias} gives {result}", filled);
  } else {
    text = name ? t("{name} = sum of products = {sum}", filled) : t("Sum of products = {sum}", filled);
  }
  return el("p", { class: "trace-sum" }, withNodes(text, { sum, result }));
}

/**
 * renderTrace(container, trace, {inputChannels, bias, inPadding, describeResult(channel, value)})
 * `bias` is the request's bias: a magnitude trace's Gx and Gy terms are traced without it.
 * `inPadding` overrides the trace's own mask (a window cut from a padded image knows better);
 * `describeResult` returns a sentence about the pixel a value became, or null.
 */
export function renderTrace(container, trace, options = {}) {
  const names = CHANNEL_NAMES[options.inputChannels ?? trace.channels.length] ?? [];
  const contributions = trace.channels.flatMap((channel) => channel.contributions);
  const gradientY = trace.gradient?.gradient_y ?? [];
  const allProducts = [...contributions, ...gradientY.flatMap((ch) => ch.contributions)].map(
    (contribution) => contribution.products,
  );
  const productScale = scaleFor(flatValues(allProducts));
  const marked = paddedCells(options.inPadding ?? trace.in_padding);
  // A summed kernel adds several input channels into one output: name each input then.
  const summed = trace.channels.some((channel) => channel.contributions.length > 1);
  const context = { productScale, marked, names, summed };
  const blocks = trace.channels.map((channel, index) => {
    const block = el("section", { class: "trace-block", dataset: { channel: index } });
    if (trace.channels.length > 1) {
      let heading;
      if (summed) heading = t("Output {index} channel", { index });
      else if (names[index]) heading = t("{name} channel", { name: channelTitle(names[index]) });
      else heading = t("Channel {index} channel", { index });
      block.append(el("h4", { text: heading }));
    }
    const parts = trace.gradient
      ? [
          ["Gx", channel],
          ["Gy", gradientY[index]],
        ]
      : [[null, channel]];
    for (const [title, part] of parts) {
      for (const contribution of part.contributions) {
        block.append(contributionRow(contribution, context, title));
      }
      block.append(sumLine(part, title, !trace.gradient));
    }
    const value = trace.gradient ? trace.gradient.magnitude[index] : channel.output;
    if (trace.gradient) {
      block.append(
        el(
          "p",
          { class: "trace-sum" },
          withNodes(t("Magnitude √(Gx² + Gy²) + bias {bias} = {result}", { bias: formatNumber(options.bias ?? 0) }), {
            result: el("strong", { dataset: { role: "result" }, text: formatNumber(value) }),
          }),
        ),
      );
    }
    const note = options.describeResult?.(index, value);
    if (note) block.append(el("p", { class: "trace-pixel", text: note }));
    return block;
  });
  const legend = el("div");
  renderLegend(legend, productScale, t("Product colour"));
  const paddingNote = marked.length
    ? el("p", { class: "note", text: t("Hatched window cells lie in the zero padding: they count as 0.") })
    : null;
  container.replaceChildren(...[...blocks, paddingNote, legend].filter(Boolean));
}
