// Werkmaat service worker.
//
// What it does, in short:
// - keeps a copy of the app shell (HTML, CSS, JavaScript, catalogues, icons) so the app opens
//   fast on a slow connection;
// - opens the app itself from that copy ("/", "/welkom"), with or without a connection, so a
//   worker sees the day the app kept from last time at once; any other page that cannot load gets
//   the offline page;
// - updates itself when any shell file changed (see BUILD), without interrupting anyone;
// - never stores answers from the API: they hold personal data (and the API says no-store).

// What to keep, filled in by the server when it serves this file (backend/shell.py), from the shell's
// files themselves: `version` is a hash of their content, so any change to the shell gives a new
// service worker; `core` is what every start needs; `roles` lists each role's screens. The line
// below is what this file holds on disk (a copy served without the server keeps nothing).
const BUILD = {"version":"dev","core":[],"roles":{},"languages":[]};
const CACHE = `werkmaat-shell-${BUILD.version}`;
// Files of the shell that may be kept when first fetched (a screen of another role, say).
const SHELL_PATH = /^\/(js|css|i18n|icons|catalogue)\//;

/** Requests for the browser's own cache check (ETag): a file the page just loaded costs a 304. */
function shellRequests(urls) {
  return urls.map((url) => new Request(url, { cache: "no-cache" }));
}

// Install: fetch the core of the shell into this version's cache. If one file fails, the install
// fails and the old worker stays in charge; nothing is left half done. A new version waits: it takes
// over when the app next starts, or when the person taps "Nieuwe versie" (never in the middle of a
// form). The very first one has nobody to wait for and takes over at once.
// The page registers this worker with the signed-in person's role and the language of the device
// ("/sw.js?role=worker&lang=ar"): that role's screens and the words of that one language are kept
// before it takes control, so the phone can go offline at once. Only one language: what a phone
// keeps does not grow with the number of languages of the app.
const SCRIPT_URL = new URL(self.location.href);
const ROLE = SCRIPT_URL.searchParams.get("role") || "";
const LANG = SCRIPT_URL.searchParams.get("lang") || "";

/** The catalogue parts of one language for one role (the signed-out part too: the sign-in screen). */
function wordsOf(lang, role) {
  if (!BUILD.languages.includes(lang)) return [];
  const parts = ["signedOut", ...(BUILD.roles[role] ? [role] : [])];
  return parts.map((part) => `/catalogue/${lang}/${part}.json`);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(shellRequests([...BUILD.core, ...(BUILD.roles[ROLE] || []), ...wordsOf(LANG, ROLE)])))
      .then(() => self.registration.active || self.skipWaiting()),
  );
});

// Activate: delete the caches of older versions, then take control of the open pages. Nothing
// else is touched: the outbox of actions still to send lives in IndexedDB and survives updates.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => name.startsWith("werkmaat-") && name !== CACHE).map((name) => caches.delete(name))),
      )
      .then(() => self.clients.claim()),
  );
});

/** Keep the screens of one role and the words of one language (the page says which, once someone
 *  is signed in or a language is chosen). */
async function keepRole(role, lang) {
  const urls = [...(BUILD.roles[role] || []), ...wordsOf(lang, role)];
  if (!urls.length) return;
  const cache = await caches.open(CACHE);
  const missing = [];
  for (const url of urls) if (!(await cache.match(url))) missing.push(url);
  await cache.addAll(shellRequests(missing));
}

// Messages from the page: "werkmaat:role" (keep that role's screens and that language's words for
// offline use),
// "werkmaat:activate" (the person tapped "Nieuwe versie: tik om te vernieuwen", or the app is just
// starting and nothing was typed yet).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "werkmaat:role" && typeof data.role === "string") {
    event.waitUntil(keepRole(data.role, typeof data.lang === "string" ? data.lang : "").catch(() => {}));
  }
  // Kept alive until the browser has taken it in: a worker stopped right after this event (a busy
  // phone stops idle workers soon) could leave the new version waiting.
  if (data.type === "werkmaat:activate") event.waitUntil(self.skipWaiting());
});

/** The kept copy, else the network (and a shell file fetched so is kept too). */
async function shellFile(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && SHELL_PATH.test(new URL(request.url).pathname)) cache.put(request, response.clone()).catch(() => {});
  return response;
}

// Fetch: decide per request where the answer comes from.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);

  // Only our own GET requests; everything else goes to the network untouched.
  if (request.method !== "GET" || url.origin !== self.location.origin) return;

  // The API: always the network, never a stored copy (personal data, and it must be fresh).
  if (url.pathname.startsWith("/api/") || url.pathname === "/health" || url.pathname.startsWith("/cal/")) return;

  // Opening the app ("/", "/?bron=pwa", "/welkom#..."): the kept page of this version at once, without
  // waiting for the network (a warm start needs no connection); the browser meanwhile checks
  // /sw.js, which is how a new version arrives. Not kept yet: the network, else the offline page.
  if (request.mode === "navigate") {
    const appPage = url.pathname === "/" || url.pathname === "/welkom";
    event.respondWith(
      (appPage ? caches.open(CACHE).then((cache) => cache.match("/")) : Promise.resolve(undefined))
        .then((kept) => kept || fetch(request))
        .catch(() => caches.match("/offline.html")),
    );
    return;
  }

  // Shell files: the kept copy first (fast, no data used), else the network.
  if (SHELL_PATH.test(url.pathname) || url.pathname === "/manifest.webmanifest" || url.pathname === "/offline.html") {
    event.respondWith(shellFile(request));
  }
});

