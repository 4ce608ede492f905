// "Check yourself": one step's question, a number to type or a choice to make, checked on the
// page with feedback that says why. question is a step's entry in ./steps.js.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";

/** A typed answer as a number ("2,416" and "2 416" too); null when it is not one. */
export function parseAnswer(text) {
  const cleaned = text.trim().replace(/[\s,]/g, "").replace(/^−/, "-");
  if (cleaned === "") return null;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : null;
}

const same = (a, b) => Math.abs(a - b) < 1e-9;

function gridTable({ caption, rows }) {
  return el("table", { class: "learn-grid" }, [
    el("caption", { text: caption }),
    el(
      "tbody",
      {},
      rows.map((row) => el("tr", {}, row.map((value) => el("td", { text: String(value).replace("-", "−") })))),
    ),
  ]);
}

/** {result: "right" | "wrong" | "empty", message} for a typed answer to a number question. */
export function judgeNumber(question, text) {
  const value = parseAnswer(text);
  if (value === null) return { result: "empty", message: t("Type a number first, then press Check.") };
  if (same(value, question.answer)) return { result: "right", message: t("Right. {working}", { working: question.working }) };
  const mistake = question.mistakes?.find((m) => same(m.value, value));
  const why = mistake ? mistake.says : question.hint;
  return { result: "wrong", message: t("Not quite: {value} is not it. {why}", { value, why }) };
}

/** {result, message} for the chosen option (an index, or null when none is chosen). */
export function judgeChoice(question, index) {
  if (index === null) return { result: "empty", message: t("Choose an answer first, then press Check.") };
  const option = question.options[index];
  return option.correct
    ? { result: "right", message: t("Right. {working}", { working: option.says }) }
    : { result: "wrong", message: t("Not quite. {why}", { why: option.says }) };
}

function numberForm(question, prefix) {
  const input = el("input", {
    "aria-describedby": `${prefix}-prompt`,
    type: "text",
    id: `${prefix}-answer`,
    name: "answer",
    inputmode: "decimal",
    autocomplete: "off",
    spellcheck: "false",
  });
  const fields = el("div", { class: "learn-answer-row" }, [
    el("label", { for: input.id, text: t("Your answer") }),
    input,
    el("button", { type: "submit", class: "button", text: t("Check") }),
  ]);
  return { fields, judge: () => judgeNumber(question, input.value), focus: input };
}

function choiceForm(question, prefix) {
  const radios = question.options.map((option, index) =>
    el("input", { type: "radio", name: `${prefix}-choice`, value: String(index) }),
  );
  const fieldset = el("fieldset", { class: "learn-choices", "aria-describedby": `${prefix}-prompt` }, [
    el("legend", { text: t("Your answer") }),
    ...question.options.map((option, index) => el("label", {}, [radios[index], ` ${option.text}`])),
  ]);
  const fields = el("div", {}, [fieldset, el("button", { type: "submit", class: "button", text: t("Check") })]);
  const chosen = () => {
    const radio = radios.find((r) => r.checked);
    return radio ? Number(radio.value) : null;
  };
  return { fields, judge: () => judgeChoice(question, chosen()), focus: radios[0] };
}

/**
 * Fill root with the question; onRight() is called each time it is answered right.
 * Returns {root}.
 */
export function renderQuestion(root, question, { prefix, onRight }) {
  const promptId = `${prefix}-prompt`;
  const form = question.kind === "choice" ? choiceForm(question, prefix) : numberForm(question, prefix);
  const feedback = el("p", { class: "learn-feedback", role: "status", "aria-live": "polite" });
  feedback.dataset.result = "none";
  const worked =
    question.kind === "number"
      ? el("details", { class: "learn-worked", hidden: true }, [
          el("summary", { text: t("Show the worked answer") }),
          el("p", { text: question.working }),
        ])
      : null;
  const formEl = el("form", { class: "learn-form", novalidate: true }, [form.fields]);
  formEl.addEventListener("submit", (event) => {
    event.preventDefault();
    const { result, message } = form.judge();
    feedback.dataset.result = result;
    feedback.textContent = message;
    if (worked) worked.hidden = result !== "wrong";
    if (result === "right") onRight();
  });
  const grids = question.grids ? el("div", { class: "learn-grids" }, question.grids.map(gridTable)) : null;
  const parts = [
    el("h3", { text: t("Check yourself") }),
    el("p", { id: promptId, class: "learn-prompt", text: question.prompt }),
    grids,
    formEl,
    feedback,
    worked,
  ];
  root.replaceChildren(...parts.filter(Boolean));
  return { root };
}
