// The output-size arithmetic with the user's own numbers, one line per axis, and the API's
// explanation whenever the window does not divide the padded input evenly.
import { el } from "../dom.js";

const AXES = [
  ["rows", "Rows"],
  ["cols", "Columns"],
];

export function renderOutputSize(container, outputSize, what = "window") {
  const lines = AXES.map(([axis, name]) => {
    const size = outputSize[axis];
    return el("div", { class: "size-line", dataset: { axis } }, [
      el("dt", { text: name }),
      el("dd", {}, [el("code", { text: size.formula })]),
    ]);
  });
  const notes = AXES.filter(([axis]) => !outputSize[axis].divides_evenly).map(([axis, name]) =>
    el("p", { class: "size-note", dataset: { axis } }, [
      el("strong", { text: `${name} do not divide evenly. ` }),
      outputSize[axis].explanation,
    ]),
  );
  container.replaceChildren(
    el("p", { class: "size-rule" }, [
      `output = floor((input − ${what} + padding) / stride) + 1`,
    ]),
    el("dl", { class: "size-math" }, lines),
    ...notes,
  );
}
