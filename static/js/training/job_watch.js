// Following a job until it ends: its event stream, or, if the stream fails, GET /api/jobs/{id}
// every TRAINING.pollMs. onStatus(job) gets every state; it is never called after stop().
import { getJob, openJobEvents } from "../api.js";
import { TRAINING } from "../config.js";

const FINISHED = new Set(["done", "failed", "cancelled"]);

export const isFinished = (job) => FINISHED.has(job.state);

/**
 * watchJob(id, {onStatus(job), onError(error), onMode("stream" | "polling")}) -> {stop()}.
 * onError is for a poll that failed; polling goes on, so a server restart is ridden out.
 */
export function watchJob(id, { onStatus, onError, onMode }) {
  let stopped = false;
  let stream = null;
  let timer = null;

  const deliver = (job) => {
    if (stopped) return;
    onStatus(job);
    if (isFinished(job)) stop();
  };

  async function poll() {
    timer = null;
    if (stopped) return;
    try {
      deliver(await getJob(id));
    } catch (error) {
      if (!stopped) onError?.(error);
      // The job itself is gone (404): nothing more to follow.
      if (error.status === 404) return stop();
    }
    if (!stopped) timer = setTimeout(poll, TRAINING.pollMs);
  }

  function stop() {
    stopped = true;
    stream?.close();
    clearTimeout(timer);
  }

  onMode?.("stream");
  stream = openJobEvents(id, {
    onStatus: deliver,
    onFailed: () => {
      if (stopped) return;
      onMode?.("polling");
      poll();
    },
  });
  return { stop };
}
