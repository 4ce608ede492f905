// Step 2: the network (a recipe, with a line on what it is) and how it learns (epochs, batch
// size, learning rate, optimizer, validation share, augmentation, seed, name), bounded as the
// API bounds them; "Start training" posts the request.
import { startTraining } from "../api.js";
import { TRAINING } from "../config.js";
import { el } from "../dom.js";
import { FieldError, clearFieldErrors, showFieldError } from "../widgets/field_errors.js";

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

// A number field's value, or a FieldError naming the field's bounds.
function readNumber(input, name, { whole }) {
  const min = Number(input.min);
  const max = Number(input.max);
  const text = input.value.trim();
  const value = Number(text);
  const kind = whole ? "a whole number" : "a number";
  if (!text || !Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < min || value > max) {
    throw new FieldError(`${name} must be ${kind} from ${min} to ${max}.`, input);
  }
  return value;
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

  recipeList.replaceChildren(...TRAINING.recipes.map(recipeChoice));
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

  const say = (text, state) => {
    message.textContent = text;
    if (state) message.dataset.state = state;
    else delete message.dataset.state;
  };

  function readRequest() {
    const name = fields.name.value.trim();
    return {
      dataset: dataset.id,
      architecture: fields.architecture.value,
      epochs: readNumber(fields.epochs, "Epochs", { whole: true }),
      batch_size: readNumber(fields.batch_size, "The batch size", { whole: true }),
      learning_rate: readNumber(fields.learning_rate, "The learning rate", { whole: false }),
      optimizer: fields.optimizer.value,
      validation_split: readNumber(fields.validation_split, "The validation share", { whole: false }),
      augment: fields.augment.checked,
      flips: fields.augment.checked && fields.flips.checked,
      seed: readNumber(fields.seed, "The seed", { whole: true }),
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
      return say("Fix the value marked below, then start again.", "error");
    }
    start.disabled = true;
    say(`Sending the job: the network is checked against ${dataset.name} first…`, "busy");
    try {
      const answer = await startTraining(request);
      say("");
      onStarted(answer, request);
    } catch (error) {
      say(`Not started: ${error.message}`, "error");
    } finally {
      start.disabled = false;
    }
  });

  return {
    useDataset(chosen) {
      dataset = chosen;
      fields.architecture.value = chosen.color === "rgb" ? TRAINING.colourRecipe : TRAINING.grayRecipe;
      start.disabled = false;
      hint.textContent = `On ${chosen.name}: ${chosen.classes.length} classes.`;
      hint.dataset.dataset = chosen.id;
      say("");
    },
  };
}
