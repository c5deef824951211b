// Werkmaat boots here: register the service worker, load the language, ask who is signed in,
// then show the screen that fits the route and the person's role.

import { api } from "./api.js";
import { h, icon } from "./dom.js";
import { currentLanguage, setLanguage, storedLanguage, t } from "./i18n.js";
import { currentPath, match, navigate, onRouteChange } from "./router.js";
import { announce, button, heading, loading } from "./ui.js";
import { adminHome, organisationView } from "./views/admin.js";
import { buddyHome } from "./views/buddy.js";
import { coachHome } from "./views/coach.js";
import { personDetail } from "./views/person.js";
import { personForm } from "./views/personForm.js";
import { renewPush } from "./push.js";
import { inboxView, refreshUnread, unreadCounter, watchInbox } from "./views/inbox.js";
import { pushHomeCard } from "./views/pushSettings.js";
import { remindersView } from "./views/reminders.js";
import { resetView } from "./views/reset.js";
import { settingsView } from "./views/settings.js";
import { codeView, loginView } from "./views/signin.js";
import { workerHome } from "./views/worker.js";
import { clearCopies, readCopy, saveCopy } from "./offline.js";
import { startOutbox } from "./outbox.js";
import { planView } from "./views/plan.js";
import { groupsView } from "./views/groups.js";
import { lateView, sickView } from "./views/report.js";
import { weekView } from "./views/week.js";
import { commuteView } from "./views/commute.js";
import { offerFormView, ridesView } from "./views/rides.js";
import { overviewView } from "./views/mobility.js";
import { caseloadView } from "./views/caseload.js";
import { progressView } from "./views/progress.js";
import { templatesView } from "./views/templates.js";
import { workerFileView } from "./views/workerFile.js";
import { impactView } from "./views/impact.js";
import { auditView } from "./views/audit.js";

// The inbox is there for every role; a tapped notification opens "#/inbox/<id>".
const INBOX = [["/inbox", inboxView], ["/inbox/:id", inboxView]];
// The worker's week, and "Ik ben ziek" / "Ik kom te laat".
const WEEK = [["/week", weekView], ["/week/:offset", weekView], ["/sick", sickView], ["/late", lateView]];

// Which screens each role has. Order matters: "/people/new" before "/people/:id".
const ROUTES = {
  worker: [["/home", withPushCard(workerHome)], ["/settings", settingsView], ...INBOX, ...WEEK,
    ["/commute", commuteView], ["/progress", progressView]],
  buddy: [["/home", withPushCard(buddyHome)], ["/settings", settingsView], ...INBOX,
    ["/rides", ridesView], ["/rides/offers/new", offerFormView], ["/rides/offers/:id", offerFormView]],
  coach: [
    ["/home", withPushCard(coachHome)],
    ["/reminders", remindersView],
    ...INBOX,
    ["/home/all", (ctx) => coachHome({ ...ctx, all: true })],
    ["/plan", planView],
    ["/plan/:workerId", planView],
    ["/groups", groupsView],
    ["/people/new", personForm],
    ["/people/:id", personDetail],
    ["/people/:id/edit", personForm],
    ["/settings", settingsView],
    ["/mobility", overviewView],
    ["/mobility/:date", overviewView],
    ["/caseload", caseloadView],
    ["/worker/:id", workerFileView],
    ["/report", impactView],
  ],
  admin: [
    ["/home", adminHome],
    ["/organisations/:id", organisationView],
    ["/people/:id", personDetail],
    ["/settings", settingsView],
    ...INBOX,
    ["/caseload", caseloadView],
    ["/worker/:id", workerFileView],
    ["/templates/:id", templatesView],
    ["/report", impactView],
    ["/audit", auditView],
  ],
};
const SIGNED_OUT = [["/login", loginView]];
// A password reset link works whether or not someone is signed in on this browser.
const RESET = [["/reset", resetView], ["/reset/:token", resetView]];

const state = { me: null, flash: null, renders: 0, first: true };

// ---- service worker -------------------------------------------------------------------------

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // Without it the app still works online; nothing to tell the user.
    });
  });
}

// ---- who is signed in ----------------------------------------------------------------------------

/** A worker's own details are kept on the phone, for opening the app without a connection;
 *  their offline actions (check-in, sick, late) are sent for them only. */
function setMe(me) {
  state.me = me;
  const worker = me && me.role === "worker";
  if (worker) saveCopy("me", me);
  startOutbox(worker ? me.id : null);
}

// ---- what views can ask of the app ------------------------------------------------------------

