// The epoch scrubber: a labelled range over the kept epochs (arrow keys, Home and End move it)
// and a Play button that steps through them. While the job runs it stays on the newest epoch,
// until the learner moves it elsewhere; moving it back to the newest follows again.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";

const PLAY_STEP_MS = 800;

export const epochWords = (epoch) => (epoch === 0 ? t("Epoch 0: the random start, before any training") : t("After epoch {epoch}", { epoch }));

/** The output beside the slider: the epoch, then where it is among the kept ones. */
const epochPosition = (epoch, position, kept) =>
  epoch === 0
    ? t("Epoch 0: the random start, before any training ({position} of {kept} kept)", { position, kept })
    : t("After epoch {epoch} ({position} of {kept} kept)", { epoch, position, kept });

/**
 * createEpochScrubber({id, onChange(epoch, newest)}) -> {element, setEpochs(epochs), prefer(epoch),
 * stop()}. `epochs` are the kept epochs in order (0, 1, 2, ...); onChange gets the one to show
 * and whether it is the newest kept. prefer(epoch) shows that epoch instead of the newest as
 * soon as it is kept (a link's or a reload's choice).
 */
export function createEpochScrubber({ id, onChange }) {
  const range = el("input", { type: "range", id, class: "epoch-range", min: 0, max: 0, step: 1, value: 0 });
  const label = el("label", { for: id, class: "epoch-label", text: t("Epoch") });
  const output = el("output", { for: id, class: "epoch-output", "aria-live": "polite" });
  const play = el("button", { type: "button", class: "button button-quiet epoch-play", "aria-pressed": "false", text: t("Play") });
  let epochs = [];
  let following = true; // on the newest epoch, and staying there as new ones arrive
  let timer = null;
  let preferred = null;

  const current = () => epochs[Number(range.value)];

  function show() {
    const epoch = current();
    if (epoch === undefined) return;
    const words = epochWords(epoch);
    output.textContent = epochPosition(epoch, Number(range.value) + 1, epochs.length);
    range.setAttribute("aria-valuetext", words);
    onChange(epoch, Number(range.value) === epochs.length - 1);
  }

  function stopPlaying() {
    clearTimeout(timer);
    timer = null;
    play.textContent = t("Play");
    play.setAttribute("aria-pressed", "false");
  }

  function step() {
    const next = Number(range.value) + 1;
    if (next >= epochs.length) return stopPlaying();
    range.value = String(next);
    following = next === epochs.length - 1;
    show();
    timer = setTimeout(step, PLAY_STEP_MS);
  }

  range.addEventListener("input", () => {
    stopPlaying();
    following = Number(range.value) === epochs.length - 1;
    show();
  });
  play.addEventListener("click", () => {
    if (timer) return stopPlaying();
    if (epochs.length < 2) return;
    play.textContent = t("Pause");
    play.setAttribute("aria-pressed", "true");
    if (Number(range.value) >= epochs.length - 1) {
      range.value = "0";
      following = false;
      show();
    }
    timer = setTimeout(step, PLAY_STEP_MS);
  });

  return {
    element: el("div", { class: "epoch-scrubber" }, [label, range, play, output]),
    setEpochs(kept) {
      let before = current();
      const grew = kept.length !== epochs.length;
      epochs = [...kept];
      range.max = String(Math.max(0, epochs.length - 1));
      play.disabled = epochs.length < 2;
      if (!epochs.length) {
        following = true; // a new job: follow it from its first epoch
        return;
      }
      if (preferred !== null && epochs.includes(preferred)) {
        before = preferred;
        following = preferred === epochs.at(-1);
        preferred = null;
      }
      const at = following || before === undefined ? epochs.length - 1 : Math.max(0, epochs.indexOf(before));
      const moved = Number(range.value) !== at || before === undefined;
      range.value = String(at);
      if (moved || grew) show();
    },
    prefer(epoch) {
      preferred = epoch;
    },
    stop: stopPlaying,
  };
}
