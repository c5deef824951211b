// Werkmaat boots here: register the service worker, load the language, find out who is signed in,
// then show the screen that fits the route and the person's role.
//
// Only the shell is imported here; every screen is loaded when it is first opened (`import()` in
// ROUTES), so a worker's phone downloads the worker's screens and never a coach's or an admin's.
// The server reads ROUTES to know each role's screens (backend/shell.py): keep one
// `import("./views/...")` per screen inside its role's block.

import { api, ApiError } from "./api.js";
import { h, icon } from "./dom.js";
import { chosenLanguage, currentLanguage, markChosen, setLanguage, storedLanguage, t, usePart } from "./i18n.js";
import { clearCopies, readCopy, saveCopy } from "./offline.js";
import { startOutbox } from "./outbox.js";
import { announce, button, heading, loading } from "./ui.js";
import { refreshUnread, setUnread, unreadCounter, watchInbox } from "./unread.js";

// ---- routes -------------------------------------------------------------------------------------
// Hash routes: "#/home", "#/people/<id>", "#/settings". The path part of the address stays "/", so
// the server and the service worker only ever see one page. (Here rather than in a module of their
// own: nothing else needs them, and a phone's first start loads one file less.)

/** The current route path, e.g. "/people/42" ("/" when there is none). */
function currentPath() {
  // A query after the route ("#/caseload?flagged=true") is for the view, not for matching.
  const hash = location.hash.replace(/^#/, "").split("?")[0];
  return hash.startsWith("/") ? hash : "/";
}

/** Find the first pattern ("/people/:id") that fits the path; returns [value, params] or null. */
function match(table, path) {
  const parts = path.split("/").filter(Boolean);
  for (const [pattern, value] of table) {
    const want = pattern.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    const fits = want.every((piece, i) => {
      if (piece.startsWith(":")) {
        params[piece.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return piece === parts[i];
    });
    if (fits) return [value, params];
  }
  return null;
}

/** Go to a route. Going to the route we are on re-renders it (hashchange would not fire). */
function navigate(path, { replace = false } = {}) {
  const target = `#${path}`;
  if (location.hash === target) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else if (replace) {
    history.replaceState(null, "", `${location.pathname === "/welkom" ? "/" : location.pathname}${location.search}${target}`);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = target;
  }
}

function onRouteChange(listener) {
  window.addEventListener("hashchange", () => {
    // In-page anchors such as the skip link ("#main") are not routes.
    if (location.hash && !location.hash.startsWith("#/")) return;
    listener();
  });
}

/** A screen loaded on first use: `screen(() => import("./views/x.js"), "xView")`; `.load` starts
 *  loading it early (at a cold start, while the catalogue is on its way). */
function screen(load, name) {
  const show = async (ctx) => (await load())[name](ctx);
  show.load = load;
  return show;
}

// Which screens each role has. Order matters: "/people/new" before "/people/:id".
// The worker's and buddy's home get the "Meldingen aanzetten" card after them (see withPushCard).
const ROUTES = {
  worker: [
    ["/home", screen(() => import("./views/worker.js"), "workerHome")],
    ["/settings", screen(() => import("./views/settings.js"), "settingsView")],
    ["/inbox", screen(() => import("./views/inbox.js"), "inboxView")],
    ["/inbox/:id", screen(() => import("./views/inbox.js"), "inboxView")],
    ["/week", screen(() => import("./views/week.js"), "weekView")],
    ["/week/:offset", screen(() => import("./views/week.js"), "weekView")],
    ["/sick", screen(() => import("./views/report.js"), "sickView")],
    ["/late", screen(() => import("./views/report.js"), "lateView")],
    ["/commute", screen(() => import("./views/commute.js"), "commuteView")],
    ["/progress", screen(() => import("./views/progress.js"), "progressView")],
  ],
  buddy: [
    ["/home", screen(() => import("./views/buddy.js"), "buddyHome")],
    ["/settings", screen(() => import("./views/settings.js"), "settingsView")],
    ["/inbox", screen(() => import("./views/inbox.js"), "inboxView")],
    ["/inbox/:id", screen(() => import("./views/inbox.js"), "inboxView")],
    ["/rides", screen(() => import("./views/rides.js"), "ridesView")],
    ["/rides/offers/new", screen(() => import("./views/rides.js"), "offerFormView")],
    ["/rides/offers/:id", screen(() => import("./views/rides.js"), "offerFormView")],
  ],
  coach: [
    ["/home", screen(() => import("./views/coach.js"), "coachHome")],
    ["/reminders", screen(() => import("./views/reminders.js"), "remindersView")],
    ["/inbox", screen(() => import("./views/inbox.js"), "inboxView")],
    ["/inbox/:id", screen(() => import("./views/inbox.js"), "inboxView")],
    ["/home/all", screen(() => import("./views/coach.js").then((m) => ({ all: (ctx) => m.coachHome({ ...ctx, all: true }) })), "all")],
    ["/plan", screen(() => import("./views/plan.js"), "planView")],
    ["/plan/:workerId", screen(() => import("./views/plan.js"), "planView")],
    ["/groups", screen(() => import("./views/groups.js"), "groupsView")],
    ["/people/new", screen(() => import("./views/personForm.js"), "personForm")],
    ["/people/:id", screen(() => import("./views/person.js"), "personDetail")],
    ["/people/:id/edit", screen(() => import("./views/personForm.js"), "personForm")],
    ["/settings", screen(() => import("./views/settings.js"), "settingsView")],
    ["/mobility", screen(() => import("./views/mobility.js"), "overviewView")],
    ["/mobility/:date", screen(() => import("./views/mobility.js"), "overviewView")],
    ["/caseload", screen(() => import("./views/caseload.js"), "caseloadView")],
    ["/worker/:id", screen(() => import("./views/workerFile.js"), "workerFileView")],
    ["/report", screen(() => import("./views/impact.js"), "impactView")],
  ],
  admin: [
    ["/home", screen(() => import("./views/admin.js"), "adminHome")],
    ["/organisations/:id", screen(() => import("./views/admin.js"), "organisationView")],
    ["/organisations/:id/phrases", screen(() => import("./views/phrases.js"), "phrasesView")],
    ["/people/:id", screen(() => import("./views/person.js"), "personDetail")],
    ["/settings", screen(() => import("./views/settings.js"), "settingsView")],
    ["/inbox", screen(() => import("./views/inbox.js"), "inboxView")],
    ["/inbox/:id", screen(() => import("./views/inbox.js"), "inboxView")],
    ["/caseload", screen(() => import("./views/caseload.js"), "caseloadView")],
    ["/worker/:id", screen(() => import("./views/workerFile.js"), "workerFileView")],
    ["/templates/:id", screen(() => import("./views/templates.js"), "templatesView")],
    ["/report", screen(() => import("./views/impact.js"), "impactView")],
    ["/audit", screen(() => import("./views/audit.js"), "auditView")],
  ],
};
const SIGNED_OUT = [
  ["/login", screen(() => import("./views/signin.js"), "loginView")],
  ["/", screen(() => import("./views/signin.js"), "codeView")],
];
// A password reset link works whether or not someone is signed in on this browser.
const RESET = [
  ["/reset", screen(() => import("./views/reset.js"), "resetView")],
  ["/reset/:token", screen(() => import("./views/reset.js"), "resetView")],
];
const HOME_WITH_PUSH_CARD = new Set(["worker", "buddy", "coach"]);

// `today`: the last answer of /api/me/today ({ data, offline, savedAt, cached, at }).
// `words`: the catalogue part being loaded (a promise; rendering waits for it).
const state = { me: null, flash: null, renders: 0, first: true, today: null, typed: false, words: null };

// ---- who is signed in ----------------------------------------------------------------------------

/** A worker's own details are kept on the phone, for opening the app without a connection;
 *  their offline actions (check-in, sick, late) are sent for them only. */
function setMe(me) {
  const before = state.me && state.me.role;
  state.me = me;
  const worker = me && me.role === "worker";
  if (worker) saveCopy("me", me);
  startOutbox(worker ? me.id : null);
  if (me && me.role !== before) keepRoleScreens(me.role);
}

// ---- the worker's Home: one answer -----------------------------------------------------------------
// The Home draws from /api/me/today alone (who I am, today, the next item, the ride, the unread count).
// The last answer is kept (offline.js, copy "today"): a warm start draws it before asking anything,
// then asks and draws again, quietly.

function useToday(answer) {
  state.today = answer;
  setUnread(answer.data.unread || 0);
  if (answer.offline || answer.cached) return;
  state.me = answer.data.me;
  saveCopy("me", answer.data.me);
}

/** The Home answer: one fetched for this drawing just before (`unused`, taken once) or the copy
 *  drawn at a warm start, else a new one (the kept copy when there is no connection). */
async function todayAnswer() {
  const kept = state.today;
  if (kept && (kept.cached || kept.unused)) {
    kept.unused = false;
    return kept;
  }
  try {
    const data = await api.get("/api/me/today");
    saveCopy("today", data);
    useToday({ data, offline: false, cached: false, at: Date.now() });
  } catch (error) {
    const copy = error.status === 0 && readCopy("today");
    if (!copy) throw error;
    useToday({ data: copy.data, offline: true, cached: false, savedAt: copy.savedAt, at: Date.now() });
  }
  return state.today;
}

// The week is kept too (copy "mine", what "#/week" shows without a connection): asked again each
// time the Home is drawn (not at its quiet redrawings), after it is on the screen.
function keepWeek() {
  if (!navigator.onLine) return;
  const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 200));
  later(() => api.get("/api/schedule/mine").then((data) => saveCopy("mine", data), () => {}), { timeout: 2000 });
}

/** A new answer for the next drawing of the Home (taken once by todayAnswer). */
async function prefetchToday() {
  state.today = null;
  const answer = await todayAnswer();
  answer.unused = true;
  return answer;
}

/** After drawing from the copy: ask for the current answer and draw the Home again with it. */
async function refreshToday() {
  const shown = state.today && state.today.cached ? printOf(state.today.data) : null;
  try {
    await prefetchToday();
  } catch {
    return; // signed out (api.js tells the app) or a server error: the copy stays on screen
  }
  const home = currentPath() === "/home" && state.me && state.me.role === "worker";
  // The usual warm start: the server's day is the copy that is on the screen. Drawing the Home again
  // would only cost the phone the same work twice (scripts, style and layout). Without a connection
  // it is drawn again: with the banner that says it is the copy.
  if (home && shown !== null && !state.today.offline && shown === printOf(state.today.data)) {
    state.today.unused = false;
    live.print = todayPrint(state.today);
  } else if (home) await render({ quiet: true });
  else if (state.today) state.today.unused = false;
}

// ---- what views can ask of the app ------------------------------------------------------------

const app = {
  navigate,
  refresh: () => {
    state.today = null;
    return render();
  },

  /** After a successful sign-in: the person's own language and words, then their home. A language
   *  tapped on the first screen just before is saved to the person; else the person's stored
   *  language wins (a new phone speaks the language the person chose before). */
  async signIn(me) {
    const chosen = chosenLanguage();
    markChosen(null);
    if (chosen && chosen !== me.language) {
      try {
        me = await api.patch("/api/me", { language: chosen });
      } catch {
        // Not saved (no connection): the person's stored language stays.
      }
    }
    // The words first: the service worker is told to keep the person's language (setMe).
    const words = usePart(me.role, me.language || currentLanguage());
    state.words = words.catch(() => {});
    setMe(me);
    await words;
    history.replaceState(null, "", "/#/home");
    render();
  },

  /** Back to the sign-in screen, with a message (signed out, session ended). */
  signOut(message) {
    setMe(null);
    state.today = null;
    clearCopies();
    state.words = usePart("signedOut").catch(() => {});
    state.flash = message ? { message } : null;
    if (message) announce(message);
    history.replaceState(null, "", "/#/");
    render();
  },

  /** Language buttons: signed in, the choice is saved on the account; else on this device. */
  async chooseLanguage(lang) {
    try {
      if (state.me) setMe(await api.patch("/api/me", { language: lang }));
      else markChosen(lang);
      await setLanguage(lang);
      keepWords();
      await render({ focus: `[data-lang="${lang}"]` });
      announce(t("language.changed"));
    } catch (error) {
      if (error.status !== 401) announce(error.message);
    }
  },
};

// ---- the shell: top bar navigation ------------------------------------------------------------

function renderNav(path) {
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav.label"));
  nav.hidden = !state.me;
  if (!state.me) return nav.replaceChildren();
  const item = (href, iconName, label) =>
    h(
      "li",
      null,
      h("a", { href: `#${href}`, "aria-current": path.startsWith(href) ? "page" : null }, icon(iconName), h("span", { text: label })),
    );
  const inbox = item("/inbox", "inbox", t("inbox.nav"));
  inbox.firstChild.append(unreadCounter());
  nav.replaceChildren(
    h(
      "ul",
      null,
      item("/home", "home", t("nav.home")),
      state.me.role === "coach" && item("/caseload", "users", t("caseload.nav")),
      state.me.role === "coach" && item("/reminders", "bell", t("reminders.nav")),
      ["coach", "admin"].includes(state.me.role) && item("/report", "chart", t("impact.nav")),
      state.me.role === "admin" && item("/audit", "log", t("audit.nav")),
      inbox,
      item("/settings", "settings", t("nav.settings")),
    ),
  );
  // The worker's Home answer holds the count; elsewhere the inbox is asked (at most every 30 s).
  if (!(state.me.role === "worker" && path === "/home")) refreshUnread();
}

// ---- push -----------------------------------------------------------------------------------

/** Whether a home screen may have to ask for notifications (without loading the push code). */
function mayAskForPush() {
  try {
    if (localStorage.getItem("werkmaat.pushLater") === "1") return false;
  } catch {
    // Private mode: ask.
  }
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent) && navigator.standalone !== true;
  return ios || ("Notification" in window && Notification.permission !== "denied");
}

