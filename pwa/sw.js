// Werkmaat service worker.
//
// What it does, in short:
// - keeps a copy of the app shell (HTML, CSS, JavaScript, catalogues, icons) so the app opens
//   fast on a slow connection;
// - opens the app itself without a connection ("/", "/welkom"), so a worker sees the schedule
//   the app kept from last time; any other page that cannot load gets the offline page;
// - never stores answers from the API: they hold personal data (and the API says no-store).

// Bump this whenever any file in SHELL changes: a new name makes every phone fetch the new files
// and throw the old copy away.
const VERSION = "v10";
const CACHE = `werkmaat-shell-${VERSION}`;

// The app shell: everything needed to draw the app, nothing personal.
const SHELL = [
  "/",
  "/offline.html",
  "/manifest.webmanifest",
  "/css/app.css",
  "/js/app.js",
  "/js/api.js",
  "/js/dates.js",
  "/js/dom.js",
  "/js/form.js",
  "/js/i18n.js",
  "/js/offline.js",
  "/js/outbox.js",
  "/js/push.js",
  "/js/readAloud.js",
  "/js/router.js",
  "/js/ui.js",
  "/js/views/admin.js",
  "/js/views/attendance.js",
  "/js/views/buddy.js",
  "/js/views/calendar.js",
  "/js/views/coach.js",
  "/js/views/coachReports.js",
  "/js/views/devices.js",
  "/js/views/inbox.js",
  "/js/views/invite.js",
  "/js/views/person.js",
  "/js/views/personForm.js",
  "/js/views/plan.js",
  "/js/views/groups.js",
  "/js/views/pushSettings.js",
  "/js/views/reminders.js",
  "/js/views/report.js",
  "/js/views/settings.js",
  "/js/views/signin.js",
  "/js/views/week.js",
  "/js/views/commute.js",
  "/js/views/worker.js",
  "/js/views/rides.js",
  "/js/views/myRide.js",
  "/js/views/mobility.js",
  "/js/views/caseload.js",
  "/js/views/progress.js",
  "/js/views/templates.js",
  "/js/views/workerFile.js",
  "/js/views/reset.js",
  "/js/views/impact.js",
  "/js/views/audit.js",
  "/js/charts.js",
  "/i18n/nl.json",
  "/i18n/en.json",
  "/icons/icon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-512.png",
  "/icons/refresh.svg",
];

// Install: fetch the whole shell into a new cache. `cache: "reload"` skips the browser's HTTP
// cache so the copy is really the current one. If one file fails, the install fails and the
// old worker stays in charge; nothing is left half done.
self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

// Activate: delete the caches of older versions, then take control of the open pages at once.
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

// Fetch: decide per request where the answer comes from.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);

  // Only our own GET requests; everything else goes to the network untouched.
  if (request.method !== "GET" || url.origin !== self.location.origin) return;

  // The API: always the network, never a stored copy (personal data, and it must be fresh).
  if (url.pathname.startsWith("/api/") || url.pathname === "/health") return;

  // Opening a page: network first so people get the newest version. Without a connection the
  // app's own pages ("/", "/?bron=pwa", "/welkom#...") get the stored app shell: the app then
  // shows what it kept from last time. Any other page gets the offline page.
  if (request.mode === "navigate") {
    const appPage = url.pathname === "/" || url.pathname === "/welkom";
    event.respondWith(
      fetch(request).catch(() =>
        (appPage ? caches.match("/") : Promise.resolve(undefined)).then((shell) => shell || caches.match("/offline.html")),
      ),
    );
    return;
  }

  // Shell files: the stored copy first (fast, no data used), else the network.
  event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
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
