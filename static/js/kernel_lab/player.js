// Play / Pause for the Kernel lab: the window slides by itself, one output pixel per step, at the
// speed the learner picks. The lab says what a step is; Pause leaves the window where it is.
// With prefers-reduced-motion nothing moves until the learner presses Play, and then slowly.

import { t } from "../i18n/index.js";

const REDUCED_MOTION = "(prefers-reduced-motion: reduce)";

/**
 * createPlayer(root, {onStep() -> boolean, live}) where root holds a [data-role=play] button and
 * a [data-role=speed] select (steps a second). onStep moves one step; it returns false when there
 * is nothing to step through, which pauses. `live` is the element that reads each position out:
 * while playing it stays quiet, or a screen reader would chase the window. Returns {pause(),
 * playing()}.
 */
export function createPlayer(root, { onStep, live }) {
  const button = root.querySelector("[data-role=play]");
  const speed = root.querySelector("[data-role=speed]");
  let timer = null;
  if (window.matchMedia?.(REDUCED_MOTION).matches) speed.selectedIndex = 0;

  const show = () => {
    button.textContent = timer ? t("❚❚ Pause") : t("▶ Play");
    button.dataset.playing = String(Boolean(timer));
    live?.setAttribute("aria-live", timer ? "off" : "polite");
  };
  const pause = () => {
    clearInterval(timer);
    timer = null;
    show();
  };
  const tick = () => {
    if (!onStep()) pause();
  };
  const play = () => {
    clearInterval(timer);
    timer = setInterval(tick, 1000 / Number(speed.value));
    show();
    tick();
  };
  button.addEventListener("click", () => (timer ? pause() : play()));
  speed.addEventListener("change", () => timer && play());
  // A hidden tab (the other half of the lab) does not play on unseen.
  document.addEventListener("visibilitychange", () => document.hidden && pause());
  show();
  return { pause, playing: () => timer !== null };
}
