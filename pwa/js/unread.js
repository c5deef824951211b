// The unread count in the menu's "Berichten" link and on the app icon. Part of the shell (every
// screen has the menu), so the inbox screen itself loads only when opened. The worker's Home answer
// (/api/me/today) carries the count; other screens ask the inbox at most every 30 seconds.

import { api } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

let unread = 0;
let countedAt = 0;

/** The counter inside the menu's "Berichten" link: a number on screen, words for screen readers. */
export function unreadCounter() {
  const el = h("span", { class: "count", "data-inbox-count": true });
  paintCounter(el);
  return el;
}

function paintCounter(el) {
  el.hidden = unread === 0;
  el.replaceChildren(
    h("span", { "aria-hidden": "true", text: unread > 99 ? "99+" : String(unread) }),
    h("span", { class: "sr-only", text: t("inbox.unreadCount", { count: unread }) }),
  );
}

/** The current count, as the menu shows it. */
export function unreadCount() {
  return unread;
}

/** Set the count (from an answer that holds it, or after opening a message). */
export function setUnread(count) {
  unread = Math.max(0, count);
  countedAt = Date.now();
  for (const el of document.querySelectorAll("[data-inbox-count]")) paintCounter(el);
  // The number on the app icon too, where the system has one (installed app).
  if ("setAppBadge" in navigator) (unread ? navigator.setAppBadge(unread) : navigator.clearAppBadge()).catch(() => {});
}

/** Ask the server how many are unread; at most every 30 seconds unless `force`. */
export async function refreshUnread(force = false) {
  if (!force && Date.now() - countedAt < 30000) return;
  countedAt = Date.now();
  try {
    setUnread((await api.get("/api/inbox?unread=true&limit=200")).length);
  } catch {
    // Offline or signed out: the old number stays.
  }
}

/** Messages from the service worker: a push came in (count again), or a tapped notification. */
export function watchInbox() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "werkmaat:push") refreshUnread(true);
    if (data.type === "werkmaat:navigate" && typeof data.url === "string") {
      const url = new URL(data.url, location.origin);
      if (url.origin === location.origin) location.assign(url.href);
    }
  });
}