// The card comes once the person has seen their day: a few seconds after the home is drawn.
const PUSH_CARD_AFTER_MS = 3000;

/** The "Meldingen aanzetten" card, after the home screen's first part (`[data-push-card-after]`
 *  when the screen marks where, else its first element); loaded once the screen has been seen. */
async function withPushCard(node, ctx, token) {
  if (!mayAskForPush()) return;
  await new Promise((resolve) => setTimeout(resolve, PUSH_CARD_AFTER_MS));
  if (token !== state.renders || !node.isConnected) return;
  try {
    const { pushHomeCard } = await import("./views/pushSettings.js");
    const card = await pushHomeCard(ctx);
    if (!card || token !== state.renders || !node.isConnected) return;
    const after = node.querySelector("[data-push-card-after]") || node.firstElementChild;
    if (after) after.after(card);
    else node.append(card);
  } catch {
    // No card: push can still be switched on in Settings.
  }
}

/** Once per signed-in person and start: send the push subscription again (js/push.js). */
function renewPushOnce() {
  if (!state.me || state.pushRenewedFor === state.me.id) return;
  state.pushRenewedFor = state.me.id;
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  import("./push.js")
    .then(({ renewPush }) => renewPush())
    .catch(() => {
      // The next start tries again.
    });
}

// ---- rendering a route ------------------------------------------------------------------------

