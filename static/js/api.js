// The only module that talks to the server. Every function returns parsed JSON (or a Blob)
// and throws ApiError carrying the API's own human sentence (`detail`) when a request fails.
// The server's sentences arrive in the page's language (the request carries the language
// cookie); the few this module writes itself go through t().
import { t } from "./i18n/index.js";

export class ApiError extends Error {
  constructor(detail, status) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
  }
}

async function send(url, options = {}) {
  let response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(
      t("Could not reach the ConvLens server ({reason}). Check that it is running and try again.", {
        reason: error.message,
      }),
      0,
    );
  }
  if (response.ok) return response;
  const body = await response.json().catch(() => null);
  const detail =
    typeof body?.detail === "string"
      ? body.detail
      : t("The server answered {status} {statusText} to {url}.", {
          status: response.status,
          statusText: response.statusText,
          url,
        });
  throw new ApiError(detail, response.status);
}

/** "?a=1&b=2" from the options that are set ("" when none is). */
function query(options) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

// An explanation, patterns or dreams request that would take more than about a second answers
// 202 with a work (its `url` under /api/works/); polled until done, its answer is the JSON the
// request would have given at once, so the callers never see the difference.
const WORK_POLL_MS = 500;

const wait = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("Aborted", "AbortError"));
    });
  });

async function answerOf(response, signal) {
  const body = await response.json();
  const queued = response.status === 202 && body?.kind !== "deepdream" && body?.url?.startsWith("/api/works/");
  if (!queued) return body;
  let work = body;
  while (work.state === "queued" || work.state === "running") {
    await wait(WORK_POLL_MS, signal);
    work = await (await send(work.url, { signal })).json();
  }
  if (work.state !== "done") {
    const reason =
      work.reason ?? t("The server's work on this request was {state}: ask again.", { state: work.state });
    throw new ApiError(reason, 503);
  }
  return (await send(work.answer ?? `${work.url}/answer`, { signal })).json();
}

const getJson = async (url, signal) => answerOf(await send(url, { signal }), signal);

const postJson = async (url, body, signal) =>
  (
    await send(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      signal,
    })
  ).json();

const postForm = async (url, fields, signal, { raw = false } = {}) => {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (value instanceof Blob) form.append(key, value, value.name ?? "image");
    else form.append(key, String(value));
  }
  const response = await send(url, {
    method: "POST",
    headers: { Accept: "application/json" },
    body: form,
    signal,
  });
  return raw ? response.json() : answerOf(response, signal);
};

/** The kernel as the API wants it: {kernel_name} for a preset, else {kernel: JSON text}. */
function kernelFields(kernel, asText) {
  if (kernel.name) return { kernel_name: kernel.name };
  return { kernel: asText ? JSON.stringify(kernel.matrix) : kernel.matrix };
}

export const getKernels = (signal) => getJson("/api/kernels", signal);
export const getSamples = (signal) => getJson("/api/samples", signal);

/** A sample photo's bytes, named so the upload carries a sensible filename. */
export async function getImageBlob(url, signal) {
  const blob = await (await send(url, { signal })).blob();
  return new File([blob], url.split("/").pop(), { type: blob.type });
}

/**
 * POST /api/convolve. With options.includeInput the answer also carries the exact 8-bit input
 * the kernel ran on (input_image), so the caller can read its pixels.
 */
export function convolveImage(image, conv, options, signal) {
  return postForm(
    "/api/convolve",
    {
      image,
      ...kernelFields(conv.kernel, true),
      strides: conv.strides,
      padding: conv.padding,
      bias: conv.bias,
      color: options.color,
      mapping: options.mapping,
      include_input: Boolean(options.includeInput),
    },
    signal,
  );
}

/** POST /api/pool: pool the convolution of `image` (same kernel parameters as convolveImage). */
export function poolImage(image, conv, pool, options, signal) {
  return postForm(
    "/api/pool",
    {
      image,
      ...kernelFields(conv.kernel, true),
      conv_strides: conv.strides,
      conv_padding: conv.padding,
      conv_bias: conv.bias,
      pool_size: pool.size,
      strides: pool.strides,
      padding: pool.padding,
      mode: pool.mode,
      color: options.color,
      mapping: options.mapping,
    },
    signal,
  );
}

