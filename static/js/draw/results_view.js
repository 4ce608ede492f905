// The Draw page's results panel: the chosen model's guess, its probability bars, the 28x28 input
// it saw and the preprocessing notes; or the empty and error states, each shown as it is.
import { byId, el } from "../dom.js";
import { formatPercent } from "../format.js";
import { t } from "../i18n/index.js";
import { createProbabilityBars } from "../render/probability_bars.js";
import { clearCanvas, drawGrey } from "../render/raster.js";

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const EMPTY_TEXT = t("Draw a digit");

/** createResultsView() returns {showEmpty(), showModel(model, entry, {upload}), setBusy(busy)}. */
export function createResultsView() {
  const panel = byId("draw-results");
  const guess = byId("guess");
  const caution = byId("guess-caution");
  const modelInput = byId("model-input");
  const notes = byId("preprocess-notes");
  const bars = createProbabilityBars(byId("prob-bars"), { label: t("Probability of each digit") });

  // A model always picks one of its classes: when the API says the input is unlike its training
  // digits, the headline says not to trust the pick and the paragraph below says why.
  function setCaution(text) {
    if (caution.textContent !== text) caution.textContent = text;
    caution.hidden = !text;
    guess.dataset.caution = String(Boolean(text));
  }

  function setGuess(text, data) {
    if (guess.textContent !== text) guess.textContent = text;
    setCaution(data.caution ?? "");
    byId("pad-guess").textContent = data.state === "empty" ? "" : (data.padText ?? text);
    guess.dataset.state = data.state;
    guess.dataset.model = data.model ?? "";
    guess.dataset.label = data.label ?? "";
  }

  function showEmpty() {
    panel.dataset.state = "empty";
    panel.setAttribute("aria-busy", "false");
    setGuess(EMPTY_TEXT, { state: "empty" });
    bars.clear(DIGITS);
    clearCanvas(modelInput);
    modelInput.setAttribute("aria-label", t("The 28 × 28 input the model saw: empty until you draw."));
    notes.replaceChildren(el("li", { text: t("Nothing yet: draw a digit or upload a picture of one.") }));
  }

  // A refused upload's message is in the error box under the pad: said once, not three times.
  function showError(model, error, { upload }) {
    panel.dataset.state = "error";
    const text = upload ? t("No guess: {model} could not read the picture.", { model: model.name }) : error.message;
    setGuess(text, { state: "error", model: model.id, padText: upload ? "" : text });
    bars.clear(DIGITS);
    clearCanvas(modelInput);
    modelInput.setAttribute("aria-label", t("The 28 × 28 input: none, {model} could not read the picture.", { model: model.name }));
    notes.replaceChildren(el("li", { text: t("Nothing: the picture could not be read, so it was not prepared for the models.") }));
  }

  function showResult(model, result, { upload }) {
    panel.dataset.state = "ready";
    const headline = result.caution
      ? t("{model} picks {label}, but do not trust it.", { model: model.name, label: result.label })
      : t("{model} guesses {label}, {percent} sure.", {
          model: model.name,
          label: result.label,
          percent: formatPercent(result.confidence),
        });
    setGuess(headline, {
      state: "ready",
      model: model.id,
      label: result.label,
      caution: result.caution,
    });
    bars.render(result.classes, result.probabilities);
    drawGrey(modelInput, result.model_input);
    const described = upload
      ? t("The 28 × 28 input {model} saw: your picture as white ink on black, shrunk and centred.", { model: model.name })
      : t("The 28 × 28 input {model} saw: your drawing as white ink on black, shrunk and centred.", { model: model.name });
    modelInput.setAttribute("aria-label", described);
    notes.replaceChildren(...result.preprocessing.notes.map((note) => el("li", { text: note })));
  }

  return {
    showEmpty,
    /** The chosen model's captions, and its entry ({result} | {error}) if it has one yet. */
    showModel(model, entry, { upload = false } = {}) {
      byId("bars-caption").textContent = t("How sure {model} is of each digit", { model: model.name });
      byId("model-input-caption").textContent = t("What {model} saw: 28 × 28 pixels", { model: model.name });
      if (!entry) return;
      // entry.upload: the error box shows this message (draw.js), so the headline need not.
      if (entry.error) showError(model, entry.error, { upload: Boolean(entry.upload) });
      else showResult(model, entry.result, { upload });
    },
    setBusy(busy) {
      panel.setAttribute("aria-busy", String(busy));
    },
  };
}
