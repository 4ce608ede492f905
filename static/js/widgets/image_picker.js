// Sample photo cards (title, size, licence) plus an upload by file picker or drag-and-drop.
import { getImageBlob } from "../api.js";
import { el } from "../dom.js";
import { t } from "../i18n/index.js";

/** A sample photo's card: thumbnail, title, size and licence. */
function describePhoto(sample) {
  const size = { title: sample.title, width: sample.width, height: sample.height };
  const meta =
    sample.mode === "L" ? t("{width} × {height}, gray", size) : t("{width} × {height}, colour", size);
  return {
    label: sample.title,
    chosen: t("Chosen: {title} ({width} × {height}).", size),
    refused: t("Could not use {title} ({width} × {height}): see the message above.", size),
    children: [
      el("img", { src: sample.url, alt: "", loading: "lazy", width: 96, height: 64 }),
      el("span", { class: "sample-title", text: sample.title }),
      el("span", { class: "sample-meta", text: meta }),
      el("span", { class: "sample-licence", text: sample.licence }),
    ],
  };
}

/** What refused() says of a card whose describe() gave no `refused` sentence: its `chosen` text
 * (without "Chosen: " and the full stop) named in a sentence of its own. */
function refusalOf(chosenText) {
  const what = chosenText.replace(/^Chosen: /, "").replace(/\.$/, "");
  return what ? t("Could not use {what}: see the message above.", { what }) : "";
}

/**
 * createImagePicker(root, {samples, onPick(file, {name, label}), onError(error), describe})
 * where root holds [data-role=samples], [data-role=dropzone], input[type=file],
 * [data-role=chosen]; describe(sample) -> {label, chosen, refused?, children} draws a card
 * (default: a sample photo's); `refused` is the sentence shown when the picture cannot be used
 * (by default built from `chosen`). Returns {pickSample(name), clearChoice(), refused()}.
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
  let refusal = "";

  function markChosen(name, text, refusedText = refusalOf(text)) {
    for (const [cardName, card] of cards) card.setAttribute("aria-pressed", String(cardName === name));
    chosen.textContent = text;
    refusal = refusedText;
    delete chosen.dataset.state;
  }

  async function pickSample(name) {
    const sample = samples.find((s) => s.name === name);
    if (!sample) return;
    const pick = ++latestPick;
    const card = describe(sample);
    markChosen(name, card.chosen, card.refused);
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
    const named = { name: file.name, size: Math.ceil(file.size / 1024) };
    markChosen(
      null,
      t("Chosen: your file {name} ({size} KB).", named),
      t("Could not use your file {name} ({size} KB): see the message above.", named),
    );
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
      chosen.textContent = refusal;
      chosen.dataset.state = "refused";
    },
    /** Forget the choice (the input now comes from elsewhere, e.g. a drawing). */
    clearChoice() {
      latestPick += 1;
      markChosen(null, "");
    },
  };
}
