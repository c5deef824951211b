// Werkmaat service worker.
//
// What it does, in short:
// - keeps a copy of the app shell (HTML, CSS, JavaScript, catalogues, icons) so the app opens
//   fast on a slow connection;
// - shows a friendly offline page when a page cannot load;
// - never stores answers from the API: they hold personal data (and the API says no-store).

// Bump this whenever any file in SHELL changes: a new name makes every phone fetch the new files
// and throw the old copy away.
const VERSION = "v1";
const CACHE = `werkmaat-shell-${VERSION}`;

// The app shell: everything needed to draw the app, nothing personal.
const SHELL = [
  "/",
  "/offline.html",
  "/manifest.webmanifest",
  "/css/app.css",
  "/js/app.js",
  "/js/api.js",
  "/js/dom.js",
  "/js/form.js",
  "/js/i18n.js",
  "/js/router.js",
  "/js/ui.js",
  "/js/views/admin.js",
  "/js/views/buddy.js",
  "/js/views/coach.js",
  "/js/views/devices.js",
  "/js/views/invite.js",
  "/js/views/person.js",
  "/js/views/personForm.js",
  "/js/views/settings.js",
  "/js/views/signin.js",
  "/js/views/worker.js",
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

  // Opening a page ("/", "/welkom#..."): network first so people get the newest version;
  // without a connection, the offline page.
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/offline.html")));
    return;
  }

  // Shell files: the stored copy first (fast, no data used), else the network.
  event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
});
