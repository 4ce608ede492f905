// The Training page's state in its address, so that a reload or a shared link shows the same:
//   ?compare=lenet5,mlp   the models whose curves are overlaid (ids, in the page's order)
//   &curves=training      which of their curves: validation (the default) or training
//   &job=<16 hex digits>  the training job being watched (./own_images.js)
//   &epoch=<n>            the epoch the job's scrubber shows (absent: the newest, following)
// Writing replaces the current history entry: moving a slider does not fill the Back button.

const params = () => new URLSearchParams(window.location.search);

/** The value of `key` in the address, or null. */
export const readParam = (key) => params().get(key);

/** Set each key to its value (a string) or remove it (null), keeping every other key. */
export function writeParams(changes) {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  if (url.href !== window.location.href) window.history.replaceState(null, "", url);
}
