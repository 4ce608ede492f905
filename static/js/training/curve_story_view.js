// The sentences of ./curve_story.js under a chart: "What the curves show", one item each, its
// kind in data-kind (progress, validation-above, training-above, close, overfit, plateau,
// improving) and, for the loss sentences, the epoch it names in data-epoch.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
import { describeCurves } from "./curve_story.js";

/** renderCurveStory(container, history columns, {augmentation, dropout}, noun). */
export function renderCurveStory(container, history, regularisation, noun) {
  const sentences = describeCurves(history, regularisation, noun);
  if (!sentences.length) {
    container.replaceChildren();
    return;
  }
  container.replaceChildren(
    el("h3", { class: "curve-story-heading", text: t("What the curves show") }),
    el(
      "ul",
      { class: "curve-story-list" },
      sentences.map((s) => el("li", { dataset: { kind: s.kind, epoch: s.epoch ?? "" }, text: s.text })),
    ),
  );
}
