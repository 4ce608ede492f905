// Quiz mode: hide one layer's output shape or parameter count, take the learner's answer, and
// check it against the summary, showing the working either way.
import { el } from "../dom.js";
import { formatCount, formatShape } from "../format.js";
import { parseCountAnswer, parseShapeAnswer } from "./numbers.js";

function describe(row) {
  return row.settings ? `${row.name} (${row.type}: ${row.settings})` : `${row.name} (${row.type})`;
}

function inputText(row) {
  if (row.input_shapes.length === 1) return `Its input is ${formatShape(row.input_shapes[0])}.`;
  const branches = row.input_shapes.map((shape, b) => `branch ${b} gives ${formatShape(shape)}`);
  return `Its branches end in: ${branches.join("; ")}.`;
}

/**
 * createQuiz(root, {summary() -> the latest summary, onHide({location, kind} | null)}).
 * root holds #quiz-question, #quiz-form (#quiz-answer), #quiz-feedback, #quiz-ask, #quiz-score.
 */
export function createQuiz(root, { summary, onHide }) {
  const question = root.querySelector("#quiz-question");
  const form = root.querySelector("#quiz-form");
  const answer = root.querySelector("#quiz-answer");
  const feedback = root.querySelector("#quiz-feedback");
  const score = root.querySelector("#quiz-score");
  let asked = null;
  let right = 0;
  let total = 0;

  function ask() {
    const rows = summary()?.layers.filter((row) => row.type !== "Input") ?? [];
    if (!rows.length) {
      question.textContent = "Add a layer first: the quiz asks about the stack's layers.";
      return;
    }
    const row = rows[Math.floor(Math.random() * rows.length)];
    const kind = row.param_kind && Math.random() < 0.5 ? "params" : "shape";
    asked = { location: row.location, kind };
    root.dataset.state = "asking";
    root.dataset.location = row.location;
    root.dataset.kind = kind;
    question.textContent =
      kind === "shape"
        ? `What is the output shape of ${describe(row)}? ${inputText(row)}`
        : `How many parameters does ${describe(row)} have? ${inputText(row)}`;
    answer.value = "";
    answer.placeholder = kind === "shape" ? "e.g. 24 x 24 x 6" : "e.g. 156";
    answer.removeAttribute("aria-invalid");
    feedback.textContent = "";
    feedback.className = "quiz-feedback";
    form.hidden = false;
    root.querySelector("#quiz-ask").textContent = "Ask another question";
    onHide(asked);
    answer.focus();
  }

  function check(event) {
    event.preventDefault();
    if (!asked) return;
    const row = summary()?.layers.find((r) => r.location === asked.location);
    if (!row) {
      feedback.textContent = "The stack changed and that layer is gone: ask a new question.";
      return;
    }
    const parse = asked.kind === "shape" ? parseShapeAnswer : parseCountAnswer;
    const given = parse(answer.value);
    if (given === null) {
      answer.setAttribute("aria-invalid", "true");
      feedback.textContent =
        asked.kind === "shape"
          ? "Type the shape as whole numbers, e.g. 24 x 24 x 6 (or 4096 for a vector)."
          : "Type the count as a whole number, e.g. 156 or 48,120.";
      return;
    }
    answer.removeAttribute("aria-invalid");
    const shape = row.output_shape;
    const correct =
      asked.kind === "shape"
        ? given.length === shape.length && given.every((n, i) => n === shape[i])
        : given === row.params;
    const value = asked.kind === "shape" ? formatShape(row.output_shape) : formatCount(row.params);
    const working = asked.kind === "shape" ? row.output_formula : row.params_formula;
    total += 1;
    if (correct) right += 1;
    feedback.replaceChildren(
      el("strong", { text: correct ? "Right. " : "Not quite. " }),
      correct ? "" : `You said ${answer.value.trim()}; the answer is ${value}. `,
      el("span", { text: "The working: " }),
      el("code", { text: working }),
    );
    feedback.className = `quiz-feedback ${correct ? "is-right" : "is-wrong"}`;
    root.dataset.state = correct ? "right" : "wrong";
    score.textContent = `${right} of ${total} right`;
    form.hidden = true;
    asked = null;
    onHide(null);
    root.querySelector("#quiz-ask").focus();
  }

  root.querySelector("#quiz-ask").addEventListener("click", ask);
  form.addEventListener("submit", check);
  return {
    /** The value the table must hide, or null. */
    hidden: () => asked,
  };
}
