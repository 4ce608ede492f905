// "Epoch time travel": the first convolution of a job as it was after each kept epoch. For the
// chosen epoch: the held-out probe image, the layer's filters as one picture (a column per
// filter, a row per input channel) and its feature maps of the probe, each with its colour
// scale. Snapshots are fetched only when shown, and kept.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
import { formatCount, formatNumber, formatShape } from "../format.js";
import { cellPx } from "../render/feature_maps.js";
import { renderLegend } from "../render/legend.js";
import { scaleFromApi } from "../render/colormap.js";
import { createEpochScrubber } from "./epoch_scrubber.js";
import { createSnapshotCache } from "./epoch_snapshots.js";

const PROBE_PX = 128; // CSS width of the probe image
const TILE_PX = 72; // CSS width of one feature map
// The filter grid as the API draws it: each weight GRID_CELL_PX wide, filters GRID_GAP_PX
// apart. The gaps are white, like weights near zero: lines drawn over them mark each filter.
const GRID_CELL_PX = 8;
const GRID_GAP_PX = 2;

const pngSource = (base64) => `data:image/png;base64,${base64}`;

function pixelImage(base64, { width, height, alt, className }) {
  return el("img", { src: pngSource(base64), alt, width, height, class: className, decoding: "async" });
}

const range = ([low, high]) => ({ low: formatNumber(low, 3), high: formatNumber(high, 3) });

/** The filter grid's alt text: the epoch, the filters and their input channels, one sentence. */
function filterGridWords(epoch, values) {
  if (epoch === 0) {
    return values.inputs === 1
      ? t("Epoch 0: the random start, before any training: the {sent} filters of {layer}, {kh} × {kw} weights each, for {inputs} input channel", values)
      : t("Epoch 0: the random start, before any training: the {sent} filters of {layer}, {kh} × {kw} weights each, for {inputs} input channels", values);
  }
  return values.inputs === 1
    ? t("After epoch {epoch}: the {sent} filters of {layer}, {kh} × {kw} weights each, for {inputs} input channel", { epoch, ...values })
    : t("After epoch {epoch}: the {sent} filters of {layer}, {kh} × {kw} weights each, for {inputs} input channels", { epoch, ...values });
}

function part(className, heading, explanation) {
  const picture = el("div", { class: "epoch-picture" });
  const legend = el("div", { class: "epoch-legend" });
  const values = el("p", { class: "note epoch-values" });
  const caption = el("figcaption", { class: "epoch-part-heading", text: heading });
  const figure = el("figure", { class: `epoch-part ${className}` }, [
    caption,
    el("p", { class: "note epoch-explain", text: explanation }),
    picture,
    legend,
    values,
  ]);
  return { figure, caption, picture, legend, values };
}

/**
 * createEpochPanel(container, {epoch, onEpoch(epoch, newest)}) -> {show(job)}: call show with
 * every state of the job; the panel follows its filter_epochs. `epoch` is the epoch to show
 * first for the first job (null: the newest); onEpoch hears every epoch chosen. container's
 * data-epoch is the epoch shown, data-epochs how many are kept, data-state "none" when the
 * network has no convolution.
 */