// ==== Push ======================================================================================
// Reminders arrive as Web Push messages holding JSON (see notifications/payload.py):
//   {"title", "body", "tag", "url", "reminderId", "recipientId", "urgent"}
// The page side (subscribing, the permission question) lives in js/push.js.

// Every push must show a notification: browsers punish silent pushes (Safari on iPhone withdraws
// the subscription), so a message we cannot read still says something, in both languages.
const PUSH_FALLBACK = {
  title: "Werkmaat",
  body: "Je hebt een nieuw bericht. / You have a new message.",
};
const PUSH_ICON = "/icons/icon-192.png";
// Android shows the badge as a white silhouette in the status bar.
const PUSH_BADGE = "/icons/badge-96.png";

/** The message as an object; {} when there is no data or it is not JSON. */
function readPush(event) {
  try {
    const data = event.data ? event.data.json() : null;
    return data && typeof data === "object" && !Array.isArray(data) ? data : {};
  } catch {
    return {};
  }
}

/** A non-empty string, or "". */
function pushText(value) {
  return typeof value === "string" && value.trim() ? value : "";
}

/** Only addresses inside the app: a message can never send someone to another site. */
function appUrl(url) {
  try {
    const target = new URL(url || "/#/inbox", self.location.origin);
    if (target.origin === self.location.origin) return target.href;
  } catch {
    // Not a URL at all: the inbox below.
  }
  return new URL("/#/inbox", self.location.origin).href;
}

/** Tell open Werkmaat pages (for example: "a push came in, count the unread messages again"). */
async function tellPages(message) {
  const windows = await self.clients.matchAll({ type: "window" });
  for (const client of windows) client.postMessage(message);
}

// Push: show it. The tag makes a newer message about the same thing replace the older one;
// urgent ones (renotify) buzz again even when they replace one.
self.addEventListener("push", (event) => {
  const data = readPush(event);
  const title = pushText(data.title) || PUSH_FALLBACK.title;
  const body = pushText(data.body) || (pushText(data.title) ? "" : PUSH_FALLBACK.body);
  const urgent = data.urgent === true;
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(title, {
        body,
        tag: pushText(data.tag) || "werkmaat",
        renotify: urgent,
        icon: PUSH_ICON,
        badge: PUSH_BADGE,
        timestamp: Date.now(),
        data: { url: appUrl(data.url), recipientId: pushText(data.recipientId) },
      }),
      tellPages({ type: "werkmaat:push" }).catch(() => {}),
    ]),
  );
});

/** Bring Werkmaat to the front on `url`: an open window if there is one, else a new one. */
async function openApp(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (!open) return self.clients.openWindow(url);
  // focus() is only allowed right after a tap; without it the window is still navigated.
  const client = await open.focus().catch(() => open);
  try {
    return await client.navigate(url);
  } catch {
    // navigate() only works on pages this worker controls; the page listens for this as well.
    client.postMessage({ type: "werkmaat:navigate", url });
    return client;
  }
}

// Tapping a notification: close it and open the app where the message points.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  let url = appUrl(data.url);
  // A reminder opens on its own message in the inbox, which marks it read there.
  if (data.recipientId && url.endsWith("#/inbox")) url += `/${encodeURIComponent(data.recipientId)}`;
  event.waitUntil(openApp(url));
});

/** Read a value js/push.js stored in IndexedDB (the CSRF token); "" when there is none. */
function storedValue(key) {
  return new Promise((resolve) => {
    const request = indexedDB.open("werkmaat-push", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("values");
    request.onerror = () => resolve("");
    request.onsuccess = () => {
      const db = request.result;
      const get = db.transaction("values").objectStore("values").get(key);
      get.onsuccess = () => resolve(get.result || "");
      get.onerror = () => resolve("");
      get.transaction.oncomplete = () => db.close();
    };
  });
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** Subscribe again with the server's key (when the browser gave no new subscription) and send it. */
async function resubscribe(fresh) {
  let subscription = fresh;
  if (!subscription) {
    const answer = await fetch("/api/push/config", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!answer.ok) throw new Error(`push config: ${answer.status}`);
    const { publicKey } = await answer.json();
    subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  }
  const response = await fetch("/api/push/subscriptions", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": await storedValue("csrf") },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (!response.ok) throw new Error(`subscription not saved: ${response.status}`);
}

// The push service replaced or ended the subscription. If sending the new one fails here
// (signed out, offline), the page sends it on its next start (renewPush in js/push.js).
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(resubscribe(event.newSubscription));
});
