// A trained model's report on its held-out images (GET /api/models/{id}'s `evaluation`): the
// confusion matrix (a row per true class, a column per predicted one, cells shaded by count),
// each class's accuracy, and the images it got wrong most confidently. Class names come from
// the uploader: they are only ever set as text.
import { getModel } from "../api.js";
import { el } from "../dom.js";
import { formatCount, formatPercent } from "../format.js";
import { t } from "../i18n/index.js";
import { scaleFromApi } from "../render/colormap.js";

const MISTAKE_PX = 64; // CSS size of one mistaken image
const MISTAKES_SHOWN = 12;

const pngSource = (base64) => (base64.startsWith("data:") ? base64 : `data:image/png;base64,${base64}`);

function confusionTable(classes, evaluation) {
  const { confusion, per_class_accuracy: perClass } = evaluation;
  const most = Math.max(1, ...confusion.flat());
  const scale = scaleFromApi({ colormap: "sequential", min: 0, max: most });
  const head = el("tr", {}, [
    el("th", { scope: "col", class: "confusion-corner", text: t("true ↓ called →") }),
    ...classes.map((name) => el("th", { scope: "col", class: "confusion-class", text: name })),
    el("th", { scope: "col", class: "num", text: t("Right") }),
  ]);
  const rows = confusion.map((row, truth) =>
    el("tr", { dataset: { true: truth } }, [
      el("th", { scope: "row", class: "confusion-class", text: classes[truth] }),
      ...row.map((count, p) => {
        const { background, text } = scale.colour(count);
        return el("td", {
          class: `num confusion-cell${truth === p ? " is-right" : ""}`,
          style: `background: ${background}; color: ${text}`,
          dataset: { true: truth, predicted: p, count },
          title:
            count === 1
              ? t("{count} image of {truth} called {called}", { count: formatCount(count), truth: classes[truth], called: classes[p] })
              : t("{count} images of {truth} called {called}", { count: formatCount(count), truth: classes[truth], called: classes[p] }),
          text: formatCount(count),
        });
      }),
      el("td", { class: "num confusion-accuracy", text: perClass[truth] == null ? t("none held out") : formatPercent(perClass[truth], 0) }),
    ]),
  );
  return el("div", { class: "table-scroll confusion-scroll", tabindex: 0, role: "region", "aria-label": t("Confusion matrix (scrolls if wide)") }, [
    el("table", { class: "data-table confusion" }, [
      el("caption", { class: "visually-hidden", text: t("Confusion matrix: a row per true class, a column per class the network chose, and each class's accuracy") }),
      el("thead", {}, [head]),
      el("tbody", {}, rows),
    ]),
  ]);
}

function mistakeGallery(mistakes) {
  if (!mistakes.length) return el("p", { class: "note", text: t("It got every held-out image right: no mistakes to show.") });
  return el(
    "ul",
    { class: "mistakes" },
    mistakes.slice(0, MISTAKES_SHOWN).map((m) => {
      const words = t("true {truth}, called {called} ({confidence})", { truth: m.true_class, called: m.predicted, confidence: formatPercent(m.confidence, 0) });
      return el("li", { class: "mistake" }, [
        el("img", { src: pngSource(m.image), alt: words, width: MISTAKE_PX, height: MISTAKE_PX, class: "mistake-image" }),
        el("span", { class: "mistake-words", "aria-hidden": "true", text: words }), // the alt says it
      ]);
    }),
  );
}

/** Draw model (GET /api/models/{id}'s answer) into container; nothing without an evaluation. */
export function renderEvaluation(container, model) {
  const evaluation = model.evaluation;
  if (!evaluation) {
    container.replaceChildren();
    return;
  }
  const right = evaluation.confusion.reduce((sum, row, truth) => sum + (row[truth] ?? 0), 0);
  container.dataset.images = String(evaluation.images);
  const summary = { right: formatCount(right), count: formatCount(evaluation.images), accuracy: formatPercent(evaluation.accuracy, 1) };
  container.replaceChildren(
    el("h4", { class: "evaluation-heading", text: t("What it gets right and wrong") }),
    el("p", {
      class: "evaluation-summary",
      text:
        evaluation.images === 1
          ? t("{right} of the {count} image held out were called right ({accuracy}).", summary)
          : t("{right} of the {count} images held out were called right ({accuracy}).", summary),
    }),
    el("h5", { class: "evaluation-part", text: t("Confusion matrix") }),
    el("p", {
      class: "note",
      text: t("Each row holds the held-out images of one true class, each column what the network called them: the diagonal counts the right answers, any other cell a mix-up; darker cells hold more images."),
    }),
    confusionTable(model.classes, evaluation),
    el("h5", { class: "evaluation-part", text: t("Most confidently wrong") }),
    el("p", {
      class: "note",
      text: t("The held-out images it got wrong while most sure of itself: often the best clue to what it learned to look at."),
    }),
    mistakeGallery(evaluation.mistakes),
  );
}

/** Fetch the model and draw its evaluation; a failure is said in the container. */
export async function loadEvaluation(container, modelId) {
  container.dataset.model = modelId;
  container.setAttribute("aria-busy", "true");
  try {
    const model = await getModel(modelId);
    if (container.dataset.model === modelId) renderEvaluation(container, model); // else a late answer
  } catch (error) {
    if (container.dataset.model !== modelId) return;
    container.replaceChildren(el("p", { class: "own-message", dataset: { state: "error" }, text: t("Could not load how the model does: {error}", { error: error.message }) }));
  } finally {
    container.removeAttribute("aria-busy");
  }
}
