// The Kernel lab's two tabs share the page's one status box: each tab reports through its own
// handle, and only the tab in view shows its error, so an Image-tab error does not hang over
// the Numbers tab (and comes back with the Image tab while it still holds).
import { isAbort } from "../dom.js";

export function createTabStatus(status, firstTab) {
  const errors = new Map(); // tab name -> its unresolved error
  let current = firstTab;
  const inView = (name) => name === current;

  function forTab(name) {
    return {
      busy: (text) => inView(name) && status.busy(text),
      done: (text) => inView(name) && status.done(text),
      clearError() {
        errors.delete(name);
        if (inView(name)) status.clearError();
      },
      error(error) {
        if (isAbort(error)) return;
        errors.set(name, error);
        if (inView(name)) status.error(error);
      },
    };
  }

  return {
    forTab,
    /** The tab `name` is now in view: show its error, or none. */
    show(name) {
      if (name === current) return;
      current = name;
      status.clearError();
      status.done("");
      if (errors.has(name)) status.error(errors.get(name));
    },
  };
}
