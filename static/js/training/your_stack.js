// "Your stack": the network brought back from the Architecture lab, as one more choice beside the
// recipes, with its layers in a few words and its parameters as training would build it for the
// dataset (asked of POST /api/architectures/summary), and "Edit again" to reopen it in the lab.
import { summarizeArchitecture } from "../api.js";
import { el, latestOnly } from "../dom.js";
import { formatCount } from "../format.js";
import { t } from "../i18n/index.js";
import { fitToDataset, layerLabel, withoutInput } from "./stack_handoff.js";

/** "3 layers, 1,234 parameters on shapes.": a whole sentence for each count and dataset. */
function countedWords(one, onDataset, values) {
  if (onDataset) {
    return one ? t("{layers} layer, {params} parameters on {dataset}.", values) : t("{layers} layers, {params} parameters on {dataset}.", values);
  }
  return one ? t("{layers} layer, {params} parameters.", values) : t("{layers} layers, {params} parameters.", values);
}

/** "3 layers. Not trainable on shapes: <the server's reason>". */
function refusedWords(one, onDataset, values) {
  if (onDataset) {
    return one ? t("{layers} layer. Not trainable on {dataset}: {error}", values) : t("{layers} layers. Not trainable on {dataset}: {error}", values);
  }
  return one ? t("{layers} layer. Cannot be built: {error}", values) : t("{layers} layers. Cannot be built: {error}", values);
}

/**
 * createYourStack(parent, {onEdit}) -> {show(stack), useDataset(dataset), stack()}. The choice is
 * hidden until show() is given a stack {layers (Input first), from}.
 */
export function createYourStack(parent, { onEdit }) {
  const totals = el("span", { class: "recipe-description your-stack-totals", id: "your-stack-totals" });
  const layers = el("span", { class: "recipe-description your-stack-layers", id: "your-stack-layers" });
  const root = el("div", { class: "your-stack", id: "your-stack", hidden: true }, [
    el("label", { class: "recipe", for: "recipe-yours" }, [
      el("input", { type: "radio", name: "architecture", value: "yours", id: "recipe-yours" }),
      el("span", { class: "recipe-text" }, [
        el("span", { class: "recipe-title", text: t("Your stack") }),
        el("span", { class: "recipe-name", id: "your-stack-from" }),
        layers,
        totals,
      ]),
    ]),
    el("button", {
      type: "button", class: "button button-quiet", id: "your-stack-edit", text: t("Edit again"),
      onclick: () => onEdit(),
    }),
  ]);
  parent.append(root);
  const job = latestOnly();
  let stack = null;
  let dataset = null;

  async function count() {
    const body = withoutInput(stack.layers);
    const one = body.length === 1;
    const values = { layers: body.length, dataset: dataset?.name };
    const layersFor = dataset ? fitToDataset(stack.layers, dataset) : stack.layers;
    totals.textContent = one ? t("{layers} layer; counting its parameters…", values) : t("{layers} layers; counting its parameters…", values);
    delete totals.dataset.state;
    const signal = job.start();
    try {
      const summary = await summarizeArchitecture({ layers: layersFor }, signal);
      totals.textContent = countedWords(one, Boolean(dataset), { ...values, params: formatCount(summary.total_params) });
      totals.dataset.params = String(summary.total_params);
    } catch (error) {
      if (error.name === "AbortError") return;
      totals.textContent = refusedWords(one, Boolean(dataset), { ...values, error: error.message });
      totals.dataset.state = "error";
      delete totals.dataset.params;
    }
  }

  return {
    show(chosen) {
      stack = chosen;
      root.hidden = !stack;
      if (!stack) return;
      root.querySelector("#your-stack-from").textContent = stack.from ? t("from {name}", { name: stack.from }) : "";
      layers.textContent = withoutInput(stack.layers).map(layerLabel).join(" → ");
      count();
    },
    useDataset(chosen) {
      dataset = chosen;
      if (stack) count();
    },
    stack: () => stack,
  };
}