function notFound() {
  return h("div", { class: "stack" }, heading(t("notFound.title")), h("p", { text: t("notFound.text") }), h("a", { class: "btn btn-primary", href: "#/home" }, icon("home"), h("span", { text: t("nav.home") })));
}

function errorScreen(error, retry) {
  return h(
    "div",
    { class: "stack" },
    heading(t("error.title")),
    h("div", { class: "alert", role: "alert" }, icon("alert"), h("p", { text: error.message })),
    button(t("common.retry"), "refresh", retry, { kind: "primary" }),
  );
}

/** Show the screen for the current route; a later call wins over a slower earlier one.
 *  `quiet`: the same screen drawn again with fresh data (see "an open screen stays current"):
 *  no loading state, the scroll position and focus stay where they are. */
async function render({ focus, quiet = false } = {}) {
  const token = ++state.renders;
  if (state.words) await state.words; // the words of this role (a cold start loads them meanwhile)
  if (token !== state.renders) return;
  const main = document.getElementById("main");
  const path = currentPath();
  if (state.me && path === "/") return navigate("/home", { replace: true });
  renderNav(path);
  renewPushOnce();

  let view = notFound;
  let params = {};
  const found = match(RESET, path) || (state.me ? match(ROUTES[state.me.role] || [], path) : match(SIGNED_OUT, path));
  if (found) [view, params] = found;
  else if (!state.me) [view] = match(SIGNED_OUT, "/");

  const context = { ...app, me: state.me, params, flash: state.flash };
  state.flash = null;
  main.setAttribute("aria-busy", "true");
  // Only show "loading" when it takes a moment, so fast screens do not flicker.
  const slow = setTimeout(() => !quiet && token === state.renders && main.replaceChildren(loading()), 200);
  let node;
  try {
    if (state.me && state.me.role === "worker" && path === "/home") context.today = await todayAnswer();
    node = await view(context);
  } catch (error) {
    node = error.status === 401 ? null : errorScreen(error, () => app.refresh());
  }
  clearTimeout(slow);
  if (token !== state.renders || !node) return;

  const scrolled = window.scrollY;
  main.replaceChildren(node);
  main.removeAttribute("aria-busy");
  const title = main.querySelector("h1");
  document.title = title ? `${title.textContent} – Werkmaat` : "Werkmaat";
  if (state.me && path === "/home" && HOME_WITH_PUSH_CARD.has(state.me.role)) withPushCard(node, context, token);
  if (!quiet) {
    state.typed = false;
    noteLiveBaseline();
    if (state.me && state.me.role === "worker" && path === "/home") keepWeek();
  }
  if (quiet) {
    window.scrollTo(0, scrolled);
    return;
  }
  window.scrollTo(0, 0);
  // After navigation, screen-reader and keyboard users start at the new heading.
  const target = (focus && main.querySelector(focus)) || (!state.first && title);
  if (target) target.focus();
  state.first = false;
}

