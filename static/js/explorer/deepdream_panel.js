// "Dream": DeepDream on the Explorer's current photo, for photo models. The photo and the options
// go to POST /api/models/{id}/deepdream, which queues a work (or answers at once when the same
// dream was made before); the page follows it with server-sent events (polling if they fail),
// offers Cancel while it runs when this page queued it, then shows the dream beside the photo it
// started from, how much more the chosen layer responds, and links to share.
import { cancelWork, startDeepDream } from "../api.js";
import { DREAM } from "../config.js";
import { el, isAbort } from "../dom.js";
import { formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n/index.js";
import { isFinished, watchWork } from "./work_watch.js";

/** The layers a dream can raise: those with feature maps (height × width × maps). */
export const mapLayers = (detail) =>
  detail.summary.filter((row) => row.output_shape.length === 3 && row.type !== "InputLayer");

const OPTION_FIELDS = [
  // [form name, URL parameter, label, config bounds, step, help]
  ["octaves", "dream_octaves", () => t("Octaves"), DREAM.octaves, 1, () => t("Sizes the photo is dreamt at, small to large.")],
  ["steps", "dream_steps", () => t("Steps"), DREAM.steps, 1, () => t("Changes made at each size.")],
  ["step_size", "dream_step_size", () => t("Step size"), DREAM.stepSize, 0.001, () => t("How big each change is.")],
  ["side", "dream_side", () => t("Side (px)"), DREAM.side, 1, () => t("The dream's longer side.")],
];

/**
 * What a link says about dreams: {seed, wanted}. wanted is the options of a shared dream
 * (dream_layers, dream_octaves, ...), or null when it names none; the seed (dream_seed) holds
 * for every dream made on the page.
 */
export function dreamOptionsFromUrl(params) {
  const seed = params.get("dream_seed") ?? String(DREAM.seed);
  if (!params.has("dream_layers") && !OPTION_FIELDS.some(([, key]) => params.has(key))) return { seed, wanted: null };
  const wanted = { layers: params.get("dream_layers") ?? "" };
  for (const [name, key] of OPTION_FIELDS) if (params.has(key)) wanted[name] = params.get(key);
  return { seed, wanted };
}

/** What the message line says about a work that is not done. */
function describe(work) {
  switch (work.state) {
    case "queued":
      return t("Queued: it starts when the server's worker is free (other dreams or trainings may run first)…");
    case "running":
      return t("Dreaming… {percent} done.", { percent: formatPercent(work.progress ?? 0) });
    case "cancelled":
      return t("Cancelled: the dream was stopped before it finished. Press Dream to start it again.");
    case "failed":
      return work.reason != null
        ? t("The dream failed: {reason}", { reason: work.reason })
        : t("The dream failed: the server gave no reason.");
    default:
      return "";
  }
}

/** "The dream: 3 octaves × 10 steps", one octave or step or many. */
function dreamCaption({ octaves, steps }) {
  const params = { octaves, steps };
  if (octaves === 1) {
    return steps === 1 ? t("The dream: {octaves} octave × {steps} step", params) : t("The dream: {octaves} octave × {steps} steps", params);
  }
  return steps === 1 ? t("The dream: {octaves} octaves × {steps} step", params) : t("The dream: {octaves} octaves × {steps} steps", params);
}

function numberField(name, label, bounds, step, help) {
  const id = `dream-${name.replace("_", "-")}`;
  return el("div", { class: "field" }, [
    el("label", { for: id, text: label() }),
    el("input", {
      type: "number", id, name, min: bounds.min, max: bounds.max, step, value: bounds.value, required: true,
      inputmode: step < 1 ? "decimal" : "numeric", "aria-describedby": `${id}-help`,
    }),
    el("span", { class: "help", id: `${id}-help`, text: help() }),
  ]);
}

function figure(src, alt, caption, { width, height }) {
  const small = Math.max(width, height) < DREAM.pixelatedBelowPx;
  return el("figure", { class: `deepdream-figure${small ? " is-small" : ""}` }, [
    el("img", { src, alt, width, height }),
    el("figcaption", { text: caption }),
  ]);
}

function copyRow(label, url, role) {
  const input = el("input", { type: "text", readonly: true, value: url, "aria-label": label, dataset: { role } });
  const copy = el("button", { type: "button", class: "button button-quiet", text: t("Copy") });
  copy.addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(url);
      copy.textContent = t("Copied");
    } catch {
      copy.textContent = t("Select and copy");
    }
  });
  return el("div", { class: "deepdream-share-row" }, [
    el("a", { href: url, text: label, dataset: { role: `${role}-link` } }),
    el("div", { class: "deepdream-share-copy" }, [input, copy]),
  ]);
}

