// The language switch in the page header keeps the page's state: the link gets the current
// address (its query and #hash, where each page keeps what is shown) with lang= set.
for (const link of document.querySelectorAll(".language-switch a[data-lang]")) {
  link.addEventListener("click", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("lang", link.dataset.lang);
    link.href = url.href;
  });
}
