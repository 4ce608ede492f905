// Step 1: a dataset, uploaded (file picker or drag-and-drop, with an optional image size and
// colour) or picked from those already stored. The server's refusal is shown word for word.
import { getDataset, getDatasets, uploadDataset } from "../api.js";
import { TRAINING } from "../config.js";
import { el, latestOnly } from "../dom.js";
import { formatCount } from "../format.js";
import { t } from "../i18n/index.js";

function say(message, text, state) {
  message.textContent = text;
  if (state) message.dataset.state = state;
  else delete message.dataset.state;
}

/** What the form says before the server is asked (the server judges the archive itself). */
function problemWith(form) {
  const size = form.elements.image_size.value.trim();
  if (size) {
    const n = Number(size);
    const { min, max } = TRAINING.imageSize;
    if (!Number.isInteger(n) || n < min || n > max) {
      return t("The image size must be a whole number of pixels from {min} to {max}, or left empty to use the images' own size.", { min, max });
    }
  }
  return null;
}

function pickOption(summary) {
  const [side] = summary.image_shape;
  const values = { name: summary.name, classes: summary.classes.length, images: formatCount(summary.images), side };
  return el("option", {
    value: summary.id,
    text:
      summary.color === "rgb"
        ? t("{name}: {classes} classes, {images} images, {side}×{side} colour", values)
        : t("{name}: {classes} classes, {images} images, {side}×{side} gray", values),
  });
}

/**
 * createDatasetForm({form, message, picker, onDataset(dataset)}): uploads the archive as soon as
 * it is chosen or dropped; picking a stored dataset loads it. Returns {refreshList(selectedId)}.
 */
export function createDatasetForm({ form, message, picker, onDataset }) {
  const fileInput = form.elements.file;
  const dropzone = form.querySelector("[data-role=dropzone]");
  const requests = latestOnly();

  async function refreshList(selectedId = "") {
    try {
      const summaries = await getDatasets();
      const first = el("option", {
        value: "",
        text: summaries.length ? t("Choose one…") : t("None yet: upload one above"),
      });
      picker.replaceChildren(first, ...summaries.map(pickOption));
      picker.disabled = !summaries.length;
      picker.value = summaries.some((s) => s.id === selectedId) ? selectedId : "";
    } catch (error) {
      picker.replaceChildren(el("option", { value: "", text: t("Could not list the datasets") }));
      picker.disabled = true;
      say(message, t("The stored datasets could not be listed: {error}", { error: error.message }), "error");
    }
  }

  async function upload(file) {
    if (!file) return;
    const problem = problemWith(form);
    if (problem) return say(message, problem, "error");
    const signal = requests.start();
    const fields = {
      file,
      image_size: form.elements.image_size.value.trim() || undefined,
      color: form.elements.color.value || undefined,
    };
    form.setAttribute("aria-busy", "true");
    say(message, t("Reading {file} ({size} KB): every image is checked and resized…", { file: file.name, size: formatCount(Math.ceil(file.size / 1024)) }), "busy");
    try {
      const dataset = await uploadDataset(fields, signal);
      say(message, t("Uploaded {file}: {classes} classes.", { file: file.name, classes: dataset.classes.length }), "done");
      await refreshList(dataset.id);
      onDataset(dataset);
    } catch (error) {
      if (error.name === "AbortError") return;
      say(message, t("Not uploaded: {error}", { error: error.message }), "error");
    } finally {
      form.removeAttribute("aria-busy");
    }
  }

  fileInput.addEventListener("change", () => {
    upload(fileInput.files[0]);
    fileInput.value = ""; // the same file can be chosen again, e.g. with another image size
  });
  for (const type of ["dragenter", "dragover"]) {
    dropzone.addEventListener(type, (event) => {
      event.preventDefault();
      dropzone.classList.add("is-dragging");
    });
  }
  for (const type of ["dragleave", "drop"]) {
    dropzone.addEventListener(type, () => dropzone.classList.remove("is-dragging"));
  }
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    upload(event.dataTransfer?.files?.[0]);
  });
  form.addEventListener("submit", (event) => event.preventDefault());

  picker.addEventListener("change", async () => {
    if (!picker.value) return;
    const signal = requests.start();
    say(message, t("Loading the dataset…"), "busy");
    try {
      const dataset = await getDataset(picker.value, signal);
      say(message, "");
      onDataset(dataset);
    } catch (error) {
      if (error.name === "AbortError") return;
      say(message, t("Could not load the dataset: {error}", { error: error.message }), "error");
    }
  });

  return { refreshList };
}
