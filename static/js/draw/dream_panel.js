// "Make it more like…": the drawing changed step by step (gradient ascent, POST
// /api/models/{id}/dreams) until the chosen model reads it as the chosen class; the dream is shown
// beside the 28x28 drawing it started from, with the class's probability before and after.
import { dreamFromImage } from "../api.js";
import { el, isAbort, latestOnly } from "../dom.js";
import { formatPercent } from "../format.js";
import { t } from "../i18n/index.js";

const png = (base64) => `data:image/png;base64,${base64}`;

function secondBest(probabilities) {
  const order = probabilities.map((_, i) => i).sort((a, b) => probabilities[b] - probabilities[a]);
  return order[1] ?? 0;
}

function figure(source, alt, caption, role) {
  return el("figure", { class: "dream-figure", dataset: { role } }, [
    el("img", { src: png(source), alt }),
    el("figcaption", { text: caption }),
  ]);
}

/**
 * createDreamPanel(root) -> {follow({model, image, result, options}), clear(note)}. follow gives
 * the current drawing (image), the chosen model's answer for it and the preprocessing options;
 * the dream is asked for on the button, as each one takes many passes through the model.
 */
export function createDreamPanel(root) {
  const target = el("select", { id: "dream-class", name: "dream_class" });
  const button = el("button", { type: "submit", class: "button", text: t("Make it more like this"), disabled: true });
  const message = el("p", { class: "dream-message", role: "status", "aria-live": "polite" });
  const output = el("div", { class: "dream-output", dataset: { role: "dream-output" } });
  const form = el("form", { class: "field-row dream-controls", novalidate: true }, [
    el("div", { class: "field" }, [el("label", { for: target.id, text: t("Make it more like") }), target]),
    el("div", { class: "button-row" }, [button]),
  ]);
  root.replaceChildren(form, message, output);
  const job = latestOnly();
  const state = { current: null, chosen: false, shownFor: null };

  const setStatus = (status, text = "") => {
    root.dataset.status = status;
    root.setAttribute("aria-busy", String(status === "busy"));
    message.textContent = text;
    message.dataset.state = status;
  };
  setStatus("idle", t("Draw a digit first."));

  async function dream() {
    const { current } = state;
    if (!current) return;
    const classIndex = Number(target.value);
    const name = current.result.classes[classIndex];
    const signal = job.start();
    setStatus("busy", t("Changing your drawing, step by step, until {model} reads it as {name}…", { model: current.model.name, name }));
    try {
      const answer = await dreamFromImage(
        current.model.id,
        current.image,
        { classes: String(classIndex), ...current.options },
        signal,
      );
      if (signal.aborted) return;
      const [made] = answer.dreams;
      output.replaceChildren(
        el("div", { class: "dream-pair" }, [
          figure(
            answer.input_picture,
            t("Your drawing as the model saw it"),
            t("Your drawing: {probability} “{name}”", { probability: formatPercent(made.start_probability), name }),
            "dream-start",
          ),
          figure(
            made.image,
            t("Your drawing made more like {name}", { name }),
            t("Made more like “{name}”: {probability}", { name, probability: formatPercent(made.probability) }),
            "dream",
          ),
        ]),
        el("p", {
          class: "dream-summary",
          text: t("{model}'s probability of “{name}”: {before} before, {after} after {steps} steps.", {
            model: current.model.name,
            name,
            before: formatPercent(made.start_probability),
            after: formatPercent(made.probability),
            steps: answer.steps,
          }),
        }),
        el("p", {
          class: "note",
          text: t(
            "Each step nudged every pixel the way that raises the score of that class most. The changes are often faint strokes a person would hardly notice: the model reads pixels, not shapes as we see them.",
          ),
        }),
      );
      Object.assign(root.dataset, {
        classIndex: String(classIndex),
        before: String(made.start_probability),
        after: String(made.probability),
      });
      setStatus("ready");
    } catch (error) {
      if (isAbort(error) || signal.aborted) return;
      output.replaceChildren();
      setStatus("error", error.message);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    dream();
  });
  target.addEventListener("change", () => {
    state.chosen = true;
  });

  return {
    follow({ model, image, result, options }) {
      const classesChanged = target.options.length !== result.classes.length;
      if (classesChanged) {
        target.replaceChildren(...result.classes.map((name, i) => el("option", { value: String(i), text: name })));
      }
      if (!state.chosen || classesChanged) target.value = String(secondBest(result.probabilities));
      const changed = state.current && state.current.image !== image;
      state.current = { model, image, result, options };
      button.disabled = false;
      if (root.dataset.status === "busy") return;
      if (changed && output.childElementCount) {
        setStatus("ready", t("Your drawing has changed since this dream: press the button to dream from the new one."));
      } else if (!output.childElementCount) {
        setStatus(
          "idle",
          t("Pick a digit and press the button: {model} changes your drawing until it reads it as that digit.", { model: model.name }),
        );
      }
    },
    clear(note = t("Draw a digit first.")) {
      job.abort();
      state.current = null;
      state.chosen = false;
      button.disabled = true;
      output.replaceChildren();
      setStatus("idle", note);
    },
  };
}
