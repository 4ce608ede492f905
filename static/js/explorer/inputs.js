// The Explorer's inputs, by the kind of model shown: digit models take an MNIST test digit, a
// drawing on the pad or an upload; image models take a sample photo, an upload or a dropped file.
// Each kind keeps its own last input, so going back to a model of that kind shows it again.
import { EXPLORER } from "../config.js";
import { byId, el } from "../dom.js";
import { t } from "../i18n/index.js";
import { createImagePicker } from "../widgets/image_picker.js";
import { createSketchpad } from "../widgets/sketchpad.js";

const describeDigit = (digit) => ({
  label: t("MNIST test digit #{index}", { index: digit.index }),
  chosen: t("Input: MNIST test digit #{index}, labelled “{label}” in the data set.", { index: digit.index, label: digit.label }),
  children: [
    el("img", { src: digit.url, alt: "", width: 28, height: 28 }),
    el("span", { class: "visually-hidden", text: t("Test digit #{index}, labelled ", { index: digit.index }) }),
    el("span", { class: "digit-label", text: digit.label }),
  ],
});

/** The shipped set is sorted by label: the first EXPLORER.digitsShown give two of each. */
const shownDigits = (digits) => digits.slice(0, EXPLORER.digitsShown);

const DEFAULT_PHOTO = "chelsea"; // a cat: something ImageNet models know

/**
 * createInputs({digits, samples, photo, digit, onInput(kind, source), onError(error)}) ->
 * {current(kind), useKind(kind), refused(kind)}. current(kind) is {image, source} or null;
 * useKind shows that kind's inputs and, when it has none yet, picks its default (which then
 * calls onInput): the sample photo `photo` or MNIST test digit `digit` (from a shared link)
 * when there is one.
 */
export function createInputs({ digits, samples, photo, digit, onInput, onError }) {
  const inputs = { digit: null, image: null };
  const roots = { digit: byId("explorer-source"), image: byId("explorer-photos") };
  const choose = (kind, image, source) => {
    inputs[kind] = { image, source };
    onInput(kind, source);
  };

  const digitPicker = createImagePicker(roots.digit, {
    samples: shownDigits(digits),
    describe: describeDigit,
    onError,
    onPick(file, source) {
      if (source.name === "upload") pad.showPicture(file);
      else if (!pad.isEmpty() || pad.hasPicture()) pad.clear();
      choose("digit", file, source);
    },
  });
  const useDrawing = () => {
    digitPicker.clearChoice();
    roots.digit.querySelector("[data-role=chosen]").textContent = t("Input: your drawing.");
    choose("digit", pad.toPngFile(), { name: "drawing", label: t("your drawing") });
  };
  const pad = createSketchpad(byId("explorer-pad"), {
    label: t("Drawing pad"),
    onChange: ({ type }) => {
      if (type === "end" || (type === "undo" && !pad.isEmpty())) useDrawing();
    },
  });
  byId("explorer-undo").addEventListener("click", () => pad.undo());
  byId("explorer-clear").addEventListener("click", () => pad.clear());

  const photoPicker = createImagePicker(roots.image, {
    samples,
    onError,
    onPick: (file, source) => choose("image", file, source),
  });
  const pickers = { digit: digitPicker, image: photoPicker };

  function pickDefault(kind) {
    if (kind === "digit") {
      const shown = shownDigits(digits);
      const first = shown.find((d) => d.name === digit) ?? shown.find((d) => d.label === "7") ?? shown[0];
      if (first) digitPicker.pickSample(first.name);
    } else {
      const first = samples.find((s) => s.name === photo) ?? samples.find((s) => s.name === DEFAULT_PHOTO) ?? samples[0];
      if (first) photoPicker.pickSample(first.name);
    }
  }

  return {
    current: (kind) => inputs[kind],
    useKind(kind) {
      for (const [name, root] of Object.entries(roots)) root.hidden = name !== kind;
      if (!inputs[kind]) pickDefault(kind);
    },
    refused: (kind) => pickers[kind].refused(),
  };
}