export function createEpochPanel(container, { epoch: firstEpoch = null, onEpoch = () => {} } = {}) {
  let cache = null;
  let shownEpoch = null;
  let wanted = null;
  let job = null;

  const status = el("p", { class: "note epoch-status", "aria-live": "polite" });
  const scrubber = createEpochScrubber({
    id: "epoch-scrubber",
    onChange: (epoch, newest) => {
      onEpoch(epoch, newest);
      choose(epoch);
    },
  });
  let shownJobs = 0; // the first job shown is the one the address named
  const probe = part(
    "epoch-probe",
    t("One held-out image"),
    t("The network never trains on this image: every feature map below is of it."),
  );
  const filters = part(
    "epoch-filters",
    t("The first layer's filters"),
    t("A filter is a small grid of weights the layer slides over the image; it answers strongly where the image looks like it. Each column is one filter, each row one colour channel of the input."),
  );
  const maps = part(
    "epoch-maps",
    t("Its feature maps of that image"),
    t("One map per filter: where in the held-out image that filter found its pattern."),
  );
  const parts = el("div", { class: "epoch-parts" }, [probe.figure, filters.figure, maps.figure]);
  const heading = el("h4", { class: "epoch-heading", id: "epoch-heading", text: t("Epoch time travel") });
  const intro = el("p", {
    class: "note epoch-intro",
    text: t("The network's first layer as it was after each epoch: move the slider (or press Play) to watch its filters form, from random weights to patterns that tell your classes apart."),
  });
  const body = el("div", { class: "epoch-body" }, [scrubber.element, status, parts]);
  container.replaceChildren(heading, intro, body);
  container.setAttribute("aria-labelledby", "epoch-heading");

  const say = (text) => (status.textContent = text);

  function render(snapshot) {
    const [height, width] = job.image_shape;
    const probeScale = cellPx(Math.max(height, width), PROBE_PX);
    probe.caption.textContent = t("One held-out image (class: {name})", { name: snapshot.probe_class });
    probe.picture.replaceChildren(
      pixelImage(snapshot.probe_image, {
        width: width * probeScale,
        height: height * probeScale,
        alt: t("The held-out image, of class {name}", { name: snapshot.probe_class }),
        className: "epoch-probe-image",
      }),
    );
    probe.values.textContent = t("{width} × {height} pixels, shown {scale} times larger.", { width, height, scale: probeScale });

    const [kh, kw, inputs, count] = snapshot.filters.kernel_shape;
    const [first, last] = snapshot.channels;
    const sent = last - first + 1;
    const sizes = { count: formatCount(count), sent: formatCount(sent), kh, kw };
    filters.caption.textContent =
      sent < count
        ? t("The first layer's filters: {count} of {kh} × {kw} (the first {sent} of {count})", sizes)
        : t("The first layer's filters: {count} of {kh} × {kw}", sizes);
    const grid = el("img", {
      src: pngSource(snapshot.filters.grid),
      alt: filterGridWords(snapshot.epoch, { sent: formatCount(sent), layer: snapshot.layer, kh, kw, inputs }),
      class: "epoch-filter-grid",
    });
    const lines = `--filter-width: ${kw * GRID_CELL_PX}px; --filter-height: ${kh * GRID_CELL_PX}px; --filter-gap: ${GRID_GAP_PX}px`;
    filters.picture.replaceChildren(el("div", { class: "epoch-filter-frame", style: lines }, [grid]));
    renderLegend(filters.legend, scaleFromApi(snapshot.filters.scale), t("Weight colour"));
    filters.values.textContent = t("Weights this epoch run from {low} to {high}.", range(snapshot.filters.value_range));

    const [mh, mw] = snapshot.maps.shape;
    const mapScale = cellPx(Math.max(mh, mw), TILE_PX);
    maps.caption.textContent = t("Its feature maps of that image: {count}, each {mw} × {mh}", { count: formatCount(snapshot.maps.tiles.length), mw, mh });
    maps.picture.replaceChildren(
      el(
        "ol",
        { class: "epoch-map-grid", dataset: { count: snapshot.maps.tiles.length } },
        snapshot.maps.tiles.map((tile, i) =>
          el("li", { class: "epoch-map-tile" }, [
            pixelImage(tile, {
              width: mw * mapScale,
              height: mh * mapScale,
              alt: t("Feature map of filter {index}", { index: first + i }),
              className: "epoch-map-image",
            }),
            el("span", { class: "epoch-map-index", "aria-hidden": "true", text: first + i }),
          ]),
        ),
      ),
    );
    renderLegend(maps.legend, scaleFromApi(snapshot.maps.scale), t("Map colour"));
    maps.values.textContent = t("Values this epoch run from {low} to {high} (maps {shape}).", { ...range(snapshot.maps.value_range), shape: formatShape(snapshot.maps.shape) });

    shownEpoch = snapshot.epoch;
    container.dataset.epoch = String(snapshot.epoch);
    parts.hidden = false;
  }

  async function choose(epoch) {
    if (epoch === wanted && (epoch === shownEpoch || cache.has(epoch))) return;
    wanted = epoch;
    const asked = cache;
    container.setAttribute("aria-busy", "true");
    if (!cache.has(epoch)) say(t("Loading epoch {epoch}…", { epoch }));
    try {
      const snapshot = await asked.get(epoch);
      if (asked !== cache || wanted !== epoch) return; // another epoch was chosen meanwhile
      render(snapshot);
      say("");
    } catch (error) {
      if (asked !== cache || wanted !== epoch) return;
      wanted = null; // so choosing it again retries
      say(t("Could not load epoch {epoch}: {error}", { epoch, error: error.message }));
    } finally {
      if (asked === cache && (wanted === epoch || wanted === null)) container.removeAttribute("aria-busy");
    }
  }

  function reset(id) {
    cache = createSnapshotCache(id);
    shownEpoch = null;
    wanted = null;
    scrubber.stop();
    scrubber.setEpochs([]);
    scrubber.prefer(shownJobs++ === 0 ? firstEpoch : null);
    parts.hidden = true;
    delete container.dataset.epoch;
  }

  function waiting(text, state) {
    body.hidden = state === "none";
    parts.hidden = true;
    container.dataset.state = state;
    say(text);
  }

  return {
    show(next) {
      if (next.id !== job?.id) reset(next.id);
      job = next;
      container.hidden = false;
      const kept = job.filter_epochs ?? [];
      container.dataset.epochs = String(kept.length);
      const started = job.probe_class != null || kept.length > 0;
      if (!job.filter_layer) {
        if (started || job.state === "done") {
          intro.hidden = true;
          return waiting(t("This network has no convolution layer, so it has no filters or feature maps to show: every pixel goes straight into dense layers. Pick a network with convolutions to watch filters form."), "none");
        }
        if (job.state === "queued" || job.state === "running") {
          return waiting(t("The filters appear here once training starts."), "waiting");
        }
        container.hidden = true; // ended before it started: nothing was kept
        return;
      }
      intro.hidden = false;
      body.hidden = false;
      container.dataset.state = "ready";
      if (!kept.length) return waiting(t("The filters appear here once training starts."), "waiting");
      scrubber.setEpochs(kept);
    },
  };
}
