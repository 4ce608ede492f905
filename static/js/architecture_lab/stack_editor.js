// The layer-stack editor: the input shape, then one card per layer (stack_cards.js) over the
// state (stack_state.js). Every edit calls onChange(); the caller asks the server.
import { el } from "../dom.js";
import { newLayer, readValue, typesByName, withDefaults } from "./layer_forms.js";
import { formatCount, formatShape } from "../format.js";
import { t } from "../i18n/index.js";
import { card, showProblem, typeOptions } from "./stack_cards.js";
import { quizMask } from "./quiz_mask.js";
import { showStageRows, stageItem, stagesOf } from "./stack_stages.js";
import { createStackState, moveLayer, removeLayer, requestBody } from "./stack_state.js";

// The input's sides: the field's id (input-height, ...) and the label a person reads.
const INPUT_AXES = [
  ["height", t("Height")],
  ["width", t("Width")],
  ["channels", t("Channels")],
];

function inputFields(limits, state, onChange) {
  return INPUT_AXES.map(([name, label], axis) => {
    const max = axis < 2 ? limits.max_input_side : limits.max_input_channels;
    const input = el("input", {
      type: "number", id: `input-${name}`, min: 1, max, step: 1, required: true,
    });
    const spec = { kind: "int", label, minimum: 1, maximum: max };
    input.addEventListener("input", () => {
      showProblem(state.problems, input, readValue(spec, input.value).error);
      onChange();
    });
    return input;
  });
}

function inputCard(fields) {
  return el("fieldset", { class: "input-card", dataset: { location: "layers[0]" } }, [
    el("legend", { text: t("Input (layers[0])") }),
    el("div", { class: "params" }, fields.map((input, axis) =>
      el("div", { class: "field" }, [el("label", { for: input.id, text: INPUT_AXES[axis][1] }), input]),
    )),
    el("p", { class: "layer-message", hidden: true }),
  ]);
}

/** Show each summary row's output shape and parameters on its card, but the one value hidden. */
function showRows(root, rows, hide) {
  showStageRows(root, rows, hide);
  const byLocation = new Map(rows.map((row) => [row.location, row]));
  const mask = quizMask(rows, hide);
  for (const item of root.querySelectorAll("[data-location]")) {
    const row = byLocation.get(item.dataset.location);
    const output = item.querySelector(":scope > .layer-head > .layer-result");
    if (!output || !row) continue;
    output.textContent = resultText(row, mask);
  }
}

// "→ 28 × 28 × 6 · 156 params", with "?" for the quiz's question and nothing that gives it away.
function resultText(row, mask) {
  if (mask.masked(row, "shape")) return t("→ hidden until you answer");
  const shape = mask.asked(row, "shape") ? "?" : formatShape(row.output_shape);
  const count = mask.asked(row, "params") ? "?" : formatCount(row.params);
  return row.params ? t("→ {shape} · {count} params", { shape, count }) : `→ ${shape}`;
}

/** Point at the layer the server named in an error, and say why on its card. */
function markError(root, location, message) {
  const item = location && root.querySelector(`[data-location="${location}"]`);
  if (!item) return false;
  item.classList.add("has-error");
  const text = item.querySelector(":scope > .layer-message");
  text.textContent = message;
  text.hidden = false;
  openAround(item);
  return true;
}

/** Open every folded group (a stage, a merge's branches) around `item`, so it can be seen. */
function openAround(item) {
  for (let details = item.closest("details"); details; details = details.parentElement.closest("details")) {
    details.open = true;
  }
}

function clearMarks(root) {
  for (const item of root.querySelectorAll(".has-error")) {
    item.classList.remove("has-error");
    const text = item.querySelector(":scope > .layer-message");
    if (!item.querySelector(":scope > .params [aria-invalid]")) text.hidden = true;
  }
}

