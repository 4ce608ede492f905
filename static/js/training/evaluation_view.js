// A trained model's report on its held-out images (GET /api/models/{id}'s `evaluation`): the
// confusion matrix (a row per true class, a column per predicted one, cells shaded by count),
// each class's accuracy, and the images it got wrong most confidently. Class names come from
// the uploader: they are only ever set as text.
import { getModel } from "../api.js";
import { el } from "../dom.js";
import { formatCount, formatPercent } from "../format.js";
import { scaleFromApi } from "../render/colormap.js";

const MISTAKE_PX = 64; // CSS size of one mistaken image
const MISTAKES_SHOWN = 12;

const pngSource = (base64) => (base64.startsWith("data:") ? base64 : `data:image/png;base64,${base64}`);
const images = (n) => `${formatCount(n)} ${n === 1 ? "image" : "images"}`;

function confusionTable(classes, evaluation) {
  const { confusion, per_class_accuracy: perClass } = evaluation;
  const most = Math.max(1, ...confusion.flat());
  const scale = scaleFromApi({ colormap: "sequential", min: 0, max: most });
  const head = el("tr", {}, [
    el("th", { scope: "col", class: "confusion-corner", text: "true ↓ called →" }),
    ...classes.map((name) => el("th", { scope: "col", class: "confusion-class", text: name })),
    el("th", { scope: "col", class: "num", text: "Right" }),
  ]);
  const rows = confusion.map((row, t) =>
    el("tr", { dataset: { true: t } }, [
      el("th", { scope: "row", class: "confusion-class", text: classes[t] }),
      ...row.map((count, p) => {
        const { background, text } = scale.colour(count);
        return el("td", {
          class: `num confusion-cell${t === p ? " is-right" : ""}`,
          style: `background: ${background}; color: ${text}`,
          dataset: { true: t, predicted: p, count },
          title: `${images(count)} of ${classes[t]} called ${classes[p]}`,
          text: formatCount(count),
        });
      }),
      el("td", { class: "num confusion-accuracy", text: perClass[t] == null ? "none held out" : formatPercent(perClass[t], 0) }),
    ]),
  );
  return el("div", { class: "table-scroll confusion-scroll", tabindex: 0, role: "region", "aria-label": "Confusion matrix (scrolls if wide)" }, [
    el("table", { class: "data-table confusion" }, [
      el("caption", { class: "visually-hidden", text: "Confusion matrix: a row per true class, a column per class the network chose, and each class's accuracy" }),
      el("thead", {}, [head]),
      el("tbody", {}, rows),
    ]),
  ]);
}

function mistakeGallery(mistakes) {
  if (!mistakes.length) return el("p", { class: "note", text: "It got every held-out image right: no mistakes to show." });
  return el(
    "ul",
    { class: "mistakes" },
    mistakes.slice(0, MISTAKES_SHOWN).map((m) => {
      const words = `true ${m.true_class}, called ${m.predicted} (${formatPercent(m.confidence, 0)})`;
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
  const right = evaluation.confusion.reduce((sum, row, t) => sum + (row[t] ?? 0), 0);
  container.dataset.images = String(evaluation.images);
  container.replaceChildren(
    el("h4", { class: "evaluation-heading", text: "What it gets right and wrong" }),
    el("p", {
      class: "evaluation-summary",
      text: `${formatCount(right)} of the ${images(evaluation.images)} held out were called right (${formatPercent(evaluation.accuracy, 1)}).`,
    }),
    el("h5", { class: "evaluation-part", text: "Confusion matrix" }),
    el("p", {
      class: "note",
      text: "Each row holds the held-out images of one true class, each column what the network called them: the diagonal counts the right answers, any other cell a mix-up; darker cells hold more images.",
    }),
    confusionTable(model.classes, evaluation),
    el("h5", { class: "evaluation-part", text: "Most confidently wrong" }),
    el("p", {
      class: "note",
      text: "The held-out images it got wrong while most sure of itself: often the best clue to what it learned to look at.",
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
    container.replaceChildren(el("p", { class: "own-message", dataset: { state: "error" }, text: `Could not load how the model does: ${error.message}` }));
  } finally {
    container.removeAttribute("aria-busy");
  }
}
