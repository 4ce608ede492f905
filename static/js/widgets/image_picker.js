// Sample photo cards (title, size, licence) plus an upload by file picker or drag-and-drop.
import { getImageBlob } from "../api.js";
import { el } from "../dom.js";

/**
 * createImagePicker(root, {samples, onPick(file, {name, label}), onError(error)}) where root
 * holds [data-role=samples], [data-role=dropzone], input[type=file], [data-role=chosen].
 * Returns {pickSample(name)}.
 */
export function createImagePicker(root, { samples, onPick, onError }) {
  const list = root.querySelector("[data-role=samples]");
  const dropzone = root.querySelector("[data-role=dropzone]");
  const fileInput = root.querySelector("input[type=file]");
  const chosen = root.querySelector("[data-role=chosen]");
  const cards = new Map();
  // Each pick gets a number; a sample whose download finishes after a later pick is dropped,
  // so a file dropped while the default sample is still loading is not replaced by it.
  let latestPick = 0;

  function markChosen(name, text) {
    for (const [cardName, card] of cards) card.setAttribute("aria-pressed", String(cardName === name));
    chosen.textContent = text;
  }

  async function pickSample(name) {
    const sample = samples.find((s) => s.name === name);
    if (!sample) return;
    const pick = ++latestPick;
    markChosen(name, `Chosen: ${sample.title} (${sample.width} × ${sample.height}).`);
    try {
      const file = await getImageBlob(sample.url);
      if (pick === latestPick) onPick(file, { name: sample.name, label: sample.title });
    } catch (error) {
      if (pick === latestPick) onError(error);
    }
  }

  function pickFile(file) {
    if (!file) return;
    latestPick += 1;
    markChosen(null, `Chosen: your file ${file.name} (${Math.ceil(file.size / 1024)} KB).`);
    onPick(file, { name: "upload", label: file.name });
  }

  for (const sample of samples) {
    const kind = sample.mode === "L" ? "gray" : "colour";
    const card = el(
      "button",
      {
        type: "button",
        class: "sample-card",
        "aria-pressed": "false",
        dataset: { name: sample.name },
        onclick: () => pickSample(sample.name),
      },
      [
        el("img", { src: sample.url, alt: "", loading: "lazy", width: 96, height: 64 }),
        el("span", { class: "sample-title", text: sample.title }),
        el("span", { class: "sample-meta", text: `${sample.width} × ${sample.height}, ${kind}` }),
        el("span", { class: "sample-licence", text: sample.licence }),
      ],
    );
    cards.set(sample.name, card);
    list.append(el("li", {}, [card]));
  }

  fileInput.addEventListener("change", () => {
    pickFile(fileInput.files[0]);
    fileInput.value = "";
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
    pickFile(event.dataTransfer?.files?.[0]);
  });

  return { pickSample };
}