/** POST /api/convolve/matrix; `trace` is an output [row, col] to explain, or null. */
export function convolveMatrix(input, conv, trace, signal) {
  return postJson(
    "/api/convolve/matrix",
    {
      input,
      ...kernelFields(conv.kernel, false),
      strides: conv.strides,
      padding: conv.padding,
      bias: conv.bias,
      trace,
    },
    signal,
  );
}

/** POST /api/pool/matrix. */
export function poolMatrix(input, pool, signal) {
  return postJson(
    "/api/pool/matrix",
    {
      input,
      pool_size: pool.size,
      strides: pool.strides ?? undefined,
      padding: pool.padding,
      mode: pool.mode,
    },
    signal,
  );
}

// --- Trained models (Draw, Network explorer, Training) ----------------------------------------

export const getModels = (signal) => getJson("/api/models", signal);

export const getModel = (id, signal) => getJson(`/api/models/${encodeURIComponent(id)}`, signal);

/** A convolution layer's learned kernels: {kernel_shape, kernels[f][c], bias, value_range}. */
export const getFilters = (id, layer, signal) =>
  getJson(`/api/models/${encodeURIComponent(id)}/filters?layer=${encodeURIComponent(layer)}`, signal);

/** The shipped MNIST test digits: [{name, label, index, url}]. */
export const getDigits = (signal) => getJson("/static/digits/digits.json", signal);

/** The preprocessing switches as form fields: {invert: auto|yes|no, crop, fit, center, thicken}. */
const digitFields = (options = {}) => ({
  invert: options.invert,
  crop: options.crop,
  fit: options.fit,
  center: options.center,
  thicken: options.thicken,
});

/** POST /api/models/{id}/predict: label, probabilities and the 28x28 input the model saw. */
export const predictDigit = (id, image, options, signal) =>
  postForm(
    `/api/models/${encodeURIComponent(id)}/predict`,
    { image, ...digitFields(options) },
    signal,
  );

/**
 * /api/live: a WebSocket on which canvas frames are classified by several models at once (the
 * protocol is in the README). openLive({onMessage, onClose}) returns {sendSettings(settings),
 * sendFrame(blob) -> frame number, isClosed()}. onMessage gets each answer as sent, with
 * `error` (an ApiError) on "error" messages; onClose({code, reason, opened}) once it has ended.
 * Messages sent before the socket opens wait for it.
 */
export function openLive({ onMessage, onClose }) {
  const url = new URL("/api/live", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url);
  const waiting = [];
  let frames = 0;
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
    for (const message of waiting.splice(0)) socket.send(message);
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "error") message.error = new ApiError(message.detail, message.status);
    onMessage(message);
  });
  socket.addEventListener("close", ({ code, reason }) => onClose?.({ code, reason, opened }));
  const send = (message) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(message);
    else waiting.push(message);
  };
  return {
    sendSettings: (settings) => send(JSON.stringify(settings)),
    sendFrame(blob) {
      send(blob);
      return ++frames;
    },
    isClosed: () => socket.readyState >= WebSocket.CLOSING,
  };
}

/** POST /api/models/{id}/activations: every layer's output (as numbers) for one image. */
export const getActivations = (id, image, options, signal) =>
  postForm(
    `/api/models/${encodeURIComponent(id)}/activations`,
    { image, format: "numbers", layers: options?.layers, ...digitFields(options) },
    signal,
  );

/** POST /api/models/{id}/predict for any model, with the model's own preprocessing. */
export const predictImage = (id, image, signal) =>
  postForm(`/api/models/${encodeURIComponent(id)}/predict`, { image }, signal);

/**
 * POST /api/models/{id}/activations for some layers: {layers: "conv1,pool1", format: "png" |
 * "numbers", channels: "0-15"} (channels for feature-map layers only; the server bounds answers).
 */
