// Following a work (a DeepDream) until it ends (widgets/status_watch.js): its event stream, or
// GET /api/works/{id} every DREAM.pollMs.
import { getWork, openWorkEvents } from "../api.js";
import { DREAM } from "../config.js";
import { watchStatus } from "../widgets/status_watch.js";

export { isFinished } from "../widgets/status_watch.js";

/** watchWork(id, {onStatus(work), onError(error), onMode("stream" | "polling")}) -> {stop()}. */
export const watchWork = (id, handlers) =>
  watchStatus(
    { fetchStatus: () => getWork(id), openEvents: (h) => openWorkEvents(id, h), pollMs: DREAM.pollMs },
    handlers,
  );
