// Following a training job until it ends (widgets/status_watch.js): its event stream, or
// GET /api/jobs/{id} every TRAINING.pollMs.
import { getJob, openJobEvents } from "../api.js";
import { TRAINING } from "../config.js";
import { watchStatus } from "../widgets/status_watch.js";

export { isFinished } from "../widgets/status_watch.js";

/** watchJob(id, {onStatus(job), onError(error), onMode("stream" | "polling")}) -> {stop()}. */
export const watchJob = (id, handlers) =>
  watchStatus(
    { fetchStatus: () => getJob(id), openEvents: (h) => openJobEvents(id, h), pollMs: TRAINING.pollMs },
    handlers,
  );
