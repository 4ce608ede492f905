// Radio cards, one per trained model: its name, size and test accuracy and, where the page has
// one, its current guess, so the models compare at a glance while one is shown in detail.
// Arrow keys move between the cards (a native radio group).
import { MODEL_ORDER } from "../config.js";
import { el } from "../dom.js";
import { formatCount, formatPercent } from "../format.js";
import { t } from "../i18n/index.js";

/** Models in the order the pages list them: MODEL_ORDER first, then any others by name. */
export function orderModels(models) {
  const rank = (model) => {
    const index = MODEL_ORDER.indexOf(model.id);
    return index === -1 ? MODEL_ORDER.length : index;
  };
  return [...models].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/**
 * createModelPicker(parent, {models, name, legend, selected, guesses, onSelect(id)}) returns
 * {selected(), select(id), setGuess(id, {label, confidence} | {state, text})}; state is
 * "busy", "empty" or "error".
 */
export function createModelPicker(parent, options) {
  const { models, name, legend, guesses = false, onSelect } = options;
  const cards = new Map();
  const fieldset = el("fieldset", { class: "model-picker" }, [el("legend", { text: legend })]);
  const list = el("div", { class: "model-cards" });
  fieldset.append(list);
  for (const model of orderModels(models)) {
    const input = el("input", {
      type: "radio",
      name,
      value: model.id,
      class: "visually-hidden",
      onchange: () => onSelect?.(model.id),
    });
    const count = formatCount(model.parameters);
    const meta =
      model.test_accuracy == null
        ? t("{count} parameters", { count })
        : t("{count} parameters · {accuracy} on the test set", {
            count,
            accuracy: formatPercent(model.test_accuracy, 1),
          });
    const guess = guesses
      ? el("span", { class: "model-guess", dataset: { state: "empty" } }, [
          el("span", { class: "model-guess-label", text: "–" }),
          el("span", { class: "model-guess-confidence" }),
        ])
      : null;
    const card = el("label", { class: "model-card", dataset: { model: model.id } }, [
      input,
      el("span", { class: "model-name", text: model.name }),
      el("span", { class: "model-meta", text: meta }),
      guess,
    ]);
    cards.set(model.id, { card, input, guess });
    list.append(card);
  }
  parent.append(fieldset);

  const api = {
    element: fieldset,
    selected: () => [...cards.values()].find(({ input }) => input.checked)?.input.value ?? null,
    select(id) {
      const entry = cards.get(id) ?? cards.values().next().value;
      if (entry) entry.input.checked = true;
    },
    setGuess(id, guess) {
      const entry = cards.get(id);
      if (!entry?.guess) return;
      const [label, confidence] = entry.guess.children;
      if (guess.state) {
        entry.guess.dataset.state = guess.state;
        if (guess.state !== "busy") {
          label.textContent = guess.text ?? "–";
          confidence.textContent = "";
          delete entry.guess.dataset.label;
        }
        return;
      }
      entry.guess.dataset.state = "ready";
      entry.guess.dataset.label = guess.label;
      label.textContent = guess.label;
      confidence.textContent = formatPercent(guess.confidence);
    },
  };
  api.select(options.selected);
  return api;
}
