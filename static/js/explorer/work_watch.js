// Following a work (a DeepDream) until it ends: its event stream, or, if the stream fails,
// GET /api/works/{id} every DREAM.pollMs. The same shape as training/job_watch.js.
import { getWork, openWorkEvents } from "../api.js";
import { DREAM } from "../config.js";

const FINISHED = new Set(["done", "failed", "cancelled"]);

export const isFinished = (work) => FINISHED.has(work.state);

/**
 * watchWork(id, {onStatus(work), onError(error), onMode("stream" | "polling")}) -> {stop()}.
 * onStatus is never called after stop(); onError is for a poll that failed (polling goes on).
 */
export function watchWork(id, { onStatus, onError, onMode }) {
  let stopped = false;
  let stream = null;
  let timer = null;

  const deliver = (work) => {
    if (stopped) return;
    onStatus(work);
    if (isFinished(work)) stop();
  };

  async function poll() {
    timer = null;
    if (stopped) return;
    try {
      deliver(await getWork(id));
    } catch (error) {
      if (!stopped) onError?.(error);
      if (error.status === 404) return stop(); // the work itself is gone
    }
    if (!stopped) timer = setTimeout(poll, DREAM.pollMs);
  }

  function stop() {
    stopped = true;
    stream?.close();
    clearTimeout(timer);
  }

  onMode?.("stream");
  stream = openWorkEvents(id, {
    onStatus: deliver,
    onFailed: () => {
      if (stopped) return;
      onMode?.("polling");
      poll();
    },
  });
  return { stop };
}
