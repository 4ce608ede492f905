// The lab's words, each behind a small "?" button: a one-sentence definition and its formula in
// a popover (the browser's own: opened by click, tap, Enter or Space; closed by Escape, the
// button again, a click elsewhere or scrolling; never by hovering alone). It opens under its
// button.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";

export const TERMS = {
  output: {
    term: t("Output size"),
    text: t("How many positions the window fits along each side of the input: the output's height and width."),
    formula: t("out = floor((in − kernel + 2 × padding) / stride) + 1"),
  },
  params: {
    term: t("Parameters"),
    text: t("The numbers a layer learns in training: its weights and biases."),
    formula: t("Conv2D: kh × kw × in_channels × filters + filters;  Dense: inputs × units + units"),
  },
  macs: {
    term: "MACs",
    text: t("Multiply-accumulates: the multiplications, each added to a running sum, that one input costs a layer."),
    formula: t("Conv2D: out_h × out_w × kh × kw × in_channels × filters;  Dense: inputs × units"),
  },
  receptive_field: {
    term: t("Receptive field"),
    text: t("The patch of the input image that one output value can see: nothing outside it changes that value."),
    formula: t("rf = rf_before + (kernel − 1) × jump_before  (rf starts at 1)"),
  },
  jump: {
    term: t("Jump"),
    text: t("How many input pixels apart two neighbouring output values are centred."),
    formula: t("jump = jump_before × stride  (jump starts at 1)"),
  },
};

let made = 0;

// Put the open popover under its button, inside the window.
function place(panel, button) {
  const box = button.getBoundingClientRect();
  const width = Math.min(320, window.innerWidth - 16);
  panel.style.width = `${width}px`;
  panel.style.left = `${Math.max(8, Math.min(box.left, window.innerWidth - width - 8))}px`;
  panel.style.top = `${box.bottom + 6}px`;
}

/** glossaryButton(key) -> a "?" button and its popover (a <span class="gloss">); key of TERMS. */
export function glossaryButton(key) {
  const { term, text, formula } = TERMS[key];
  const id = `gloss-${key}-${++made}`;
  const panel = el("div", { id, class: "gloss-panel", popover: "auto", role: "note", dataset: { term: key } }, [
    el("p", {}, [el("strong", { text: `${term}: ` }), text]),
    el("p", { class: "gloss-formula" }, [el("code", { text: formula })]),
  ]);
  const button = el("button", {
    type: "button",
    class: "gloss-button",
    popovertarget: id,
    "aria-label": t('What "{term}" means', { term }),
    dataset: { term: key },
  }); // its "?" is drawn by the CSS: the label's text stays the word alone (innerText, copying)
  // It is placed against the window: scrolling the page closes it rather than leave it behind.
  const close = () => panel.hidePopover();
  panel.addEventListener("beforetoggle", (event) => {
    if (event.newState === "open") {
      place(panel, button);
      window.addEventListener("scroll", close, { once: true, passive: true });
    } else {
      window.removeEventListener("scroll", close);
    }
  });
  return el("span", { class: "gloss" }, [button, panel]);
}
