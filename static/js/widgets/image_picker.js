// Sample photo cards (title, size, licence) plus an upload by file picker or drag-and-drop.
import { getImageBlob } from "../api.js";
import { el } from "../dom.js";

/** A sample photo's card: thumbnail, title, size and licence. */
function describePhoto(sample) {
  const kind = sample.mode === "L" ? "gray" : "colour";
  return {
    label: sample.title,
    chosen: `Chosen: ${sample.title} (${sample.width} × ${sample.height}).`,
    children: [
      el("img", { src: sample.url, alt: "", loading: "lazy", width: 96, height: 64 }),
      el("span", { class: "sample-title", text: sample.title }),
      el("span", { class: "sample-meta", text: `${sample.width} × ${sample.height}, ${kind}` }),
      el("span", { class: "sample-licence", text: sample.licence }),
    ],
  };
}

/**
 * createImagePicker(root, {samples, onPick(file, {name, label}), onError(error), describe})
 * where root holds [data-role=samples], [data-role=dropzone], input[type=file],
 * [data-role=chosen]; describe(sample) -> {label, chosen, children} draws a card (default: a
 * sample photo's). Returns {pickSample(name), clearChoice(), refused()}.
 */
export function createImagePicker(root, { samples, onPick, onError, describe = describePhoto }) {
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
    delete chosen.dataset.state;
  }

  async function pickSample(name) {
    const sample = samples.find((s) => s.name === name);
    if (!sample) return;
    const pick = ++latestPick;
    const card = describe(sample);
    markChosen(name, card.chosen);
    try {
      const file = await getImageBlob(sample.url);
      if (pick === latestPick) onPick(file, { name: sample.name, label: card.label });
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
    const card = el(
      "button",
      {
        type: "button",
        class: "sample-card",
        "aria-pressed": "false",
        dataset: { name: sample.name },
        onclick: () => pickSample(sample.name),
      },
      describe(sample).children,
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

  return {
    pickSample,
    /** The chosen picture could not be used: say so where it was named. */
    refused() {
      const text = chosen.textContent.replace(/^Chosen: /, "").replace(/\.$/, "");
      chosen.textContent = text ? `Could not use ${text}: see the message above.` : "";
      chosen.dataset.state = "refused";
    },
    /** Forget the choice (the input now comes from elsewhere, e.g. a drawing). */
    clearChoice() {
      latestPick += 1;
      markChosen(null, "");
    },
  };
}
