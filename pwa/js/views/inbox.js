// The inbox ("Berichten"): every reminder and message that came for me, with or without push.
// Opening one marks it read; "OK" tells the coach I saw it. Also the unread count in the menu.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { alertArea, announce, button, heading, runAction } from "../ui.js";

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
  el.replaceChildren(h("span", { "aria-hidden": "true", text: unread > 99 ? "99+" : String(unread) }), h("span", { class: "sr-only", text: t("inbox.unreadCount", { count: unread }) }));
}

function setUnread(count) {
  unread = Math.max(0, count);
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

function entryItem(entry, { open }) {
  const bodyId = `inbox-body-${entry.id}`;
  const alert = alertArea();
  const fresh = h("span", { class: "inbox-new" }, icon("bell"), h("span", { text: t("inbox.new") }));
  const toggle = h(
    "button",
    { type: "button", class: "inbox-toggle", "aria-expanded": "false", "aria-controls": bodyId },
    h("span", { class: "inbox-title", text: entry.title }),
    h(
      "span",
      { class: "inbox-meta" },
      entry.readAt ? null : fresh,
      entry.urgent && h("span", { class: "inbox-urgent" }, icon("alert"), h("span", { text: t("inbox.urgent") })),
      h("span", { class: "muted", text: formatDateTime(entry.dueAt) }),
    ),
  );
  const done = () => h("p", { class: "state-line", tabindex: "-1" }, icon("check"), h("span", { text: t("inbox.acknowledged") }));
  const ackArea = h("div", { class: "inbox-ack" });
  const ok = button(t("inbox.ok"), "check", () =>
    runAction(alert, async () => {
      await api.post(`/api/inbox/${encodeURIComponent(entry.id)}/ack`);
      entry.acknowledgedAt = new Date().toISOString();
      markedRead();
      const line = done();
      ackArea.replaceChildren(line);
      line.focus();
      announce(t("inbox.acknowledged"));
    }), { kind: "primary", extra: h("span", { class: "sr-only", text: ` – ${entry.title}` }) });
  ackArea.append(entry.acknowledgedAt ? done() : ok);

  // The reminder points somewhere else in the app (today's schedule, a person): a link there.
  const elsewhere = entry.url && !/#\/inbox/.test(entry.url) && entry.url.startsWith("/");
  const body = h(
    "div",
    { id: bodyId, class: "inbox-body", hidden: true },
    entry.body && h("p", { class: "inbox-text", text: entry.body }),
    elsewhere && h("a", { href: entry.url, text: t("inbox.openLink") }),
    alert,
    ackArea,
  );
  const item = h("li", { class: "card inbox-entry", "data-unread": entry.readAt ? null : "true" }, h("h2", null, toggle), body);

  function markedRead() {
    if (entry.readAt) return;
    entry.readAt = new Date().toISOString();
    fresh.remove();
    item.removeAttribute("data-unread");
    setUnread(unread - 1);
  }

  function show(expanded) {
    toggle.setAttribute("aria-expanded", String(expanded));
    body.hidden = !expanded;
    if (expanded && !entry.readAt) {
      api.post(`/api/inbox/${encodeURIComponent(entry.id)}/read`).then(markedRead, () => {});
    }
  }
  toggle.addEventListener("click", () => show(toggle.getAttribute("aria-expanded") !== "true"));
  if (open) show(true);
  return item;
}

/** "#/inbox", or "#/inbox/<id>" from a tapped notification: that message opened. */
export async function inboxView({ params }) {
  const entries = await api.get("/api/inbox?limit=100");
  setUnread(entries.filter((e) => !e.readAt).length);
  countedAt = Date.now();
  const items = entries.map((entry) => entryItem(entry, { open: entry.id === params.id }));
  const view = h(
    "div",
    { class: "stack" },
    heading(t("inbox.title")),
    h("p", { class: "lead", text: entries.length ? t("inbox.intro") : t("inbox.empty") }),
    entries.length > 0 && h("ul", { class: "plain-list stack inbox-list" }, items),
  );
  if (params.id) {
    // After the screen is in place: bring the opened message into view, with focus on it.
    const opened = items.find((item) => item.querySelector(`#inbox-body-${CSS.escape(params.id)}`));
    if (opened) setTimeout(() => opened.querySelector(".inbox-toggle").focus(), 0);
  }
  return view;
}
