// Following a job or a work until it ends: its event stream, or, if the stream fails, its status
// every pollMs. onStatus(status) gets every state; it is never called after stop(). The
// Training page follows its jobs with it, the Explorer its dreams.
const FINISHED = new Set(["done", "failed", "cancelled"]);

export const isFinished = (status) => FINISHED.has(status.state);

/**
 * watchStatus({fetchStatus(), openEvents(handlers), pollMs},
 *             {onStatus(status), onError(error), onMode("stream" | "polling")}) -> {stop()}.
 * onError is for a poll that failed; polling goes on, so a server restart is ridden out.
 */
export function watchStatus({ fetchStatus, openEvents, pollMs }, { onStatus, onError, onMode }) {
  let stopped = false;
  let stream = null;
  let timer = null;

  const deliver = (status) => {
    if (stopped) return;
    onStatus(status);
    if (isFinished(status)) stop();
  };

  async function poll() {
    timer = null;
    if (stopped) return;
    try {
      deliver(await fetchStatus());
    } catch (error) {
      if (!stopped) onError?.(error);
      // The job or work itself is gone (404): nothing more to follow.
      if (error.status === 404) return stop();
    }
    if (!stopped) timer = setTimeout(poll, pollMs);
  }

  function stop() {
    stopped = true;
    stream?.close();
    clearTimeout(timer);
  }

  onMode?.("stream");
  stream = openEvents({
    onStatus: deliver,
    onFailed: () => {
      if (stopped) return;
      onMode?.("polling");
      poll();
    },
  });
  return { stop };
}
