// One labelled bar per class with its probability written beside it; the most probable class is
// highlighted. Used for the Draw page's guesses and the network explorer's output layer.
import { el } from "../dom.js";
import { formatPercent } from "../format.js";
import { t } from "../i18n/index.js";

/**
 * createProbabilityBars(parent, {label}) returns {element, render(classes, probabilities),
 * clear(classes)}. Each row carries data-label and data-value (the exact probability).
 */
export function createProbabilityBars(parent, { label = t("Probability of each class") } = {}) {
  const list = el("ol", { class: "prob-bars", "aria-label": label });
  parent.append(list);
  let rows = new Map();

  function build(classes) {
    rows = new Map();
    list.replaceChildren(
      ...classes.map((name) => {
        const fill = el("span", { class: "prob-fill" });
        const value = el("span", { class: "prob-value" });
        const row = el("li", { class: "prob-row", dataset: { label: name } }, [
          el("span", { class: "prob-label", text: name }),
          el("span", { class: "prob-track", "aria-hidden": "true" }, [fill]),
          value,
        ]);
        rows.set(name, { row, fill, value });
        return row;
      }),
    );
  }

  function ensure(classes) {
    if (rows.size !== classes.length || classes.some((name) => !rows.has(name))) build(classes);
  }

  return {
    element: list,
    render(classes, probabilities) {
      ensure(classes);
      const top = probabilities.indexOf(Math.max(...probabilities));
      classes.forEach((name, i) => {
        const { row, fill, value } = rows.get(name);
        const p = probabilities[i];
        row.dataset.value = String(p);
        row.classList.toggle("is-top", i === top);
        fill.style.width = `${Math.max(0, Math.min(1, p)) * 100}%`;
        value.textContent = formatPercent(p);
      });
      list.dataset.state = "ready";
    },
    /** Empty bars (no guess yet). */
    clear(classes) {
      ensure(classes);
      for (const { row, fill, value } of rows.values()) {
        row.classList.remove("is-top");
        delete row.dataset.value;
        fill.style.width = "0%";
        value.textContent = "–";
      }
      list.dataset.state = "empty";
    },
  };
}
