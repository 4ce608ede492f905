// Entry module of the Learn page: the lesson path of ./learn/steps.js, one step at a time. The
// step is in the address (/learn#pooling, or /learn?step=4 which becomes #pooling), so a reload
// or a teacher's link opens it, and Back returns to the step before. Only the shown step's live
// page is loaded: leaving a step removes its iframe.
import { byId, el } from "./dom.js";
import { t } from "./i18n/index.js";
import { renderQuestion } from "./learn/question.js";
import { STEPS } from "./learn/steps.js";

const SOLVED_KEY = "convlens-learn-solved"; // the steps answered right, for this browser tab

function readSolved() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(SOLVED_KEY) ?? "[]");
    return new Set(Array.isArray(ids) ? ids : []);
  } catch {
    return new Set();
  }
}

function keepSolved(solved) {
  try {
    sessionStorage.setItem(SOLVED_KEY, JSON.stringify([...solved]));
  } catch {
    // Storage refused (a private window, say): the ticks last until the page is left.
  }
}

const stepIndex = (id) => STEPS.findIndex((step) => step.id === id);

/** The step the address names: #<id>, or ?step=<1..7>; null when it names none. */
function stepFromAddress() {
  const byHash = stepIndex(decodeURIComponent(location.hash.slice(1)));
  if (byHash >= 0) return byHash;
  const number = Number(new URLSearchParams(location.search).get("step"));
  return Number.isInteger(number) && number >= 1 && number <= STEPS.length ? number - 1 : null;
}

function buildStepList(list, onKey) {
  list.replaceChildren(
    ...STEPS.map((step, index) =>
      el("li", {}, [
        el("a", { href: `#${step.id}`, dataset: { step: step.id }, onkeydown: (event) => onKey(event, index) }, [
          el("span", { class: "learn-step-number", text: String(index + 1) }),
          el("span", { class: "learn-step-title", text: step.short ?? step.title }),
          el("span", { class: "learn-tick", "aria-hidden": "true", text: "✓" }),
          el("span", { class: "visually-hidden learn-tick-text", text: t(" (answered)") }),
        ]),
      ]),
    ),
  );
}

function markStepList(list, current, solved) {
  for (const link of list.querySelectorAll("a")) {
    const isCurrent = link.dataset.step === STEPS[current].id;
    if (isCurrent) link.setAttribute("aria-current", "step");
    else link.removeAttribute("aria-current");
    link.classList.toggle("is-solved", solved.has(link.dataset.step));
  }
}

function setNavLink(link, index, { text, label }) {
  const step = STEPS[index];
  link.hidden = !step;
  if (!step) return;
  link.href = `#${step.id}`;
  link.textContent = text(step.short ?? step.title);
  if (label) link.setAttribute("aria-label", label(step.title));
}

const READY_WAIT_MS = 20_000;

/** The sticky or fixed element covering the top of a document's viewport, if any. */
function stuckAtTop(doc, target) {
  const { left, width } = target.getBoundingClientRect();
  for (let node = doc.elementFromPoint(left + width / 2, 2); node && node !== doc.body; node = node.parentElement) {
    const { position } = doc.defaultView.getComputedStyle(node);
    if (position === "sticky" || position === "fixed") return node;
  }
  return null;
}

/**
 * Once the framed page is ready (its body's data-ready), scroll the frame (not this page) to the
 * part the step is about. A page that never gets ready, or lacks the part, is left as it is.
 */
function scrollFrameTo(frame, selector) {
  const started = Date.now();
  const look = () => {
    const inner = frame.contentDocument;
    if (!frame.isConnected || !inner) return;
    const target = inner.body?.dataset.ready === "true" && inner.querySelector(selector);
    if (target) {
      const win = frame.contentWindow;
      win.scrollTo({ top: target.getBoundingClientRect().top + win.scrollY - 8 });
      // A bar the page keeps stuck at its top (the explorer's answer) would hide the target.
      const bar = stuckAtTop(inner, target);
      if (bar) win.scrollBy({ top: -bar.getBoundingClientRect().bottom });
      frame.dataset.shown = selector;
    } else if (Date.now() - started < READY_WAIT_MS) {
      setTimeout(look, 150);
    }
  };
  look();
}

/** The live page: an iframe of one of the app's pages with its state in the URL. */
function showView(step) {
  const { view } = step;
  const frame = el("iframe", {
    src: view.href,
    title: view.title,
    loading: "lazy",
    class: "learn-frame",
    dataset: { step: step.id },
  });
  if (view.show) frame.addEventListener("load", () => scrollFrameTo(frame, view.show), { once: true });
  byId("learn-frame-holder").replaceChildren(frame);
  byId("learn-try").textContent = view.try;
  const full = byId("learn-full-page");
  full.href = view.href;
  full.setAttribute("aria-label", t("Open in a full page: {title}", { title: view.title }));
}

/** The full-page link opens what the frame shows now: the framed pages keep their state in
 * their address, so whatever the learner changed there comes along. */
function followFrame(full) {
  const update = () => {
    const frame = document.querySelector(".learn-frame");
    try {
      const { pathname, search, hash } = frame.contentWindow.location;
      if (pathname !== "blank") full.href = `${pathname}${search}${hash}`;
    } catch {
      // Not loaded yet: the link keeps the step's own address.
    }
  };
  for (const type of ["pointerdown", "focus", "mouseenter"]) full.addEventListener(type, update);
}

function showStep(page, index, { focus }) {
  const step = STEPS[index];
  page.current = index;
  document.body.dataset.step = step.id;
  document.title = t("{title} · Learn · ConvLens", { title: step.title });
  byId("learn-count").textContent = t("Step {number} of {count}", { number: index + 1, count: STEPS.length });
  byId("learn-step-heading").textContent = step.title;
  byId("learn-text").replaceChildren(...step.text.map((text) => el("p", { text })));
  renderQuestion(byId("learn-question"), step.question, {
    prefix: `learn-${step.id}`,
    onRight() {
      page.solved.add(step.id);
      keepSolved(page.solved);
      markStepList(page.list, page.current, page.solved);
    },
  });
  showView(step);
  setNavLink(byId("learn-previous"), index - 1, {
    text: () => t("← Previous"),
    label: (title) => t("Previous step: {title}", { title }),
  });
  setNavLink(byId("learn-next"), index + 1, { text: (title) => t("Next: {title} →", { title }) });
  markStepList(page.list, index, page.solved);
  if (focus) byId("learn-step-heading").focus();
}

function start() {
  const page = { current: 0, solved: readSolved(), list: byId("learn-step-list") };
  followFrame(byId("learn-full-page"));
  // Arrow keys walk the step list, as in a toolbar; Enter opens the focused step.
  buildStepList(page.list, (event, index) => {
    const to = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1 }[event.key];
    const link = to === undefined ? null : page.list.querySelectorAll("a")[to];
    if (!link) return;
    event.preventDefault();
    link.focus();
  });
  const wanted = stepFromAddress();
  // ?step=3 becomes #stride-padding: one address for each step.
  if (wanted !== null && !location.hash) {
    history.replaceState(null, "", `${location.pathname}#${STEPS[wanted].id}`);
  }
  showStep(page, wanted ?? 0, { focus: false });
  // Another step's hash (the step list, Previous/Next, Back): show it. Other hashes, such as the
  // skip link's #main, leave the step as it is.
  window.addEventListener("hashchange", () => {
    const index = stepIndex(decodeURIComponent(location.hash.slice(1)));
    if (index >= 0 && index !== page.current) showStep(page, index, { focus: true });
  });
  document.body.dataset.ready = "true";
}

start();