/** Draw every card again, deep stacks folded by stage; then focus `focusLayer`'s card (its `action` button if it has one). */
function drawCards(list, context, focusLayer, action) {
  const { state } = context;
  const cardAt = (index) => card(state.layers[index], state.layers, index, `layers[${index + 1}]`, 0, context);
  const items = [];
  const stages = stagesOf(state.layers);
  for (let index = 0; index < state.layers.length; index++) {
    const stage = stages.find((s) => s.start === index);
    if (!stage) {
      items.push(cardAt(index));
      continue;
    }
    const cards = [];
    for (let i = stage.start; i <= stage.end; i++) cards.push(cardAt(i));
    items.push(stageItem(stage, cards, {
      open: state.openStages.has(stage.key),
      onToggle: (open) => (open ? state.openStages.add(stage.key) : state.openStages.delete(stage.key)),
    }));
    index = stage.end;
  }
  list.replaceChildren(...items);
  if (!focusLayer || !state.hasUid(focusLayer)) return false;
  const target = list.querySelector(`[data-uid="${state.uid(focusLayer)}"]`);
  if (target) openAround(target);
  const button =
    target?.querySelector(`:scope > .layer-head [data-action="${action}"]:not(:disabled)`) ??
    target?.querySelector(":scope > .layer-head button:not(:disabled)");
  button?.focus();
  return true;
}

/** The edits the cards and the add row make; each redraws with `redraw(layer to focus, how)`. */
function stackEdits(state, types, redraw) {
  return {
    add(owner, type) {
      const layer = newLayer(types, type, state.lastChannels);
      if (layer.branches) state.setExpanded(layer, true);
      owner.push(layer);
      redraw(layer, "first");
    },
    move: (owner, index, direction) => redraw(moveLayer(owner, index, direction), direction),
    remove: (owner, index) => redraw(removeLayer(owner, index), "first"),
    addBranch(layer) {
      layer.branches.push([]);
      redraw(layer, "first");
    },
    removeBranch(layer, b) {
      layer.branches.splice(b, 1);
      redraw(layer, "first");
    },
  };
}

/**
 * createStackEditor(root, {catalogue, onChange}) -> {setStack, request, problems, showRows,
 * markError, clearMarks}. catalogue is GET /api/architectures/layer-types; the stack is the
 * API's request format, layers[0] the Input.
 */
export function createStackEditor(root, { catalogue, onChange }) {
  const types = typesByName(catalogue);
  const state = createStackState();
  const fields = inputFields(catalogue.limits, state, onChange);
  const list = el("ol", { class: "stack-list", id: "stack-list" });
  const addSelect = el("select", { id: "add-layer-type" }, typeOptions(types));
  const { limits } = catalogue;
  const context = { types, limits, state, problems: state.problems, onChange };

  function redraw(focusLayer, action) {
    // The cards are drawn from the layers, which only ever hold values that could be read.
    for (const id of state.problems.keys()) {
      if (!fields.some((input) => input.id === id)) state.problems.delete(id);
    }
    if (!drawCards(list, context, focusLayer, action) && action) addSelect.focus();
    onChange();
  }
  context.edit = stackEdits(state, types, redraw);

  root.replaceChildren(inputCard(fields), list, el("div", { class: "add-row" }, [
    el("label", { for: addSelect.id, text: t("New layer") }),
    addSelect,
    el("button", {
      type: "button", class: "button", id: "add-layer", text: t("Add layer"),
      onclick: () => context.edit.add(state.layers, addSelect.value),
    }),
  ]));

  return {
    /** Load a stack in the request format (layers[0] an Input, as the presets give it). */
    setStack(stackLayers) {
      const copy = structuredClone(stackLayers);
      const first = copy[0]?.type === "Input" ? copy.shift() : types.Input.example;
      state.inputName = first.name ?? null;
      first.shape.forEach((size, axis) => {
        fields[axis].value = String(size);
        showProblem(state.problems, fields[axis], null);
      });
      state.layers = copy.map((layer) => withDefaults(types, layer));
      redraw(null, null);
    },
    /** The request body; null when a setting cannot be read (problems() says which). */
    request() {
      if (state.problems.size) return null;
      return requestBody(state, fields.map((input) => Number(input.value)));
    },
    problems: () => [...state.problems.values()],
    /** Show the rows' results on the cards, but the value the quiz hides ({location, kind}). */
    showRows(rows, hide = null) {
      state.lastChannels = rows.at(-1)?.output_shape.at(-1) ?? state.lastChannels;
      showRows(root, rows, hide);
    },
    markError: (location, message) => markError(root, location, message),
    clearMarks: () => clearMarks(root),
  };
}
