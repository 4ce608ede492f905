// "What each class looks like to the model": for every class (the first DREAM.classesShown), the
// input that the model scores highest for it, found by gradient ascent from noise (GET
// /api/models/{id}/dreams), with the class's name and its probability for that picture. On a
// button: each class is a run of ascent steps, which takes seconds on big models.
import { getDreams } from "../api.js";
import { DREAM } from "../config.js";
import { el, isAbort, latestOnly } from "../dom.js";
import { formatPercent } from "../format.js";
import { t } from "../i18n/index.js";

const png = (base64) => `data:image/png;base64,${base64}`;

function dreamCard(dream) {
  return el("figure", { class: "class-dream", dataset: { class: String(dream.class_index) } }, [
    el("img", { src: png(dream.image), alt: t("What {class} looks like to the model", { class: dream.class_name }) }),
    el("figcaption", {}, [
      el("span", { class: "class-dream-name", text: dream.class_name }),
      el("span", { class: "class-dream-probability", text: formatPercent(dream.probability) }),
    ]),
  ]);
}

/** createClassDreams(root) -> {useModel(detail)}: a Show button, then the grid of dreams. */
export function createClassDreams(root) {
  const show = el("button", { type: "button", class: "button", text: t("Show"), dataset: { role: "show" } });
  const message = el("p", { class: "dream-message", role: "status", "aria-live": "polite" });
  const grid = el("div", { class: "class-dream-grid", dataset: { role: "class-dreams" } });
  root.replaceChildren(el("div", { class: "button-row" }, [show]), message, grid);
  const job = latestOnly();
  const state = { detail: null };
  const kept = new Map(); // model id -> its answer: the same steps and seed give the same dreams

  const setStatus = (status, text = "") => {
    root.dataset.status = status;
    root.setAttribute("aria-busy", String(status === "busy"));
    message.textContent = text;
    message.dataset.state = status;
  };
  setStatus("idle");

  function render(answer) {
    grid.replaceChildren(...answer.dreams.map(dreamCard));
    show.hidden = true; // the same steps and seed would dream the same pictures
    const left = answer.classes.length - answer.dreams.length;
    const words = t(
      "Each picture started as noise and was changed step by step to raise its class's score; the percentage " +
        "is the model's probability for that class on the picture (low where the climb got nowhere).",
    );
    const shown = { shown: answer.dreams.length, count: answer.classes.length };
    setStatus("ready", left > 0 ? `${words} ${t("The first {shown} of {count} classes are shown.", shown)}` : words);
    root.dataset.model = answer.model;
  }

  async function load() {
    const { detail } = state;
    if (!detail) return;
    if (kept.has(detail.id)) return render(kept.get(detail.id));
    const signal = job.start();
    show.disabled = true;
    const count = Math.min(detail.classes.length, DREAM.classesShown);
    setStatus("busy", t("Dreaming {count} classes of {model} from noise: a few seconds…", { count, model: detail.name }));
    try {
      const answer = await getDreams(detail.id, { classes: `0-${count - 1}`, steps: DREAM.classSteps }, signal);
      if (signal.aborted) return;
      kept.set(detail.id, answer);
      render(answer);
    } catch (error) {
      if (isAbort(error) || signal.aborted) return;
      setStatus("error", error.message);
    } finally {
      if (!signal.aborted) show.disabled = false;
    }
  }

  show.addEventListener("click", load);

  return {
    useModel(detail) {
      if (state.detail?.id === detail.id) return;
      state.detail = detail;
      job.abort();
      show.disabled = false;
      show.hidden = false;
      grid.replaceChildren();
      delete root.dataset.model;
      setStatus("idle");
      if (kept.has(detail.id)) render(kept.get(detail.id));
    },
  };
}