// ---- an open screen stays current ---------------------------------------------------------------
// A worker's Home and "Hoe geraak ik op het werk?" change when a buddy cancels, or when a bus they
// name has left. While one of them is open it is checked every minute, when the app comes back into
// view and when a push arrives: one small request (the Home answer, or the worker's rides). The
// screen is drawn again, quietly, when that changed or a time to leave it shows (`data-stale-at`)
// has passed.

const LIVE_ROUTES = new Set(["/home", "/commute"]);
const LIVE_EVERY_MS = 60_000;
const live = { print: null, busy: false };

function onLiveScreen() {
  return Boolean(state.me && state.me.role === "worker" && LIVE_ROUTES.has(currentPath()));
}

/** What the Home answer says, without its clock (which changes at every ask). */
function todayPrint(answer) {
  if (!answer || answer.offline || answer.cached) return null;
  return printOf(answer.data);
}

function printOf(data) {
  const { now, ...rest } = data;
  return JSON.stringify(rest);
}

async function livePrint(path) {
  if (path === "/home") return todayPrint(await prefetchToday());
  const rides = await api.get("/api/me/rides");
  return JSON.stringify(rides.map((r) => [r.id, r.status, r.pickupAt]));
}

/** At each (not quiet) drawing of a live screen: what it is now, to compare with later. The Home
 *  just drew from the answer, so that is the baseline; "Hoe geraak ik" asks the rides. */
