// A job's kept epochs of its first convolution (GET /api/jobs/{id}/epochs/{n}), fetched only
// when one is shown and then kept: a kept epoch never changes, so each is asked for once.
//
// The request lives here rather than in ../api.js only because that file belongs to another
// change under way; it is written the way api.js writes its requests and should move there.
import { ApiError } from "../api.js";

async function getJobEpoch(jobId, epoch, signal) {
  const url = `/api/jobs/${encodeURIComponent(jobId)}/epochs/${encodeURIComponent(epoch)}?format=png`;
  let response;
  try {
    response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(`Could not reach the ConvLens server (${error.message}). Check that it is running and try again.`, 0);
  }
  if (response.ok) return response.json();
  const body = await response.json().catch(() => null);
  const detail = typeof body?.detail === "string" ? body.detail : `The server answered ${response.status} to ${url}.`;
  throw new ApiError(detail, response.status);
}

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