export const getLayerActivations = (id, image, { layers, format = "png", channels }, signal) =>
  postForm(
    `/api/models/${encodeURIComponent(id)}/activations`,
    { image, layers, format, channels },
    signal,
  );

/**
 * POST /api/models/{id}/explain: why the model gave its answer. options = {method, class_index,
 * layer, samples, noise, baseline, steps, patch, stride, format: "png" | "numbers"}; left-out
 * options take the server's defaults (the predicted class, the last feature-map layer, ...).
 */
export const explainPrediction = (id, image, { format = "png", ...options } = {}, signal) =>
  postForm(`/api/models/${encodeURIComponent(id)}/explain`, { image, format, ...options }, signal);

/**
 * GET /api/models/{id}/patterns: the input each unit of `layer` responds to most. options =
 * {layer, units: "first-last", steps, seed}; answers {layer, kind, dataset, patterns: [{unit, image
 * (base64 PNG), activation, start_activation, top_images: [{name, label, url, activation}] | null}]}.
 */
export const getPatterns = (id, options = {}, signal) =>
  getJson(`/api/models/${encodeURIComponent(id)}/patterns${query(options)}`, signal);

/** GET /api/models/{id}/dreams: each class's dream from noise; options = {classes, steps, seed}. */
export const getDreams = (id, options = {}, signal) =>
  getJson(`/api/models/${encodeURIComponent(id)}/dreams${query(options)}`, signal);

/**
 * POST /api/models/{id}/dreams: the same ascent started from `image` (prepared as predict prepares
 * it): {dreams: [{class_index, image, probability, start_probability, ...}], input_picture, ...}.
 */
export const dreamFromImage = (id, image, { classes, steps, seed, ...digitOptions } = {}, signal) =>
  postForm(
    `/api/models/${encodeURIComponent(id)}/dreams`,
    { image, classes, steps, seed, ...digitFields(digitOptions) },
    signal,
  );

/**
 * POST /api/models/{id}/activations with dropout: one pass with every Dropout layer dropping units
 * at `rate` (0..0.9). Each Dropout layer's entry has `dropped` (flat unit indices); the answer has
 * dropout: {rate, seed} and that pass's probabilities. A left-out seed is drawn afresh.
 */
export const getDropoutPass = (id, image, { rate, seed, layers }, signal) =>
  postForm(
    `/api/models/${encodeURIComponent(id)}/activations`,
    { image, layers, format: "png", dropout: rate, dropout_seed: seed },
    signal,
  );

/**
 * POST /api/models: import a .keras or .h5 file. fields = {file, name, classes, preprocessing,
 * fit, scale, description}; answers {id, delete_token, format, keras_version, model: detail}.
 */
export const importModel = (fields, signal) => postForm("/api/models", fields, signal);

/** DELETE /api/models/{id} with the delete_token its import returned. */
export async function deleteModel(id, token, signal) {
  await send(`/api/models/${encodeURIComponent(id)}`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
    signal,
  });
}

// --- Architecture lab ------------------------------------------------------------------------

/** The preset architectures with their totals: [{name, title, total_params, ...}]. */
export const getArchitectures = (signal) => getJson("/api/architectures", signal);

/** One preset: {layers (the request format, Input first), summary, ...totals}. */
export const getArchitecture = (name, signal) =>
  getJson(`/api/architectures/${encodeURIComponent(name)}`, signal);

/** Every layer type with its settings and bounds, and a stack's limits: {layer_types, limits}. */
export const getLayerTypes = (signal) => getJson("/api/architectures/layer-types", signal);

/** POST /api/architectures/summary with {input_shape?, layers}: the table and totals. */
export const summarizeArchitecture = (stack, signal) =>
  postJson("/api/architectures/summary", stack, signal);

// --- Training on your own images ---------------------------------------------------------------

/**
 * POST /api/datasets: fields = {file (a .zip or .tar.gz of class folders), image_size, color,
 * name}; answers the dataset: {id, name, classes: [{label, name, count, thumbnails, mean_image}],
 * image_shape, skipped: [{file, reason}], skipped_count, ...}.
 */
