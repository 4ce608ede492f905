// The page's error box (role="alert") and its polite status line (aria-live).
import { isAbort } from "../dom.js";
import { t } from "../i18n/index.js";

export function createStatus(errorBox, statusLine) {
  const POINTER = t("Something went wrong; see the message above.");
  const message = errorBox.querySelector("[data-role=message]");
  const setLine = (text) => {
    statusLine.textContent = text;
  };
  // The line points at the box: when the box goes, so does the pointer.
  const hideError = () => {
    errorBox.hidden = true;
    message.textContent = "";
    if (statusLine.textContent === POINTER) setLine("");
  };
  errorBox.querySelector("[data-role=dismiss]")?.addEventListener("click", hideError);
  return {
    busy: setLine,
    done: setLine,
    clearError: hideError,
    /** Show an ApiError's detail (or any error's message); aborted requests are not errors. */
    error(error) {
      if (isAbort(error)) return;
      message.textContent = error?.message || String(error);
      errorBox.hidden = false;
      setLine(POINTER);
      if (!(error?.name === "ApiError")) console.error(error);
    },
  };
}