function noteLiveBaseline() {
  live.print = null;
  if (!onLiveScreen()) return;
  const path = currentPath();
  if (path === "/home") {
    live.print = todayPrint(state.today);
    return;
  }
  if (!navigator.onLine) return;
  livePrint(path)
    .then((print) => {
      if (currentPath() === path && live.print === null) live.print = print;
    })
    .catch(() => {
      // Offline or signed out: the next check starts again.
    });
}

async function checkLiveScreen() {
  if (!onLiveScreen() || live.busy || document.visibilityState === "hidden" || !navigator.onLine) return;
  live.busy = true;
  try {
    const path = currentPath();
    const marked = [...document.querySelectorAll("#main [data-stale-at]")].map((el) => Date.parse(el.dataset.staleAt));
    const passed = marked.some((at) => at <= Date.now());
    const print = await livePrint(path);
    const changed = live.print !== null && print !== live.print;
    live.print = print;
    if ((changed || passed) && currentPath() === path) {
      await render({ quiet: true });
      announce(t("live.updated"));
    } else if (state.today) state.today.unused = false; // an answer for a drawing that did not happen
  } catch {
    // Offline or signed out: the next check tries again.
  } finally {
    live.busy = false;
  }
}

function watchLiveScreens() {
  setInterval(checkLiveScreen, LIVE_EVERY_MS);
  window.addEventListener("focus", checkLiveScreen);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") checkLiveScreen();
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if ((event.data || {}).type === "werkmaat:push") checkLiveScreen();
    });
  }
}

