// A dataset as the server read it: its shape, each class with its count, a few thumbnails and
// the mean image, and the files left out with the reason. Class and file names come from the
// uploader: they are only ever set as text.
import { TRAINING } from "../config.js";
import { el } from "../dom.js";
import { formatCount, formatShape } from "../format.js";

const pngSource = (base64) => (base64.startsWith("data:") ? base64 : `data:image/png;base64,${base64}`);

function picture(base64, alt, className) {
  const size = TRAINING.thumbnailPx;
  return el("img", { src: pngSource(base64), alt, width: size, height: size, class: className });
}

function classRow(preview) {
  const shown = preview.thumbnails.slice(0, TRAINING.thumbnailsShown);
  return el("li", { class: "dataset-class", dataset: { label: preview.label, count: preview.count } }, [
    el("div", { class: "dataset-class-head" }, [
      el("span", { class: "dataset-class-name", text: preview.name }),
      el("span", { class: "dataset-class-count", text: `${formatCount(preview.count)} ${preview.count === 1 ? "image" : "images"}` }),
    ]),
    el("div", { class: "dataset-class-pictures" }, [
      el("figure", { class: "dataset-mean" }, [
        picture(preview.mean_image, `The mean of the ${preview.name} images`, "dataset-mean-image"),
        el("figcaption", { text: "mean" }),
      ]),
      el(
        "div",
        { class: "dataset-thumbnails" },
        shown.map((thumbnail, i) => picture(thumbnail, `${preview.name}, image ${i + 1}`, "dataset-thumbnail")),
      ),
    ]),
  ]);
}

function skippedList(dataset) {
  if (!dataset.skipped_count) return null;
  const listed = dataset.skipped.slice(0, TRAINING.skippedShown);
  const unlisted = dataset.skipped_count - listed.length;
  const items = listed.map((skipped) =>
    el("li", {}, [el("code", { class: "skipped-file", text: skipped.file }), el("span", { text: `: ${skipped.reason}` })]),
  );
  if (unlisted > 0) items.push(el("li", { class: "note", text: `…and ${formatCount(unlisted)} more.` }));
  const files = dataset.skipped_count === 1 ? "1 file" : `${formatCount(dataset.skipped_count)} files`;
  return el("details", { class: "dataset-skipped", open: dataset.skipped_count <= 5 }, [
    el("summary", { text: `${files} left out, and why` }),
    el("ul", {}, items),
  ]);
}

/** The sentence that sums a dataset up: "60 images in 3 classes, each 30 × 30 × 3 (colour)." */
export function describeDataset(dataset) {
  const colour = dataset.color === "rgb" ? "colour" : "gray";
  return (
    `${formatCount(dataset.images)} images in ${dataset.classes.length} classes, each ` +
    `${formatShape(dataset.image_shape)} (${colour}).`
  );
}

/** Draw `dataset` (GET /api/datasets/{id}'s answer) into `container`. */
export function renderDataset(container, dataset) {
  container.dataset.dataset = dataset.id;
  container.replaceChildren(
    el("h4", { class: "dataset-name", text: dataset.name }),
    el("p", { class: "dataset-summary", text: describeDataset(dataset) }),
    el("ul", { class: "dataset-classes" }, dataset.classes.map(classRow)),
    skippedList(dataset),
  );
}
