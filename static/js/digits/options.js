// The preprocessing switches (invert auto/yes/no, crop, fit 20x20, centre by mass, thicken) read into the
// fields api.js sends with a digit.

/** {invert, crop, fit, center, thicken} from a form made by preprocess_panel() in _digit_controls.html. */
export function readDigitOptions(form) {
  const checked = (name) => form.querySelector(`[name=${name}]`).checked;
  return {
    invert: form.querySelector("[name=invert]:checked")?.value ?? "auto",
    crop: checked("crop"),
    fit: checked("fit"),
    center: checked("center"),
    thicken: checked("thicken"),
  };
}

/** Call onChange whenever a switch changes. */
export function watchDigitOptions(form, onChange) {
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", () => onChange(readDigitOptions(form)));
}