// ---- updates: the service worker -------------------------------------------------------------------
// /sw.js changes whenever a file of the app changes (backend/shell.py). A new version waits; it takes
// over when the app starts (nothing typed yet: the page reloads at once) or when the person taps the
// "Nieuwe versie: tik om te vernieuwen" bar. Never by itself in the middle of a form. The outbox
// (IndexedDB) is not touched by an update.

const updates = { reloading: false, bar: null, registered: "" };
updates.known = new Promise((resolve) => {
  updates.knowWho = resolve;
});

/** The service worker's address, naming the role whose screens it keeps and the one language whose
 *  words it keeps (never all of them: see backend/shell.py). */
function workerUrl() {
  const role = state.me ? state.me.role : "";
  updates.registered = role;
  const query = new URLSearchParams(role ? { role, lang: currentLanguage() } : { lang: currentLanguage() });
  return `/sw.js?${query}`;
}

function activate(worker) {
  updates.reloading = true;
  worker.postMessage({ type: "werkmaat:activate" });
}

function updateBar(worker) {
  if (updates.bar) return;
  const bar = h(
    "div",
    { class: "update-bar", role: "status" },
    h(
      "button",
      { type: "button", class: "btn btn-primary btn-block", "data-update": true, onclick: () => activate(worker) },
      icon("refresh"),
      h("span", { text: t("update.available") }),
    ),
  );
  updates.bar = bar;
  document.body.append(bar);
}

/** A waiting version: at start (nothing typed, no form open) it takes over at once; else the bar. */
function offerUpdate(worker, starting) {
  if (!navigator.serviceWorker.controller) return; // the first install: nothing to replace
  if (starting && !state.typed && !document.querySelector("#main form [data-dirty]")) activate(worker);
  else updateBar(worker);
}

function watchUpdates() {
  if (!("serviceWorker" in navigator)) return;
  document.addEventListener("input", () => {
    state.typed = true;
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (updates.reloading) location.reload();
  });
  const register = () =>
    navigator.serviceWorker.register(workerUrl(), { scope: "/" }).then((registration) => {
      if (registration.waiting) offerUpdate(registration.waiting, true);
      registration.addEventListener("updatefound", () => {
        const worker = registration.installing;
        if (!worker) return;
        worker.addEventListener("statechange", () => {
          if (worker.state === "installed") offerUpdate(worker, false);
        });
      });
    });
  // After the page has loaded and it is known who is signed in (the role's screens are kept at
  // install), so that installing never competes with the first screen.
  const start = () =>
    // Once the words are loaded too: the worker keeps the language the page is in.
    updates.known.then(() => state.words).then(register).catch(() => {
      // Without it the app still works online; nothing to tell the user.
    });
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start, { once: true });
}

/** Once someone is signed in: let the service worker keep that role's screens for offline use
 *  (after the first screen is drawn, so it never competes with it). The first registration names
 *  the role already; this covers a person of another role signing in later. */
function keepRoleScreens(role) {
  if (!("serviceWorker" in navigator)) return;
  updates.knowWho();
  const ask = () =>
    Promise.resolve(state.words).then(() => navigator.serviceWorker.ready).then((registration) => {
      if (registration.active) registration.active.postMessage({ type: "werkmaat:role", role, lang: currentLanguage() });
    });
  const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 300));
  later(() => ask().catch(() => {}), { timeout: 1000 });
}

