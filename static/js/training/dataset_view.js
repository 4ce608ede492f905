// A dataset as the server read it: its shape, each class with its count, a few thumbnails and
// the mean image, and the files left out with the reason. Class and file names come from the
// uploader: they are only ever set as text.
import { TRAINING } from "../config.js";
import { el } from "../dom.js";
import { formatCount, formatShape } from "../format.js";
import { t } from "../i18n/index.js";

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
      el("span", { class: "dataset-class-count", text: preview.count === 1 ? t("{count} image", { count: formatCount(preview.count) }) : t("{count} images", { count: formatCount(preview.count) }) }),
    ]),
    el("div", { class: "dataset-class-pictures" }, [
      el("figure", { class: "dataset-mean" }, [
        picture(preview.mean_image, t("The mean of the {name} images", { name: preview.name }), "dataset-mean-image"),
        el("figcaption", { text: t("mean") }),
      ]),
      el(
        "div",
        { class: "dataset-thumbnails" },
        shown.map((thumbnail, i) => picture(thumbnail, t("{name}, image {number}", { name: preview.name, number: i + 1 }), "dataset-thumbnail")),
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
  if (unlisted > 0) items.push(el("li", { class: "note", text: t("…and {count} more.", { count: formatCount(unlisted) }) }));
  const summary =
    dataset.skipped_count === 1
      ? t("1 file left out, and why")
      : t("{count} files left out, and why", { count: formatCount(dataset.skipped_count) });
  return el("details", { class: "dataset-skipped", open: dataset.skipped_count <= 5 }, [
    el("summary", { text: summary }),
    el("ul", {}, items),
  ]);
}

/** The sentence that sums a dataset up: "60 images in 3 classes, each 30 × 30 × 3 (colour)." */
export function describeDataset(dataset) {
  const values = { images: formatCount(dataset.images), classes: dataset.classes.length, shape: formatShape(dataset.image_shape) };
  return dataset.color === "rgb"
    ? t("{images} images in {classes} classes, each {shape} (colour).", values)
    : t("{images} images in {classes} classes, each {shape} (gray).", values);
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
