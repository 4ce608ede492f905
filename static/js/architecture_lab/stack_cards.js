// The stack editor's cards: one per layer with its settings (drawn from the catalogue's fields)
// and buttons to move it up or down or remove it; Add and Concatenate cards hold their branches,
// each a list of cards of its own. Every edit goes back through the `edit` callbacks.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
import { readValue, showValue } from "./layer_forms.js";

const FLOAT_STEP = 0.05; // a rate's spinner step

let nextId = 0;
export const uniqueId = (prefix) => `${prefix}-${++nextId}`;

/** The layer menu: every type but the Input, which only starts a stack. */
export function typeOptions(types) {
  return Object.values(types)
    .filter((spec) => spec.type !== "Input")
    .map((spec) => el("option", { value: spec.type, text: `${spec.type}: ${spec.about}` }));
}

/** Record or clear a field's problem and show its card's problems under the card. */
export function showProblem(problems, input, message) {
  if (message) {
    problems.set(input.id, message);
    input.setAttribute("aria-invalid", "true");
  } else {
    problems.delete(input.id);
    input.removeAttribute("aria-invalid");
  }
  const card = input.closest("[data-location]");
  const text = card.querySelector(":scope > .layer-message");
  const messages = [...card.querySelectorAll(":scope > .params [aria-invalid]")]
    .map((field) => problems.get(field.id))
    .filter(Boolean);
  text.textContent = messages.join(" ");
  text.hidden = messages.length === 0;
}

function choiceInput(id, layer, spec, onChange) {
  const input = el("select", { id, title: spec.description }, [
    spec.nullable ? el("option", { value: "", text: t("none") }) : null,
    ...spec.options.map((option) => el("option", { value: option, text: option })),
  ]);
  input.value = layer[spec.key] ?? "";
  input.addEventListener("change", () => {
    layer[spec.key] = input.value === "" ? null : input.value;
    onChange();
  });
  return input;
}

function textInput(id, layer, spec, { problems, onChange }) {
  const numeric = spec.kind === "int" || spec.kind === "float";
  const input = el("input", {
    id,
    type: numeric ? "number" : "text",
    inputmode: spec.kind === "float" ? "decimal" : "numeric",
    min: numeric ? spec.minimum : undefined,
    max: numeric ? spec.maximum : undefined,
    step: spec.kind === "float" ? FLOAT_STEP : numeric ? 1 : undefined,
    placeholder: spec.nullable ? t("default") : undefined,
    title: spec.description,
    autocomplete: "off",
    value: showValue(layer[spec.key]),
  });
  input.addEventListener("input", () => {
    const read = readValue(spec, input.value);
    showProblem(problems, input, read.error);
    if (!read.error) layer[spec.key] = read.value;
    onChange();
  });
  return input;
}

function field(layer, spec, context) {
  const id = uniqueId("layer-field");
  const label = el("label", { for: id, text: spec.label });
  if (spec.kind === "bool") {
    const input = el("input", { type: "checkbox", id, title: spec.description });
    input.checked = layer[spec.key] !== false;
    input.addEventListener("change", () => {
      layer[spec.key] = input.checked;
      context.onChange();
    });
    return el("div", { class: "field field-check" }, [input, label]);
  }
  const input =
    spec.kind === "choice"
      ? choiceInput(id, layer, spec, context.onChange)
      : textInput(id, layer, spec, context);
  return el("div", { class: `field field-${spec.kind}` }, [label, input]);
}

function actionButton(text, label, action, disabled) {
  return el("button", {
    type: "button", class: "icon-button", text, "aria-label": label, dataset: { action },
    disabled,
  });
}

