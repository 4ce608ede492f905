// The round trip between the Training page and the Architecture lab, kept in this tab's
// sessionStorage: the stack the lab opens with, the stack the learner brings back, and the
// training form's dataset and settings, stored before leaving and restored on return.
import { getArchitecture } from "../api.js";

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

// small-vgg is not one of the lab's presets: app/jobs/architectures.py builds it from the shipped
// colour-shapes model (app/ml/recipes.py colour_shapes_stack), written out here in the lab's format.
function smallVgg() {
  const blocks = [16, 32, 64].flatMap((filters, b) => [
    ...[1, 2].map((i) => ({
      type: "Conv2D", filters, kernel_size: 3, padding: "same", activation: "relu", name: `block${b + 1}_conv${i}`,
    })),
    { type: "MaxPooling2D", pool_size: 2, name: `block${b + 1}_pool` },
  ]);
  return [
    { type: "Input", shape: [32, 32, 3], name: "input" },
    ...blocks,
    { type: "Flatten", name: "flatten" },
    { type: "Dense", units: 64, activation: "relu", name: "fc1" },
    { type: "Dropout", rate: 0.3, name: "drop1" },
    { type: "Dense", units: 3, activation: "softmax", name: "output" },
  ];
}

/** A recipe's stack in the lab's format (Input first), as the training job builds it. */
export async function recipeStack(name) {
  if (name === "small-vgg") return smallVgg();
  const { layers } = await getArchitecture(name);
  // The course's LeNet-5 trains with swish where the preset has relu.
  if (name === "lenet5") {
    return layers.map((layer) => (layer.activation === "relu" ? { ...layer, activation: "swish" } : layer));
  }
  return layers;
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
