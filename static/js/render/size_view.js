// The output-size arithmetic with the user's own numbers, one line per axis, and the API's
// explanation whenever the window does not divide the padded input evenly.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";

// Each axis: its field in the API's output_size, its name, and what is said when the window does
// not divide it evenly.
const AXES = [
  ["rows", t("Rows"), t("Rows do not divide evenly.")],
  ["cols", t("Columns"), t("Columns do not divide evenly.")],
];

/** renderOutputSize(container, outputSize, what): `what` ("kernel size"), in the page's
 * language, is what the formula takes from the input; the default is "window", translated. */
export function renderOutputSize(container, outputSize, what = t("window")) {
  const lines = AXES.map(([axis, name]) => {
    const size = outputSize[axis];
    return el("div", { class: "size-line", dataset: { axis } }, [
      el("dt", { text: name }),
      el("dd", {}, [el("code", { text: size.formula })]),
    ]);
  });
  const notes = AXES.filter(([axis]) => !outputSize[axis].divides_evenly).map(([axis, , uneven]) =>
    el("p", { class: "size-note", dataset: { axis } }, [
      el("strong", { text: `${uneven} ` }),
      outputSize[axis].explanation,
    ]),
  );
  container.replaceChildren(
    el("p", { class: "size-rule" }, [
      t("output = floor((input − {what} + padding) / stride) + 1", { what }),
    ]),
    el("dl", { class: "size-math" }, lines),
    ...notes,
  );
}