/** After a language change: let the service worker keep that language's words too (the page's own
 *  fetch of them is kept already when it goes through the worker; this covers the signed-out part). */
function keepWords() {
  if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return;
  navigator.serviceWorker.controller.postMessage({ type: "werkmaat:role", role: state.me ? state.me.role : "", lang: currentLanguage() });
}

// ---- boot ---------------------------------------------------------------------------------------

/** "/welkom#<token>": the invite link from an SMS or QR code. */
function takeInviteToken() {
  if (location.pathname !== "/welkom") return null;
  const token = location.hash.replace(/^#/, "");
  // The secret leaves the address bar (and the history) before anything else happens.
  history.replaceState(null, "", "/");
  return token && !token.startsWith("/") ? decodeURIComponent(token) : null;
}

async function boot() {
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    // The skip link must not change the hash: that is the router's.
    event.preventDefault();
    document.getElementById("main").focus();
  });
  window.addEventListener("werkmaat:unauthorized", () => {
    if (state.me) app.signOut(t("signin.sessionEnded"));
  });

  onRouteChange(() => render());
  watchInbox();
  watchLiveScreens();
  watchUpdates();

  const token = takeInviteToken();
  if (token) {
    await usePart("signedOut", storedLanguage());
    try {
      await app.signIn(await api.post("/api/auth/invite", { token }));
    } catch (error) {
      state.flash = { error };
      updates.knowWho();
      render();
    }
    return;
  }

  // A worker's warm start: who they are and their day as last seen, drawn before asking anything;
  // then the current answer replaces it (refreshToday).
  const me = readCopy("me");
  if (me && me.data && me.data.role === "worker") {
    const path = currentPath();
    const day = (path === "/" || path === "/home") && readCopy("today");
    await usePart("worker", me.data.language || storedLanguage());
    setMe(me.data);
    if (day) useToday({ data: day.data, offline: false, cached: true, savedAt: day.savedAt, at: Date.now() });
    await render();
    // The Home asks its own answer (which says who I am); any other screen asks /api/me.
    if (day) await refreshToday();
    else if (currentPath() !== "/home") refreshMe();
    return;
  }

  // Anyone else: ask who is signed in. The start answer says who I am and my unread count for every
  // role, and for a worker their day too (one request). Then the words of that role, while the
  // first screen's code loads.
  let data = null;
  try {
    data = await api.get("/api/me/today");
  } catch (error) {
    await usePart("signedOut", storedLanguage());
    if (error.status !== 401) {
      document.getElementById("main").replaceChildren(errorScreen(error.status === 0 ? new ApiError(0, null) : error, () => location.reload()));
      return;
    }
  }
  if (data) {
    if (data.me.role === "worker") {
      saveCopy("today", data);
      useToday({ data, offline: false, cached: false, unused: true, at: Date.now() });
    } else setUnread(data.unread);
    setMe(data.me);
    state.words = usePart(data.me.role, data.me.language || storedLanguage()).catch(() => {});
    const found = match(ROUTES[data.me.role] || [], currentPath() === "/" ? "/home" : currentPath());
    if (found && found[0].load) found[0].load().catch(() => {});
  }
  updates.knowWho(); // signed out (or already resolved by setMe)
  render();
}

/** A warm start on another screen than the Home: who I am, asked after drawing. */
async function refreshMe() {
  try {
    const me = await api.get("/api/me");
    const language = state.me && state.me.language;
    setMe(me);
    if (me.language && me.language !== language) {
      await setLanguage(me.language);
      keepWords();
      await render({ quiet: true });
    }
  } catch {
    // Offline: the copy stays; signed out: api.js tells the app.
  }
}

boot().catch((error) => {
  // Even the language could not load: say so in both languages, without the catalogue.
  document.getElementById("main").replaceChildren(
    h("h1", { text: "Er ging iets mis. / Something went wrong." }),
    h("p", null, h("a", { href: "/", text: "Probeer opnieuw / Try again" })),
  );
  console.error(error);
});
