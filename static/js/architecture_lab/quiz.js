// Quiz mode: hide one layer's output shape or parameter count, take the learner's answer, and
// check it against the summary, showing the working either way.
import { el } from "../dom.js";
import { formatCount, formatShape } from "../format.js";
import { t } from "../i18n/index.js";
import { parseCountAnswer, parseShapeAnswer } from "./numbers.js";

function describe(row) {
  return row.settings ? `${row.name} (${row.type}: ${row.settings})` : `${row.name} (${row.type})`;
}

function inputText(row) {
  if (row.input_shapes.length === 1) return t("Its input is {shape}.", { shape: formatShape(row.input_shapes[0]) });
  const branches = row.input_shapes.map((shape, b) => t("branch {branch} gives {shape}", { branch: b, shape: formatShape(shape) }));
  return t("Its branches end in: {branches}.", { branches: branches.join("; ") });
}

// One question: a random layer of the stack, and whether its output shape or its parameter count
// is asked (a layer without weights is always asked its shape).
function pickQuestion(rows) {
  const row = rows[Math.floor(Math.random() * rows.length)];
  const kind = row.param_kind && Math.random() < 0.5 ? "params" : "shape";
  return questionAbout(row, kind);
}

function questionAbout(row, kind) {
  const layer = describe(row);
  const question =
    kind === "shape"
      ? t("What is the output shape of {layer}?", { layer })
      : t("How many parameters does {layer} have?", { layer });
  const text = `${question} ${inputText(row)}`;
  return { asked: { location: row.location, kind }, text };
}

// The learner's answer against the row: {given, correct, value, working}; given is null when the
// text is not a shape or a count at all.
function grade(row, kind, text) {
  const given = (kind === "shape" ? parseShapeAnswer : parseCountAnswer)(text);
  if (given === null) return { given };
  const shape = row.output_shape;
  return {
    given,
    correct:
      kind === "shape"
        ? given.length === shape.length && given.every((n, i) => n === shape[i])
        : given === row.params,
    value: kind === "shape" ? formatShape(shape) : formatCount(row.params),
    working: kind === "shape" ? row.output_formula : row.params_formula,
  };
}

function showQuestion(quiz, { asked, text }) {
  const { root, answer, feedback } = quiz.elements;
  root.dataset.state = "asking";
  root.dataset.location = asked.location;
  root.dataset.kind = asked.kind;
  quiz.elements.question.textContent = text;
  answer.value = "";
  answer.placeholder = asked.kind === "shape" ? t("e.g. 24 x 24 x 6") : t("e.g. 156");
  answer.removeAttribute("aria-invalid");
  feedback.textContent = "";
  feedback.className = "quiz-feedback";
  quiz.elements.form.hidden = false;
  quiz.elements.askButton.textContent = t("Ask another question");
}

function showInvalid(quiz, kind) {
  quiz.elements.answer.setAttribute("aria-invalid", "true");
  quiz.elements.feedback.textContent =
    kind === "shape"
      ? t("Type the shape as whole numbers, e.g. 24 x 24 x 6 (or 4096 for a vector).")
      : t("Type the count as a whole number, e.g. 156 or 48,120.");
}

function showGrade(quiz, { correct, value, working }) {
  const { root, answer, feedback, score } = quiz.elements;
  answer.removeAttribute("aria-invalid");
  feedback.replaceChildren(
    el("strong", { text: `${correct ? t("Right.") : t("Not quite.")} ` }),
    correct ? "" : `${t("You said {given}; the answer is {value}.", { given: answer.value.trim(), value })} `,
    el("span", { text: `${t("The working:")} ` }),
    el("code", { text: working }),
  );
  feedback.className = `quiz-feedback ${correct ? "is-right" : "is-wrong"}`;
  root.dataset.state = correct ? "right" : "wrong";
  score.textContent = t("{right} of {total} right", { right: quiz.right, total: quiz.total });
  quiz.elements.form.hidden = true;
}

// Ask `question`, or a random one; focus moves to the answer box unless `quietly`.
function ask(quiz, question = null, quietly = false) {
  const rows = quiz.summary()?.layers.filter((row) => row.type !== "Input") ?? [];
  if (!rows.length) {
    quiz.elements.question.textContent = t("Add a layer first: the quiz asks about the stack's layers.");
    return;
  }
  question ??= pickQuestion(rows);
  quiz.asked = question.asked;
  showQuestion(quiz, question);
  quiz.onHide(quiz.asked);
  if (!quietly) quiz.elements.answer.focus();
}

function check(quiz) {
  const { asked } = quiz;
  if (!asked) return;
  const row = quiz.summary()?.layers.find((r) => r.location === asked.location);
  if (!row) {
    quiz.elements.feedback.textContent = t("The stack changed and that layer is gone: ask a new question.");
    return;
  }
  const result = grade(row, asked.kind, quiz.elements.answer.value);
  if (result.given === null) {
    showInvalid(quiz, asked.kind);
    return;
  }
  quiz.total += 1;
  if (result.correct) quiz.right += 1;
  quiz.asked = null;
  showGrade(quiz, result);
  quiz.onHide(null);
  quiz.elements.askButton.focus();
}

/**
 * createQuiz(root, {summary() -> the latest summary, onHide({location, kind} | null)}) ->
 * {hidden(), askAbout(location, kind)}.
 * root holds #quiz-question, #quiz-form (#quiz-answer), #quiz-feedback, #quiz-ask, #quiz-score.
 */
export function createQuiz(root, { summary, onHide }) {
  const find = (selector) => root.querySelector(selector);
  const elements = {
    root,
    question: find("#quiz-question"),
    form: find("#quiz-form"),
    answer: find("#quiz-answer"),
    feedback: find("#quiz-feedback"),
    score: find("#quiz-score"),
    askButton: find("#quiz-ask"),
  };
  // What the module's functions above share: the elements, the question asked and the score.
  const quiz = { elements, summary, onHide, asked: null, right: 0, total: 0 };
  elements.askButton.addEventListener("click", () => ask(quiz));
  elements.form.addEventListener("submit", (event) => {
    event.preventDefault();
    check(quiz);
  });
  return {
    /** The value the table must hide, or null. */
    hidden: () => quiz.asked,
    /**
     * Ask about the row at `location`: its "shape" or its "params" (a layer with weights only).
     * Returns false when the stack has no such question.
     */
    askAbout(location, kind) {
      const row = quiz.summary()?.layers.find((r) => r.location === location && r.type !== "Input");
      if (!row || !(kind === "shape" || (kind === "params" && row.param_kind))) return false;
      ask(quiz, questionAbout(row, kind), true);
      return true;
    },
  };
}