export const uploadDataset = (fields, signal) => postForm("/api/datasets", fields, signal);

/** The stored datasets, the most recently used first: [{id, name, classes, image_shape, ...}]. */
export const getDatasets = (signal) => getJson("/api/datasets", signal);

/** One dataset with its thumbnails and mean images, as uploadDataset answers it. */
export const getDataset = (id, signal) => getJson(`/api/datasets/${encodeURIComponent(id)}`, signal);

/** POST /api/training: queue a job; answers {id, cancel_token, status}. */
export const startTraining = (request, signal) => postJson("/api/training", request, signal);

/** GET /api/training/recipes: [{name, input_shape, layers}], each as training builds it. */
export const getTrainingRecipes = (signal) => getJson("/api/training/recipes", signal);

/** GET /api/jobs/{id}: {state, place, reason, progress, history, seconds_left, model, ...}. */
export const getJob = (id, signal) => getJson(`/api/jobs/${encodeURIComponent(id)}`, signal);

/** GET /api/jobs/{id}/epochs/{n}: a kept epoch's first-convolution filters and maps, as PNGs. */
export const getJobEpoch = (jobId, epoch, signal) =>
  getJson(`/api/jobs/${encodeURIComponent(jobId)}/epochs/${encodeURIComponent(epoch)}?format=png`, signal);

/** DELETE /api/jobs/{id} with the cancel_token POST /api/training returned; answers the job. */
export async function cancelJob(id, token, signal) {
  const response = await send(`/api/jobs/${encodeURIComponent(id)}`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
    signal,
  });
  return response.json();
}

/**
 * GET /api/jobs/{id}/events as an EventSource: onStatus(job) for every "progress" and the final
 * "end" event, onFailed() once if the stream breaks before its end (the caller may poll getJob
 * instead). Returns {close()}.
 */
export const openJobEvents = (id, handlers) => openEvents(`/api/jobs/${encodeURIComponent(id)}/events`, handlers);

// --- Works: long explanations on the job queue (DeepDream) -------------------------------------

/**
 * POST /api/models/{id}/deepdream: options = {layers ("conv1,conv2"), octaves, octave_scale,
 * steps, step_size, side, seed}. Answers the work's status with `cancel_token` when this request
 * queued it (202), or without one when the same dream was already asked for (200, maybe done).
 */
export const startDeepDream = (id, image, options = {}, signal) =>
  postForm(`/api/models/${encodeURIComponent(id)}/deepdream`, { image, ...options }, signal, { raw: true });

/** GET /api/works/{id}: {state, progress, reason, options, result: {image, start, ...}, url}. */
export const getWork = (id, signal) => getJson(`/api/works/${encodeURIComponent(id)}`, signal);

/** DELETE /api/works/{id} with the cancel_token startDeepDream returned; answers the work. */
export async function cancelWork(id, token, signal) {
  const response = await send(`/api/works/${encodeURIComponent(id)}`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
    signal,
  });
  return response.json();
}

/** GET /api/works/{id}/events as an EventSource, as openJobEvents. Returns {close()}. */
export const openWorkEvents = (id, handlers) => openEvents(`/api/works/${encodeURIComponent(id)}/events`, handlers);

// A job's or work's server-sent events: "progress" ones, then one "end".
function openEvents(url, { onStatus, onFailed }) {
  const source = new EventSource(url);
  let closed = false;
  const close = () => {
    closed = true;
    source.close();
  };
  const handle = (event) => {
    if (closed) return;
    let job;
    try {
      job = JSON.parse(event.data);
    } catch {
      close();
      onFailed?.();
      return;
    }
    if (event.type === "end") close();
    onStatus(job);
  };
  source.addEventListener("progress", handle);
  source.addEventListener("end", handle);
  // EventSource reconnects by itself after an error; the caller polls instead, so stop it here.
  source.addEventListener("error", () => {
    if (closed) return;
    close();
    onFailed?.();
  });
  return { close };
}
