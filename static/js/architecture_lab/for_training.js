// The lab opened from the Training page (/architectures?for=training): it starts from the stack
// the Training page sent, and "Use for training" takes the stack being edited back there as
// "Your stack" (the hand-off lives in ../training/stack_handoff.js). Opened any other way, the
// lab is unchanged.
import { byId } from "../dom.js";
import { formatShape } from "../format.js";
import { t } from "../i18n/index.js";
import { TRAINING_URL, chooseYourStack, setYourStack, stackToEdit } from "../training/stack_handoff.js";

export const openedForTraining = () => new URLSearchParams(window.location.search).get("for") === "training";

function say(text, state) {
  const message = byId("handoff-message");
  message.textContent = text;
  if (state) message.dataset.state = state;
  else delete message.dataset.state;
}

/**
 * Show the hand-off panel; editor is the stack editor, results the element whose data-status
 * says whether the stack could be built. Returns the stack to start from ({layers, from}) or null.
 */
export function setUpTrainingHandoff({ editor, results }) {
  const editing = stackToEdit();
  const dataset = editing?.dataset;
  byId("handoff-about").textContent = dataset
    ? t(
        "Editing {from} for {dataset}: it trains on {shape} images, so that is its input, and its last Dense layer gets one unit per class. Change what you like, then use it.",
        { from: editing.from, dataset: dataset.name, shape: formatShape(dataset.image_shape) },
      )
    : t(
        "Build or load a stack, then use it: when it trains, its input becomes the dataset's image shape and its last Dense layer gets one unit per class.",
      );
  byId("training-handoff").hidden = false;
  byId("use-for-training").addEventListener("click", () => {
    const body = editor.request();
    if (!body) return say(t("Not yet: {problems}", { problems: editor.problems().join(" ") }), "error");
    if (results.dataset.status === "error") {
      return say(t("Not yet: this stack cannot be built. Fix the marked layer first."), "error");
    }
    // The Training page shows where the stack came from ("from {name}"): in the reader's words.
    if (!setYourStack({ layers: body.layers, from: t("the Architecture lab") })) {
      return say(t("This browser would not keep the stack (storage is off)."), "error");
    }
    chooseYourStack();
    window.location.assign(TRAINING_URL);
  });
  return editing;
}
