// Step 2: the network (a recipe, with a line on what it is, or "Your stack" from the Architecture
// lab) and how it learns (epochs, batch size, learning rate, optimizer, validation share,
// augmentation, seed, name), bounded as the API bounds them; "Start training" posts the request.
// "Edit in the Architecture lab" keeps the form in this tab's storage and opens the lab with the
// chosen network sized for the dataset; coming back restores the form (stack_handoff.js).
import { startTraining } from "../api.js";
import { TRAINING } from "../config.js";
import { byId, el } from "../dom.js";
import { t } from "../i18n/index.js";
import { FieldError, clearFieldErrors, showFieldError } from "../widgets/field_errors.js";
import {
  LAB_URL,
  fitToDataset,
  recipeStack,
  saveForm,
  setStackToEdit,
  takeSavedForm,
  withoutInput,
  yourStack as storedStack,
} from "./stack_handoff.js";
import { createYourStack } from "./your_stack.js";

// The settings kept while the learner is in the lab, by the form's field names.
const KEPT_FIELDS = ["epochs", "batch_size", "learning_rate", "optimizer", "validation_split", "augment", "flips", "seed", "name"];

function recipeChoice(recipe) {
  const id = `recipe-${recipe.name}`;
  return el("label", { class: "recipe", for: id }, [
    el("input", { type: "radio", name: "architecture", value: recipe.name, id }),
    el("span", { class: "recipe-text" }, [
      el("span", { class: "recipe-title", text: recipe.title }),
      el("code", { class: "recipe-name", text: recipe.name }),
      el("span", { class: "recipe-description", text: recipe.description }),
    ]),
  ]);
}

function setBounds(input, { value, min, max }) {
  input.min = String(min);
  input.max = String(max);
  input.value = String(value);
}

// What each number field must hold, as one sentence with its bounds ({min}, {max}).
const BOUNDS_WORDS = {
  epochs: (bounds) => t("Epochs must be a whole number from {min} to {max}.", bounds),
  batch_size: (bounds) => t("The batch size must be a whole number from {min} to {max}.", bounds),
  learning_rate: (bounds) => t("The learning rate must be a number from {min} to {max}.", bounds),
  validation_split: (bounds) => t("The validation share must be a number from {min} to {max}.", bounds),
  seed: (bounds) => t("The seed must be a whole number from {min} to {max}.", bounds),
};

// A number field's value, or a FieldError naming the field's bounds.
function readNumber(input, { whole }) {
  const min = Number(input.min);
  const max = Number(input.max);
  const text = input.value.trim();
  const value = Number(text);
  if (!text || !Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < min || value > max) {
    throw new FieldError(BOUNDS_WORDS[input.name]({ min, max }), input);
  }
  return value;
}

/** Choose dataset `id` in the dataset picker once it lists it: the dataset form loads it. */
function pickDataset(id) {
  const picker = byId("dataset-pick");
  const choose = () => {
    if (![...picker.options].some((option) => option.value === id)) return false;
    picker.value = id;
    picker.dispatchEvent(new Event("change"));
    return true;
  };
  if (choose()) return;
  const watcher = new MutationObserver(() => {
    if (choose() || !picker.querySelector("option[value='']:only-child")) watcher.disconnect();
  });
  watcher.observe(picker, { childList: true });
}

/**
 * createTrainForm({form, recipeList, message, hint, onStarted(answer, request)}): returns
 * {useDataset(dataset)} to enable the form for a dataset (and propose a recipe for it).
 * answer = POST /api/training's {id, cancel_token, status}.
 */
