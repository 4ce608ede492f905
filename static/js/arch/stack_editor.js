// The layer-stack editor: the input shape, then one card per layer with its Keras settings and
// buttons to move it up or down or remove it; Add and Concatenate cards hold their branches,
// each a list of cards of its own. Every edit calls onChange(); the caller asks the server.
import { ARCHITECTURE } from "../config.js";
import { el } from "../dom.js";
import { ACTIVATIONS, LAYER_TYPES, readValue, showValue } from "./layer_types.js";
import { formatCount, formatShape } from "./numbers.js";

let nextId = 0;
const uniqueId = (prefix) => `${prefix}-${++nextId}`;

function typeOptions() {
  return Object.entries(LAYER_TYPES).map(([type, spec]) =>
    el("option", { value: type, text: `${type}: ${spec.about}` }),
  );
}

/**
 * createStackEditor(root, {onChange}) -> {setStack, request, problems, showRows, markError,
 * clearMarks}. The stack is the API's request format: layers[0] is the Input.
 */
export function createStackEditor(root, { onChange }) {
  let inputName = null;
  let layers = [];
  const uids = new WeakMap(); // layer object -> the data-uid of its card, to refocus after moves
  const localProblems = new Map(); // field id -> message (what could not even be sent)
  const expanded = new WeakSet(); // merges whose branches are shown

  const inputFields = ["Height", "Width", "Channels"].map((label, axis) => {
    const max = axis < 2 ? ARCHITECTURE.maxInputSide : ARCHITECTURE.maxInputChannels;
    const input = el("input", {
      type: "number", id: `input-${label.toLowerCase()}`, min: 1, max, step: 1, required: true,
    });
    input.addEventListener("input", () => {
      const read = readValue({ kind: "int", label, min: 1, max }, input.value);
      setProblem(input, read.error);
      onChange();
    });
    return input;
  });
  const inputMessage = el("p", { class: "layer-message", hidden: true });
  const list = el("ol", { class: "stack-list", id: "stack-list" });
  const addSelect = el("select", { id: "add-layer-type" }, typeOptions());
  const addButton = el("button", {
    type: "button",
    class: "button",
    id: "add-layer",
    text: "Add layer",
  });
  addButton.addEventListener("click", () => {
    const layer = create(addSelect.value);
    layers.push(layer);
    rerender(layer, "first");
  });

  root.replaceChildren(
    el("fieldset", { class: "input-card", dataset: { location: "layers[0]" } }, [
      el("legend", { text: "Input (layers[0])" }),
      el("div", { class: "params" }, inputFields.map((input, axis) =>
        el("div", { class: "field" }, [
          el("label", { for: input.id, text: ["Height", "Width", "Channels"][axis] }),
          input,
        ]),
      )),
      inputMessage,
    ]),
    list,
    el("div", { class: "add-row" }, [
      el("label", { for: addSelect.id, text: "New layer" }),
      addSelect,
      addButton,
    ]),
  );

  let lastChannels = 8;
  function create(type) {
    const layer = LAYER_TYPES[type].create({ channels: lastChannels });
    if (LAYER_TYPES[type].branches) expanded.add(layer);
    return layer;
  }

  function setProblem(input, message) {
    if (message) {
      localProblems.set(input.id, message);
      input.setAttribute("aria-invalid", "true");
    } else {
      localProblems.delete(input.id);
      input.removeAttribute("aria-invalid");
    }
    const card = input.closest("[data-location]");
    const text = card.querySelector(":scope > .layer-message");
    const messages = [...card.querySelectorAll(":scope > .params [aria-invalid]")]
      .map((field) => localProblems.get(field.id))
      .filter(Boolean);
    text.textContent = messages.join(" ");
    text.hidden = messages.length === 0;
  }

  function field(layer, spec) {
    const id = uniqueId("layer-field");
    const label = el("label", { for: id, text: spec.label });
    let input;
    if (spec.kind === "choice" || spec.kind === "activation") {
      const options = spec.kind === "choice" ? spec.options : ACTIVATIONS;
      input = el("select", { id }, [
        spec.kind === "activation" && !spec.required
          ? el("option", { value: "", text: "none" })
          : null,
        ...options.map((option) => el("option", { value: option, text: option })),
      ]);
      input.value = layer[spec.key] ?? "";
      input.addEventListener("change", () => {
        layer[spec.key] = input.value === "" ? null : input.value;
        onChange();
      });
    } else if (spec.kind === "bool") {
      input = el("input", { type: "checkbox", id });
      input.checked = layer[spec.key] !== false;
      input.addEventListener("change", () => {
        layer[spec.key] = input.checked;
        onChange();
      });
      return el("div", { class: "field field-check" }, [input, label]);
    } else {
      const numeric = spec.kind === "int" || spec.kind === "float";
      input = el("input", {
        id,
        type: numeric ? "number" : "text",
        inputmode: spec.kind === "float" ? "decimal" : "numeric",
        min: numeric ? spec.min : undefined,
        max: numeric ? spec.max : undefined,
        step: spec.step ?? (numeric ? 1 : undefined),
        placeholder: spec.optional,
        autocomplete: "off",
        value: showValue(spec, layer[spec.key]),
      });
      input.addEventListener("input", () => {
        const read = readValue(spec, input.value);
        setProblem(input, read.error);
        if (!read.error) layer[spec.key] = read.value;
        onChange();
      });
    }
    return el("div", { class: `field field-${spec.kind}` }, [label, input]);
  }

  function actionButton(text, label, action, disabled) {
    return el("button", {
      type: "button", class: "icon-button", text, "aria-label": label, dataset: { action },
      disabled,
    });
  }

  function card(layer, owner, index, location, nesting) {
    const spec = LAYER_TYPES[layer.type];
    if (!uids.has(layer)) uids.set(layer, uniqueId("layer"));
    const title = layer.name ? `${layer.type} ${layer.name}` : layer.type;
    const actions = el("div", { class: "layer-actions" }, [
      actionButton("↑", `Move ${title} up`, "up", index === 0),
      actionButton("↓", `Move ${title} down`, "down", index === owner.length - 1),
      actionButton("✕", `Remove ${title}`, "remove"),
    ]);
    actions.addEventListener("click", (event) => {
      const action = event.target.closest("button")?.dataset.action;
      if (!action) return;
      if (action === "remove") {
        owner.splice(index, 1);
        rerender(owner[index] ?? owner[index - 1] ?? null, "first");
        return;
      }
      const other = action === "up" ? index - 1 : index + 1;
      [owner[index], owner[other]] = [owner[other], owner[index]];
      rerender(layer, action);
    });
    const item = el("li", {
      class: `layer-card nesting-${Math.min(nesting, 3)}`,
      dataset: { location, uid: uids.get(layer), type: layer.type },
    }, [
      el("div", { class: "layer-head" }, [
        el("span", { class: "layer-location", text: location.replace(/^layers/, "") }),
        el("strong", { class: "layer-type", text: layer.type }),
        layer.name ? el("code", { class: "layer-name", text: layer.name }) : null,
        el("output", { class: "layer-result", "aria-live": "off" }),
        actions,
      ]),
      spec.fields.length
        ? el("div", { class: "params" }, spec.fields.map((f) => field(layer, f)))
        : null,
      el("p", { class: "layer-message", hidden: true }),
    ]);
    if (spec.branches) item.append(branchesBlock(layer, location, nesting));
    return item;
  }

  function branchesBlock(layer, location, nesting) {
    const details = el("details", { class: "branches", open: expanded.has(layer) });
    details.addEventListener("toggle", () => {
      if (details.open) expanded.add(layer);
      else expanded.delete(layer);
    });
    const sizes = layer.branches.map((branch) => branch.length).join(" + ");
    details.append(
      el("summary", { text: `${layer.branches.length} branches (${sizes} layers)` }),
      el("p", {
        class: "note",
        text: "Each branch starts from this layer's input; an empty branch is the input " +
          "itself (the identity shortcut).",
      }),
    );
    layer.branches.forEach((branch, b) => {
      const branchList = el("ol", { class: "stack-list" });
      branch.forEach((inner, j) => {
        branchList.append(card(inner, branch, j, `${location}.branches[${b}][${j}]`, nesting + 1));
      });
      const select = el("select", { id: uniqueId("branch-type") }, typeOptions());
      const add = el("button", { type: "button", class: "button button-quiet", text: "Add" });
      add.addEventListener("click", () => {
        const created = create(select.value);
        branch.push(created);
        rerender(created, "first");
      });
      const drop = el("button", {
        type: "button", class: "button button-quiet", text: "Remove branch",
        disabled: layer.branches.length <= 2,
      });
      drop.addEventListener("click", () => {
        layer.branches.splice(b, 1);
        rerender(layer, "first");
      });
      details.append(
        el("section", { class: "branch", "aria-label": `Branch ${b}` }, [
          el("h4", { text: branch.length ? `Branch ${b}` : `Branch ${b}: identity (empty)` }),
          branchList,
          el("div", { class: "add-row" }, [
            el("label", {
              for: select.id,
              class: "visually-hidden",
              text: `Layer type for branch ${b}`,
            }),
            select,
            add,
            drop,
          ]),
        ]),
      );
    });
    const addBranch = el("button", {
      type: "button", class: "button button-quiet", text: "Add a branch",
      disabled: layer.branches.length >= 8,
    });
    addBranch.addEventListener("click", () => {
      layer.branches.push([]);
      rerender(layer, "first");
    });
    details.append(addBranch);
    return details;
  }

  /** Draw every card again; then focus `focusLayer`'s card (its `action` button if it has one). */
  function rerender(focusLayer, action) {
    // The cards are drawn from the layers, which only ever hold values that could be read.
    for (const id of localProblems.keys()) {
      if (!inputFields.some((input) => input.id === id)) localProblems.delete(id);
    }
    list.replaceChildren(
      ...layers.map((layer, index) => card(layer, layers, index, `layers[${index + 1}]`, 0)),
    );
    if (focusLayer && uids.has(focusLayer)) {
      const target = list.querySelector(`[data-uid="${uids.get(focusLayer)}"]`);
      const button =
        target?.querySelector(`:scope > .layer-head [data-action="${action}"]:not(:disabled)`) ??
        target?.querySelector(":scope > .layer-head button:not(:disabled)");
      button?.focus();
    } else if (action) {
      addSelect.focus();
    }
    onChange();
  }

  return {
    /** Load a stack in the request format (layers[0] an Input, as the presets give it). */
    setStack(stackLayers) {
      const copy = structuredClone(stackLayers);
      const first = copy[0]?.type === "Input" ? copy.shift() : { shape: [28, 28, 1] };
      inputName = first.name ?? null;
      first.shape.forEach((size, axis) => {
        inputFields[axis].value = String(size);
        setProblem(inputFields[axis], null);
      });
      layers = copy;
      rerender(null, null);
    },
    /** The request body; null when a setting cannot be read (problems() says which). */
    request() {
      if (localProblems.size) return null;
      const shape = inputFields.map((input) => Number(input.value));
      const input = { type: "Input", shape, ...(inputName ? { name: inputName } : {}) };
      return { layers: [input, ...layers] };
    },
    problems: () => [...localProblems.values()],
    /** Show each summary row's output shape and parameters on its card, except the one value
     * the quiz hides ({location, kind: "shape" | "params"}). */
    showRows(rows, hide = null) {
      lastChannels = rows.at(-1)?.output_shape.at(-1) ?? lastChannels;
      const byLocation = new Map(rows.map((row) => [row.location, row]));
      for (const item of root.querySelectorAll("[data-location]")) {
        const row = byLocation.get(item.dataset.location);
        const output = item.querySelector(":scope > .layer-head > .layer-result");
        if (!output || !row) continue;
        const hidden = (kind) => hide?.location === row.location && hide.kind === kind;
        const shape = hidden("shape") ? "?" : formatShape(row.output_shape);
        const count = hidden("params") ? "?" : formatCount(row.params);
        output.textContent = `→ ${shape}${row.params ? ` · ${count} params` : ""}`;
      }
    },
    /** Point at the layer the server named in an error, and say why on its card. */
    markError(location, message) {
      const item = location && root.querySelector(`[data-location="${location}"]`);
      if (!item) return false;
      item.classList.add("has-error");
      const text = item.querySelector(":scope > .layer-message");
      text.textContent = message;
      text.hidden = false;
      item.closest("details.branches")?.setAttribute("open", "");
      return true;
    },
    clearMarks() {
      for (const item of root.querySelectorAll(".has-error")) {
        item.classList.remove("has-error");
        const text = item.querySelector(":scope > .layer-message");
        const local = item.querySelector(":scope > .params [aria-invalid]");
        if (!local) text.hidden = true;
      }
    },
  };
}