/**
 * createDeepDreamPanel(section, root, {seed, wanted}) -> {useModel(detail), follow({detail,
 * image, source}), clear()}. The section shows for photo models only. `wanted` is the options of
 * a shared link (dreamOptionsFromUrl): they fill the form, and the first photo is dreamt at once.
 */
export function createDeepDreamPanel(section, root, { seed = DREAM.seed, wanted = null } = {}) {
  const layerSelect = el("select", { id: "dream-layer", name: "layers", "aria-describedby": "dream-layer-help" });
  const dreamButton = el("button", { type: "submit", class: "button", text: t("Dream"), dataset: { role: "dream" } });
  const cancelButton = el("button", { type: "button", class: "button button-quiet", text: t("Cancel"), hidden: true, dataset: { role: "cancel" } });
  const form = el("form", { class: "deepdream-form", novalidate: true }, [
    el("div", { class: "field-row deepdream-controls" }, [
      el("div", { class: "field deepdream-layer-field" }, [
        el("label", { for: layerSelect.id, text: t("Layer") }),
        layerSelect,
        el("span", { class: "help", id: "dream-layer-help", text: t("Listed from the input (first) to the output (last).") }),
      ]),
      ...OPTION_FIELDS.map(([name, , label, bounds, step, help]) => numberField(name, label, bounds, step, help)),
    ]),
    el("div", { class: "button-row" }, [dreamButton, cancelButton]),
  ]);
  const message = el("p", { class: "dream-message", role: "status", "aria-live": "polite", dataset: { role: "message" } });
  const progress = el("progress", { class: "deepdream-progress", max: 1, value: 0, hidden: true, "aria-label": t("Dream progress") });
  const result = el("div", { class: "deepdream-result", dataset: { role: "result" } });
  root.replaceChildren(form, progress, message, result);

  const state = { detail: null, image: null, source: null, watcher: null, work: null, token: null, pending: wanted };

  const setStatus = (status, text = "") => {
    root.dataset.status = status;
    root.setAttribute("aria-busy", String(status === "busy"));
    message.textContent = text;
    message.dataset.state = status;
  };
  setStatus("idle");

  function options() {
    const values = { layers: layerSelect.value, seed };
    for (const [name] of OPTION_FIELDS) values[name] = form.elements[name].value.trim();
    return values;
  }

  function fillForm(values) {
    const layer = (values.layers ?? "").split(",")[0];
    if ([...layerSelect.options].some((option) => option.value === layer)) layerSelect.value = layer;
    for (const [name] of OPTION_FIELDS) if (values[name] !== undefined) form.elements[name].value = values[name];
  }

  /** Stop following the current work (it goes on on the server) and forget what is shown. */
  function reset(note) {
    state.watcher?.stop();
    state.watcher = null;
    state.work = null;
    state.token = null;
    cancelButton.hidden = true;
    dreamButton.disabled = !state.image;
    progress.hidden = true;
    result.replaceChildren();
    delete root.dataset.work;
    delete root.dataset.state;
    setStatus("idle", note);
  }

  function showWork(work) {
    state.work = work;
    Object.assign(root.dataset, { work: work.id, state: work.state });
    const running = work.state === "queued" || work.state === "running";
    cancelButton.hidden = !(running && state.token);
    dreamButton.disabled = running || !state.image;
    progress.hidden = !running;
    if (work.state === "running") progress.value = work.progress ?? 0;
    else progress.removeAttribute("value"); // queued: an indeterminate bar
    if (work.state === "done") {
      showResult(work);
      setStatus("ready", "");
      root.dataset.renders = String(Number(root.dataset.renders ?? 0) + 1);
    } else {
      setStatus(running ? "busy" : work.state === "cancelled" ? "cancelled" : "error", describe(work));
    }
  }

  function shareUrl(work) {
    if (state.source?.name === "upload") return null; // the photo is on this computer only
    const url = new URL("/explorer", location.href);
    url.searchParams.set("model", work.model);
    url.searchParams.set("photo", state.source.name);
    const { layers, octaves, steps, step_size: stepSize, side, seed } = work.options;
    const entries = { dream_layers: layers.join(","), dream_octaves: octaves, dream_steps: steps, dream_step_size: stepSize, dream_side: side, dream_seed: seed };
    for (const [key, value] of Object.entries(entries)) url.searchParams.set(key, String(value));
    url.hash = "dream-heading";
    return url.href;
  }

  function showResult(work) {
    const { result: pictures, options: used } = work;
    const layers = used.layers.join(" + ");
    const response = { layers, start: formatNumber(pictures.start_objective), end: formatNumber(pictures.objective) };
    const summary =
      pictures.start_objective > 0
        ? t("{layers}'s mean response went from {start} for the photo to {end} for the dream ({times} times as much).", {
            ...response,
            times: formatNumber(pictures.objective / pictures.start_objective, 1),
          })
        : t("{layers}'s mean response went from {start} for the photo to {end} for the dream.", response);
    const dreamUrl = new URL(pictures.image, location.href).href;
    const pageUrl = shareUrl(work);
    const size = { width: pictures.width, height: pictures.height };
    result.replaceChildren(
      el("div", { class: "deepdream-pair" }, [
        figure(pictures.start, t("Your photo as the dream began"), t("The photo, {width} × {height}", size), size),
        figure(pictures.image, t("The photo dreamt to excite {layers}", { layers }), dreamCaption(used), size),
      ]),
      el("p", {
        class: "deepdream-summary",
        dataset: { role: "objective" },
        text: summary,
      }),
      el("div", { class: "deepdream-share" }, [
        el("h3", { text: t("Link to share") }),
        copyRow(t("The dream (PNG)"), dreamUrl, "dream-url"),
        pageUrl
          ? copyRow(t("This page with these settings"), pageUrl, "page-url")
          : el("p", {
              class: "note",
              text: t("Your own photo stays on your computer, so only the dream's picture has a link; a sample photo gives a page link too."),
            }),
        el("p", {
          class: "note",
          text: t("The same model, photo and settings always make the same dream: it is made once and kept, so the link opens at once."),
        }),
      ]),
    );
  }

  async function dream() {
    const { detail, image } = state;
    if (!detail || !image) return;
    reset("");
    dreamButton.disabled = true;
    setStatus("busy", t("Sending the photo…"));
    const asked = { detail, image };
    try {
      const work = await startDeepDream(detail.id, image, options());
      if (state.detail !== asked.detail || state.image !== asked.image) return; // moved on meanwhile
      state.token = work.cancel_token ?? null;
      showWork(work);
      if (work.state === "queued" || work.state === "running") follow(work.id);
    } catch (error) {
      if (isAbort(error)) return;
      dreamButton.disabled = false;
      // 422: a bad option, said next to the form; 429: the queue or your share of it is full.
      setStatus("error", error.message);
    }
  }

  function follow(id) {
    state.watcher = watchWork(id, {
      onStatus: (work) => showWork(work),
      onError: (error) => setStatus("busy", t("Lost touch with the server ({reason}); still trying…", { reason: error.message })),
    });
  }

  async function cancel() {
    const { work, token } = state;
    if (!work || !token) return;
    cancelButton.disabled = true;
    try {
      const answer = await cancelWork(work.id, token);
      const current = state.work;
      if (current?.id !== answer.id || isFinished(current)) return; // the events said it first
      if (isFinished(answer)) {
        state.watcher?.stop();
        showWork(answer);
      } else {
        setStatus("busy", t("Cancelling: the dream stops at its next step…"));
      }
    } catch (error) {
      if (error.status !== 409) setStatus("error", error.message); // 409: it had ended anyway
    } finally {
      cancelButton.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    dream();
  });
  cancelButton.addEventListener("click", cancel);

  return {
    useModel(detail) {
      const photos = detail.preprocessing === "image";
      section.hidden = !photos;
      if (state.detail?.id === detail.id) return;
      state.detail = detail;
      state.image = null;
      const rows = photos ? mapLayers(detail) : [];
      layerSelect.replaceChildren(
        ...rows.map((row) => el("option", { value: row.name, text: t("{layer} ({count} maps)", { layer: row.name, count: row.output_shape[2] }) })),
      );
      if (rows.length) layerSelect.value = rows[rows.length - 1].name; // the server's default too
      if (state.pending) fillForm(state.pending);
      reset(photos && !rows.length ? t("{model} has no layers with feature maps to dream with.", { model: detail.name }) : "");
    },
    follow({ detail, image, source }) {
      if (detail.preprocessing !== "image") return;
      state.detail = detail;
      state.image = image;
      state.source = source;
      reset(t("Press Dream to change this photo so the chosen layer responds more."));
      if (state.pending && source.name !== "upload") {
        state.pending = null; // a shared link dreams once, on the photo it names
        dream();
      }
    },
    clear() {
      state.image = null;
      reset(t("Pick a photo to dream with."));
    },
  };
}