export function createTrainForm({ form, recipeList, message, hint, onStarted }) {
  const fields = form.elements;
  const start = form.querySelector("[type=submit]");
  let dataset = null;
  let restoredChoice = null; // the network chosen before the trip to the lab

  recipeList.replaceChildren(...TRAINING.recipes.map(recipeChoice));
  const yourStack = createYourStack(recipeList, { onEdit: () => openLab(yourStack.stack()) });
  yourStack.show(storedStack());
  setBounds(fields.epochs, TRAINING.epochs);
  setBounds(fields.batch_size, TRAINING.batchSize);
  setBounds(fields.learning_rate, TRAINING.learningRate);
  setBounds(fields.validation_split, TRAINING.validationSplit);
  setBounds(fields.seed, TRAINING.seed);
  fields.optimizer.replaceChildren(...TRAINING.optimizers.map((name) => el("option", { value: name, text: name })));
  fields.architecture.value = TRAINING.grayRecipe;
  fields.augment.addEventListener("change", () => {
    fields.flips.disabled = !fields.augment.checked;
    if (!fields.augment.checked) fields.flips.checked = false;
  });

  function keptSettings() {
    return Object.fromEntries(
      KEPT_FIELDS.map((name) => [name, fields[name].type === "checkbox" ? fields[name].checked : fields[name].value]),
    );
  }

  function restore(saved) {
    for (const [name, value] of Object.entries(saved.fields ?? {})) {
      if (!KEPT_FIELDS.includes(name)) continue;
      if (fields[name].type === "checkbox") fields[name].checked = Boolean(value);
      else fields[name].value = String(value);
    }
    fields.flips.disabled = !fields.augment.checked;
    restoredChoice = saved.architecture;
    fields.architecture.value = restoredChoice;
    if (saved.dataset) pickDataset(saved.dataset);
  }

  // Open the lab with `stack` ({layers, from}) sized for the dataset, keeping the form to come back.
  function openLab(stack) {
    saveForm({ dataset: dataset?.id ?? null, architecture: fields.architecture.value, fields: keptSettings() });
    const layers = dataset ? fitToDataset(stack.layers, dataset) : stack.layers;
    setStackToEdit({ ...stack, layers, dataset: dataset && { name: dataset.name, image_shape: dataset.image_shape } });
    window.location.assign(LAB_URL);
  }

  const editButton = byId("train-edit-stack");
  editButton.addEventListener("click", async () => {
    const chosen = fields.architecture.value;
    if (chosen === "yours" && yourStack.stack()) return openLab(yourStack.stack());
    const recipe = TRAINING.recipes.find((r) => r.name === chosen) ?? TRAINING.recipes[0];
    editButton.disabled = true;
    try {
      openLab({ layers: await recipeStack(recipe.name), from: recipe.title });
    } catch (error) {
      say(t("Could not open {recipe} in the lab: {error}", { recipe: recipe.title, error: error.message }), "error");
      editButton.disabled = false;
    }
  });

  const say = (text, state) => {
    message.textContent = text;
    if (state) message.dataset.state = state;
    else delete message.dataset.state;
  };

  function readRequest() {
    const name = fields.name.value.trim();
    return {
      dataset: dataset.id,
      architecture: fields.architecture.value === "yours" ? withoutInput(yourStack.stack().layers) : fields.architecture.value,
      epochs: readNumber(fields.epochs, { whole: true }),
      batch_size: readNumber(fields.batch_size, { whole: true }),
      learning_rate: readNumber(fields.learning_rate, { whole: false }),
      optimizer: fields.optimizer.value,
      validation_split: readNumber(fields.validation_split, { whole: false }),
      augment: fields.augment.checked,
      flips: fields.augment.checked && fields.flips.checked,
      seed: readNumber(fields.seed, { whole: true }),
      ...(name ? { name } : {}),
    };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!dataset) return;
    clearFieldErrors(form);
    let request;
    try {
      request = readRequest();
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      form.querySelector("details.more-settings")?.setAttribute("open", "");
      showFieldError(error);
      error.input.focus();
      return say(t("Fix the value marked below, then start again."), "error");
    }
    start.disabled = true;
    say(t("Sending the job: the network is checked against {dataset} first…", { dataset: dataset.name }), "busy");
    try {
      const answer = await startTraining(request);
      say("");
      onStarted(answer, request);
    } catch (error) {
      say(t("Not started: {error}", { error: error.message }), "error");
    } finally {
      start.disabled = false;
    }
  });

  const saved = takeSavedForm();
  if (saved) restore(saved);

  return {
    useDataset(chosen) {
      dataset = chosen;
      const proposed = chosen.color === "rgb" ? TRAINING.colourRecipe : TRAINING.grayRecipe;
      const keep = restoredChoice && (restoredChoice !== "yours" || yourStack.stack());
      fields.architecture.value = keep ? restoredChoice : proposed;
      restoredChoice = null;
      yourStack.useDataset(chosen);
      start.disabled = false;
      hint.textContent = t("On {dataset}: {classes} classes.", { dataset: chosen.name, classes: chosen.classes.length });
      hint.dataset.dataset = chosen.id;
      say("");
    },
  };
}
