// Messages on the field that holds a bad value, instead of the page's error box: the field is
// marked aria-invalid and described by a message placed next to it.
import { el } from "../dom.js";

/** A value a learner typed that cannot be used: `input` is the field, `holder` gets the message. */
export class FieldError extends Error {
  constructor(message, input, holder = input.closest(".field") ?? input.parentElement) {
    super(message);
    this.name = "FieldError";
    this.input = input;
    this.holder = holder;
  }
}

let counter = 0;

/** Show `error` (a FieldError) on its field. */
export function showFieldError(error) {
  const { input, holder } = error;
  const id = `field-message-${++counter}`;
  holder.append(el("p", { class: "field-message", id, text: error.message }));
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", id);
  input.dataset.fieldError = id;
}

/** Remove every message shown inside the given elements, and the marks on their fields. */
export function clearFieldErrors(...roots) {
  for (const root of roots) {
    for (const input of root.querySelectorAll("[data-field-error]")) {
      // A grid cell keeps its own aria-invalid (it still holds what was typed).
      if (!input.closest(".num-grid")) input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      delete input.dataset.fieldError;
    }
    for (const message of root.querySelectorAll(".field-message")) message.remove();
  }
}
