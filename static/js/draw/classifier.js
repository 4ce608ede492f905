// How the Draw page gets its guesses: drawings go over the live socket (/api/live), one frame
// for every model at once, the server answering the latest; uploads go to REST predict, one
// request per model. A socket that cannot open (a proxy without WebSockets) falls back to REST.
import { openLive, predictDigit } from "../api.js";
import { isAbort, latestOnly } from "../dom.js";

/**
 * createClassifier({modelIds, onResult(id, {result} | {error}), onSettled(latest)}) returns
 * {classify(image, options, {upload}), abort()}. onSettled(true) follows the answer to the
 * newest image; onSettled(false) an answer that a newer image has already overtaken.
 */
export function createClassifier({ modelIds, onResult, onSettled }) {
  let live = null;
  let liveWorks = true; // until a socket fails to open at all
  let sentSettings = null;
  let lastFrame = 0; // the newest frame sent on this socket
  let acceptFrom = 1; // answers to older frames are about a drawing no longer on the pad
  const rest = latestOnly();

  function connect() {
    sentSettings = null;
    lastFrame = 0;
    acceptFrom = 1;
    live = openLive({
      onMessage(message) {
        if (message.type === "settings" || (message.frame ?? acceptFrom) < acceptFrom) return;
        if (message.type === "prediction") {
          for (const result of message.predictions) onResult(result.model, { result });
        } else if (message.frame !== null) {
          for (const id of modelIds) onResult(id, { error: message.error });
        }
        if (message.frame !== null) onSettled(message.frame === lastFrame);
      },
      onClose({ opened }) {
        if (!opened) liveWorks = false;
        live = null;
      },
    });
  }

  function viaLive(image, options) {
    rest.abort();
    if (!live || live.isClosed()) connect();
    const settings = JSON.stringify({ models: modelIds, ...options });
    if (settings !== sentSettings) {
      live.sendSettings(JSON.parse(settings));
      sentSettings = settings;
    }
    lastFrame = live.sendFrame(image);
  }

  async function viaRest(image, options) {
    acceptFrom = lastFrame + 1;
    const signal = rest.start();
    await Promise.all(
      modelIds.map(async (id) => {
        try {
          const result = await predictDigit(id, image, options, signal);
          if (!signal.aborted) onResult(id, { result });
        } catch (error) {
          if (!isAbort(error)) onResult(id, { error, upload: true });
        }
      }),
    );
    if (!signal.aborted) onSettled(true);
  }

  return {
    classify(image, options, { upload = false } = {}) {
      if (upload || !liveWorks) viaRest(image, options);
      else viaLive(image, options);
    },
    abort() {
      rest.abort();
      acceptFrom = lastFrame + 1;
    },
  };
}
