// The page's error box (role="alert") and its polite status line (aria-live).
import { isAbort } from "../dom.js";

export function createStatus(errorBox, statusLine) {
  const message = errorBox.querySelector("[data-role=message]");
  errorBox.querySelector("[data-role=dismiss]")?.addEventListener("click", () => {
    errorBox.hidden = true;
  });
  return {
    busy(text) {
      statusLine.textContent = text;
    },
    done(text) {
      statusLine.textContent = text;
    },
    clearError() {
      errorBox.hidden = true;
      message.textContent = "";
    },
    /** Show an ApiError's detail (or any error's message); aborted requests are not errors. */
    error(error) {
      if (isAbort(error)) return;
      message.textContent = error?.message || String(error);
      errorBox.hidden = false;
      statusLine.textContent = "Something went wrong; see the message above.";
      if (!(error?.name === "ApiError")) console.error(error);
    },
  };
}
