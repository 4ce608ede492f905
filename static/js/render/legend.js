// The legend that goes with a heatmap of numbers: a gradient bar with its end (and zero) values.
import { el } from "../dom.js";
import { formatNumber } from "../format.js";

export function renderLegend(container, scale, caption = "Cell colour") {
  const gradient = `linear-gradient(to right, ${scale.stops.join(", ")})`;
  const words =
    scale.kind === "diverging"
      ? `blue below zero, white at zero, red above; from ${formatNumber(scale.min)} to ${formatNumber(scale.max)}`
      : `white at zero to dark blue at ${formatNumber(scale.max)}`;
  const labels =
    scale.kind === "diverging"
      ? [scale.min, 0, scale.max]
      : [scale.min, scale.max];
  container.replaceChildren(
    el("div", { class: "legend", role: "img", "aria-label": `${caption}: ${words}` }, [
      el("span", { class: "legend-caption", text: caption }),
      el("span", { class: "legend-bar", style: `background: ${gradient}` }),
      el(
        "span",
        { class: "legend-labels", "aria-hidden": "true" },
        labels.map((v) => el("span", { text: formatNumber(v) })),
      ),
    ]),
  );
}
