// A job's kept epochs of its first convolution (GET /api/jobs/{id}/epochs/{n}), fetched only
// when one is shown and then kept: a kept epoch never changes, so each is asked for once.
import { getJobEpoch } from "../api.js";

/** createSnapshotCache(jobId) -> {get(epoch) -> Promise<snapshot>, has(epoch)}. A failed request
 * is forgotten, so asking again retries it. */
export function createSnapshotCache(jobId) {
  const kept = new Map();
  return {
    jobId,
    has: (epoch) => kept.has(epoch),
    get(epoch) {
      if (!kept.has(epoch)) {
        const request = getJobEpoch(jobId, epoch);
        request.catch(() => kept.delete(epoch));
        kept.set(epoch, request);
      }
      return kept.get(epoch);
    },
  };
}
