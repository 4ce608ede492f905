// The lab's state in its address, so that a reload or a shared link opens the same stack:
//   #<preset>            a preset as shipped (lenet5, alexnet, vgg16, resnet50, ...), or the
//                        preset an edited stack started from
//   ?stack=<code>        an edited stack: its layers (the Input first) in the API's request
//                        format, settings at their defaults left out, as JSON compressed with
//                        deflate and written in base64url. A hand-written link may give the
//                        JSON itself instead (URL-encoded, starting with "[").
//   ?for=training        opened from the Training page (./for_training.js)
//   ?ask=<location>:<kind>  the quiz question open: layers[3]:shape or layers[6]:params (the
//                        question only: its answer is never in the address)
import { t } from "../i18n/index.js";
import { typesByName } from "./layer_forms.js";

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** A copy of the layers without the settings that equal their type's default. */
export function withoutDefaults(types, layers) {
  return layers.map((layer) => {
    const spec = types[layer.type];
    const short = {};
    for (const [key, value] of Object.entries(layer)) {
      const field = spec?.fields.find((f) => f.key === key);
      if (key === "branches") short.branches = value.map((branch) => withoutDefaults(types, branch));
      else if (!field || field.required || !same(value, field.default)) short[key] = value;
    }
    return short;
  });
}

const toBase64url = (bytes) =>
  btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

function fromBase64url(text) {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function through(stream, bytes) {
  const piped = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(piped).arrayBuffer());
}

/** The ?stack= code of these layers (the Input first). */
export async function encodeStack(catalogue, layers) {
  const json = JSON.stringify(withoutDefaults(typesByName(catalogue), layers));
  return toBase64url(await through(new CompressionStream("deflate-raw"), new TextEncoder().encode(json)));
}

/** The layers a ?stack= value holds; throws when it is neither a code nor a JSON list. */
export async function decodeStack(code) {
  const text = code.trim().startsWith("[")
    ? code
    : new TextDecoder().decode(await through(new DecompressionStream("deflate-raw"), fromBase64url(code)));
  const layers = JSON.parse(text);
  if (!Array.isArray(layers) || !layers.every((layer) => layer && typeof layer.type === "string")) {
    throw new Error(t("it is not a list of layers"));
  }
  return layers;
}

/** The ?stack= value in the address, or null. */
export const stackInUrl = () => new URLSearchParams(window.location.search).get("stack");

/** Keep `code` (null: none, the preset as shipped) and `preset` (the #name) in the address. */
export function keepInUrl(code, preset) {
  const url = new URL(window.location.href);
  if (code) url.searchParams.set("stack", code);
  else url.searchParams.delete("stack");
  url.hash = preset ? `#${preset}` : "";
  if (url.href !== window.location.href) history.replaceState(null, "", url);
}

const ASK = /^(layers\[\d+\](?:\.branches\[\d+\]\[\d+\])*):(shape|params)$/;

/** The quiz question the address asks ({location, kind}), or null. */
export function askInUrl() {
  const match = (new URLSearchParams(window.location.search).get("ask") ?? "").match(ASK);
  return match ? { location: match[1], kind: match[2] } : null;
}

/** Keep the open question (null: none) in the address. */
export function keepAskInUrl(asked) {
  const url = new URL(window.location.href);
  if (asked) url.searchParams.set("ask", `${asked.location}:${asked.kind}`);
  else url.searchParams.delete("ask");
  if (url.href !== window.location.href) history.replaceState(null, "", url);
}