function cardActions(layer, owner, index, edit) {
  const title = layer.name ? `${layer.type} ${layer.name}` : layer.type;
  const actions = el("div", { class: "layer-actions" }, [
    actionButton("↑", t("Move {layer} up", { layer: title }), "up", index === 0),
    actionButton("↓", t("Move {layer} down", { layer: title }), "down", index === owner.length - 1),
    actionButton("✕", t("Remove {layer}", { layer: title }), "remove"),
  ]);
  actions.addEventListener("click", (event) => {
    const action = event.target.closest("button")?.dataset.action;
    if (action === "remove") edit.remove(owner, index);
    else if (action) edit.move(owner, index, action);
  });
  return actions;
}

/**
 * card(layer, owner, index, location, nesting, context) -> the layer's <li>. context: {types,
 * limits, state, problems, onChange, edit: {move, remove, add(branch, type), addBranch(layer),
 * removeBranch(layer, b)}}.
 */
export function card(layer, owner, index, location, nesting, context) {
  const spec = context.types[layer.type];
  const settings = spec.fields.filter((f) => f.kind !== "branches");
  const item = el("li", {
    class: `layer-card nesting-${Math.min(nesting, 3)}`,
    dataset: { location, uid: context.state.uid(layer), type: layer.type },
  }, [
    el("div", { class: "layer-head" }, [
      el("span", { class: "layer-location", text: location.replace(/^layers/, "") }),
      el("strong", { class: "layer-type", text: layer.type }),
      layer.name ? el("code", { class: "layer-name", text: layer.name }) : null,
      el("output", { class: "layer-result", "aria-live": "off" }),
      cardActions(layer, owner, index, context.edit),
    ]),
    settings.length
      ? el("div", { class: "params" }, settings.map((f) => field(layer, f, context)))
      : null,
    el("p", { class: "layer-message", hidden: true }),
  ]);
  if (layer.branches) item.append(branchesBlock(layer, location, nesting, context));
  return item;
}

function branchSection(layer, branch, b, location, nesting, context) {
  const { edit, limits, types } = context;
  const branchList = el("ol", { class: "stack-list" }, branch.map((inner, j) =>
    card(inner, branch, j, `${location}.branches[${b}][${j}]`, nesting + 1, context),
  ));
  const select = el("select", { id: uniqueId("branch-type") }, typeOptions(types));
  return el("section", { class: "branch", "aria-label": t("Branch {branch}", { branch: b }) }, [
    el("h4", {
      text: branch.length
        ? t("Branch {branch}", { branch: b })
        : t("Branch {branch}: identity (empty)", { branch: b }),
    }),
    branchList,
    el("div", { class: "add-row" }, [
      el("label", { for: select.id, class: "visually-hidden", text: t("Layer type for branch {branch}", { branch: b }) }),
      select,
      el("button", {
        type: "button", class: "button button-quiet", text: t("Add"),
        onclick: () => edit.add(branch, select.value),
      }),
      el("button", {
        type: "button", class: "button button-quiet", text: t("Remove branch"),
        disabled: layer.branches.length <= limits.min_branches,
        onclick: () => edit.removeBranch(layer, b),
      }),
    ]),
  ]);
}

function branchesBlock(layer, location, nesting, context) {
  const { state, limits, edit } = context;
  const details = el("details", { class: "branches", open: state.isExpanded(layer) });
  details.addEventListener("toggle", () => state.setExpanded(layer, details.open));
  const sizes = layer.branches.map((branch) => branch.length).join(" + ");
  details.append(
    el("summary", { text: t("{count} branches ({sizes} layers)", { count: layer.branches.length, sizes }) }),
    el("p", {
      class: "note",
      text: t("Each branch starts from this layer's input; an empty branch is the input itself (the identity shortcut)."),
    }),
    ...layer.branches.map((branch, b) =>
      branchSection(layer, branch, b, location, nesting, context),
    ),
    el("button", {
      type: "button", class: "button button-quiet", text: t("Add a branch"),
      disabled: layer.branches.length >= limits.max_branches,
      onclick: () => edit.addBranch(layer),
    }),
  );
  return details;
}