const app = {
  navigate,
  refresh: () => render(),

  /** After a successful sign-in: the person's own language, then their home. */
  async signIn(me) {
    setMe(me);
    await setLanguage(me.language || currentLanguage());
    history.replaceState(null, "", "/#/home");
    render();
  },

  /** Back to the sign-in screen, with a message (signed out, session ended). */
  signOut(message) {
    setMe(null);
    clearCopies();
    state.flash = message ? { message } : null;
    if (message) announce(message);
    history.replaceState(null, "", "/#/");
    render();
  },

  /** Language buttons: signed in, the choice is saved on the account; else on this device. */
  async chooseLanguage(lang) {
    try {
      if (state.me) setMe(await api.patch("/api/me", { language: lang }));
      await setLanguage(lang);
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
  refreshUnread();
}

// ---- push -----------------------------------------------------------------------------------

/** A home screen with the "Meldingen aanzetten" card under its title (when there is something to ask). */
function withPushCard(view) {
  return async (ctx) => {
    const [node, card] = await Promise.all([view(ctx), pushHomeCard(ctx).catch(() => null)]);
    if (card && node.firstElementChild) node.firstElementChild.after(card);
    return node;
  };
}

/** Once per signed-in person and start: send the push subscription again (js/push.js). */
function renewPushOnce() {
  if (!state.me || state.pushRenewedFor === state.me.id) return;
  state.pushRenewedFor = state.me.id;
  renewPush().catch(() => {
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
  const main = document.getElementById("main");
  const path = currentPath();
  if (state.me && path === "/") return navigate("/home", { replace: true });
  renderNav(path);
  renewPushOnce();
  if (!quiet) noteLiveBaseline();

  let view = codeView;
  let params = {};
  const found = match(RESET, path) || (state.me ? match(ROUTES[state.me.role] || [], path) : match(SIGNED_OUT, path));
  if (found) [view, params] = found;
  else if (state.me) view = notFound;

  const context = { ...app, me: state.me, params, flash: state.flash };
  state.flash = null;
  main.setAttribute("aria-busy", "true");
  // Only show "loading" when it takes a moment, so fast screens do not flicker.
  const slow = setTimeout(() => !quiet && token === state.renders && main.replaceChildren(loading()), 200);
  let node;
  try {
    node = await view(context);
  } catch (error) {
    node = error.status === 401 ? null : errorScreen(error, () => render());
  }
  clearTimeout(slow);
  if (token !== state.renders || !node) return;

  const scrolled = window.scrollY;
  main.replaceChildren(node);
  main.removeAttribute("aria-busy");
  const title = main.querySelector("h1");
  document.title = title ? `${title.textContent} – Werkmaat` : "Werkmaat";
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
// A worker's Today and "Hoe geraak ik op het werk?" change when a buddy cancels, or when a bus they
// name has left. While one of them is open it is checked every minute, when the app comes back into
// view and when a push arrives: one small request (the worker's rides). The screen is drawn again,
// quietly, when the rides changed or a time to leave it shows (`data-stale-at`) has passed.

const LIVE_ROUTES = new Set(["/home", "/commute"]);
const LIVE_EVERY_MS = 60_000;
const live = { print: null, busy: false };

function onLiveScreen() {
  return Boolean(state.me && state.me.role === "worker" && LIVE_ROUTES.has(currentPath()));
}

async function ridesPrint() {
  const rides = await api.get("/api/me/rides");
  return JSON.stringify(rides.map((r) => [r.id, r.status, r.pickupAt]));
}

/** At each (not quiet) drawing of a live screen: what the rides are now, to compare with later. */
function noteLiveBaseline() {
  live.print = null;
  if (!onLiveScreen() || !navigator.onLine) return;
  const path = currentPath();
  ridesPrint()
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
    const print = await ridesPrint();
    const changed = live.print !== null && print !== live.print;
    live.print = print;
    if ((changed || passed) && currentPath() === path) {
      await render({ quiet: true });
      announce(t("live.updated"));
    }
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

  const token = takeInviteToken();
  await setLanguage(storedLanguage());

  if (token) {
    try {
      await app.signIn(await api.post("/api/auth/invite", { token }));
    } catch (error) {
      state.flash = { error };
      render();
    }
  } else {
    try {
      setMe(await api.get("/api/me"));
      if (state.me.language && state.me.language !== currentLanguage()) await setLanguage(state.me.language);
    } catch (error) {
      // No connection: a worker sees what they saw last (the screens say it is a copy).
      const copy = error.status === 0 && readCopy("me");
      if (copy) {
        setMe(copy.data);
        if (copy.data.language && copy.data.language !== currentLanguage()) await setLanguage(copy.data.language);
      } else if (error.status !== 401) {
        document.getElementById("main").replaceChildren(errorScreen(error, () => location.reload()));
        return;
      }
    }
    render();
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
