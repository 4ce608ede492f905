// The round trip between the Training page and the Architecture lab, kept in this tab's
// sessionStorage: the stack the lab opens with, the stack the learner brings back, and the
// training form's dataset and settings, stored before leaving and restored on return.
import { getTrainingRecipes } from "../api.js";
import { t } from "../i18n/index.js";

const KEYS = {
  editing: "convlens.training.editing", // {layers, from}: what the lab opens with
  stack: "convlens.training.stack", // {layers, from}: "Your stack", brought back from the lab
  form: "convlens.training.form", // the form's dataset id and settings, while away
};

export const LAB_URL = "/architectures?for=training";
export const TRAINING_URL = "/training";

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? "null");
  } catch {
    return null; // storage off, or a value this page did not write
  }
}

function write(key, value) {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** The stack the lab should open with: {layers (Input first), from}, or null. */
export const stackToEdit = () => read(KEYS.editing);
export const setStackToEdit = (stack) => write(KEYS.editing, stack);

/** "Your stack": {layers (Input first), from}, or null. */
export const yourStack = () => read(KEYS.stack);
export const setYourStack = (stack) => write(KEYS.stack, stack);

/** The training form as it was left: {dataset, architecture, fields: {name: value}}, or null. */
export const savedForm = () => read(KEYS.form);
export const saveForm = (form) => write(KEYS.form, form);

/** Come back to the training form with "Your stack" chosen. */
export const chooseYourStack = () => saveForm({ ...(savedForm() ?? {}), architecture: "yours" });

/** Read once: the form is restored on the first visit back, not on every later one. */
export function takeSavedForm() {
  const form = savedForm();
  try {
    sessionStorage.removeItem(KEYS.form);
  } catch {
    // nothing kept: nothing to remove
  }
  return form;
}

let recipes = null; // GET /api/training/recipes, fetched once

/** A recipe's stack in the lab's format (Input first), as the training job builds it. */
export async function recipeStack(name) {
  recipes ??= getTrainingRecipes().catch((error) => {
    recipes = null; // try again next time
    throw error;
  });
  const recipe = (await recipes).find((entry) => entry.name === name);
  if (!recipe) throw new Error(t("The server has no training recipe called {name}.", { name }));
  return [{ type: "Input", shape: recipe.input_shape, name: "input" }, ...recipe.layers];
}

/** The layers after the Input: what POST /api/training is sent. */
export const withoutInput = (layers) => (layers[0]?.type === "Input" ? layers.slice(1) : layers);

/**
 * The stack as training will build it for `dataset`: the dataset's image shape as input, one
 * unit per class in the last Dense.
 */
export function fitToDataset(layers, dataset) {
  const body = withoutInput(layers).map((layer) => ({ ...layer }));
  const last = body.at(-1);
  if (last?.type === "Dense") last.units = dataset.classes.length;
  const input = layers[0]?.type === "Input" ? { ...layers[0] } : { type: "Input" };
  return [{ ...input, shape: [...dataset.image_shape] }, ...body];
}

/** "Conv2D 12, 3×3": a layer in a few words, for the "Your stack" line. */
export function layerLabel(layer) {
  const size = (value) => (Array.isArray(value) ? value.join("×") : `${value}×${value}`);
  switch (layer.type) {
    case "Conv2D":
      return `Conv2D ${layer.filters}, ${size(layer.kernel_size)}`;
    case "Dense":
      return `Dense ${layer.units}`;
    case "MaxPooling2D":
    case "AveragePooling2D":
      return `${layer.type} ${size(layer.pool_size ?? 2)}`;
    case "Dropout":
      return `Dropout ${layer.rate}`;
    default:
      return layer.type;
  }
}
