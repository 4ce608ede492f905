// "Epoch time travel": the first convolution of a job as it was after each kept epoch. For the
// chosen epoch: the held-out probe image, the layer's filters as one picture (a column per
// filter, a row per input channel) and its feature maps of the probe, each with its colour
// scale. Snapshots are fetched only when shown, and kept.
import { el } from "../dom.js";
import { formatCount, formatNumber, formatShape } from "../format.js";
import { cellPx } from "../render/feature_maps.js";
import { renderLegend } from "../render/legend.js";
import { scaleFromApi } from "../render/colormap.js";
import { createEpochScrubber, epochWords } from "./epoch_scrubber.js";
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

const range = ([low, high]) => `from ${formatNumber(low, 3)} to ${formatNumber(high, 3)}`;

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
    "One held-out image",
    "The network never trains on this image: every feature map below is of it.",
  );
  const filters = part(
    "epoch-filters",
    "The first layer's filters",
    "A filter is a small grid of weights the layer slides over the image; it answers strongly where the image looks like it. Each column is one filter, each row one colour channel of the input.",
  );
  const maps = part(
    "epoch-maps",
    "Its feature maps of that image",
    "One map per filter: where in the held-out image that filter found its pattern.",
  );
  const parts = el("div", { class: "epoch-parts" }, [probe.figure, filters.figure, maps.figure]);
  const heading = el("h4", { class: "epoch-heading", id: "epoch-heading", text: "Epoch time travel" });
  const intro = el("p", {
    class: "note epoch-intro",
    text: "The network's first layer as it was after each epoch: move the slider (or press Play) to watch its filters form, from random weights to patterns that tell your classes apart.",
  });
  const body = el("div", { class: "epoch-body" }, [scrubber.element, status, parts]);
  container.replaceChildren(heading, intro, body);
  container.setAttribute("aria-labelledby", "epoch-heading");

  const say = (text) => (status.textContent = text);

  function render(snapshot) {
    const [height, width] = job.image_shape;
    const probeScale = cellPx(Math.max(height, width), PROBE_PX);
    probe.caption.textContent = `One held-out image (class: ${snapshot.probe_class})`;
    probe.picture.replaceChildren(
      pixelImage(snapshot.probe_image, {
        width: width * probeScale,
        height: height * probeScale,
        alt: `The held-out image, of class ${snapshot.probe_class}`,
        className: "epoch-probe-image",
      }),
    );
    probe.values.textContent = `${width} × ${height} pixels, shown ${probeScale} times larger.`;

    const [kh, kw, inputs, count] = snapshot.filters.kernel_shape;
    const [first, last] = snapshot.channels;
    const sent = last - first + 1;
    const some = sent < count ? ` (the first ${formatCount(sent)} of ${formatCount(count)})` : "";
    filters.caption.textContent = `The first layer's filters: ${formatCount(count)} of ${kh} × ${kw}${some}`;
    const grid = el("img", {
      src: pngSource(snapshot.filters.grid),
      alt: `${epochWords(snapshot.epoch)}: the ${formatCount(sent)} filters of ${snapshot.layer}, ${kh} × ${kw} weights each, for ${inputs} input channel${inputs === 1 ? "" : "s"}`,
      class: "epoch-filter-grid",
    });
    const lines = `--filter-width: ${kw * GRID_CELL_PX}px; --filter-height: ${kh * GRID_CELL_PX}px; --filter-gap: ${GRID_GAP_PX}px`;
    filters.picture.replaceChildren(el("div", { class: "epoch-filter-frame", style: lines }, [grid]));
    renderLegend(filters.legend, scaleFromApi(snapshot.filters.scale), "Weight colour");
    filters.values.textContent = `Weights this epoch run ${range(snapshot.filters.value_range)}.`;

    const [mh, mw] = snapshot.maps.shape;
    const mapScale = cellPx(Math.max(mh, mw), TILE_PX);
    maps.caption.textContent = `Its feature maps of that image: ${formatCount(snapshot.maps.tiles.length)}, each ${mw} × ${mh}`;
    maps.picture.replaceChildren(
      el(
        "ol",
        { class: "epoch-map-grid", dataset: { count: snapshot.maps.tiles.length } },
        snapshot.maps.tiles.map((tile, i) =>
          el("li", { class: "epoch-map-tile" }, [
            pixelImage(tile, {
              width: mw * mapScale,
              height: mh * mapScale,
              alt: `Feature map of filter ${first + i}`,
              className: "epoch-map-image",
            }),
            el("span", { class: "epoch-map-index", "aria-hidden": "true", text: first + i }),
          ]),
        ),
      ),
    );
    renderLegend(maps.legend, scaleFromApi(snapshot.maps.scale), "Map colour");
    maps.values.textContent = `Values this epoch run ${range(snapshot.maps.value_range)} (maps ${formatShape(snapshot.maps.shape)}).`;

    shownEpoch = snapshot.epoch;
    container.dataset.epoch = String(snapshot.epoch);
    parts.hidden = false;
  }

  async function choose(epoch) {
    if (epoch === wanted && (epoch === shownEpoch || cache.has(epoch))) return;
    wanted = epoch;
    const asked = cache;
    container.setAttribute("aria-busy", "true");
    if (!cache.has(epoch)) say(`Loading epoch ${epoch}…`);
    try {
      const snapshot = await asked.get(epoch);
      if (asked !== cache || wanted !== epoch) return; // another epoch was chosen meanwhile
      render(snapshot);
      say("");
    } catch (error) {
      if (asked !== cache || wanted !== epoch) return;
      wanted = null; // so choosing it again retries
      say(`Could not load epoch ${epoch}: ${error.message}`);
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
          return waiting("This network has no convolution layer, so it has no filters or feature maps to show: every pixel goes straight into dense layers. Pick a network with convolutions to watch filters form.", "none");
        }
        if (job.state === "queued" || job.state === "running") {
          return waiting("The filters appear here once training starts.", "waiting");
        }
        container.hidden = true; // ended before it started: nothing was kept
        return;
      }
      intro.hidden = false;
      body.hidden = false;
      container.dataset.state = "ready";
      if (!kept.length) return waiting("The filters appear here once training starts.", "waiting");
      scrubber.setEpochs(kept);
    },
  };
}
