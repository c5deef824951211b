// The inbox ("Berichten"): every reminder and message that came for me, with or without push.
// Opening one marks it read; "OK" tells the coach I saw it.
// On a worker's or buddy's phone the last list seen is kept: offline it is shown with the banner.
// "Lees voor" reads the messages themselves (the coach's own words), not the buttons.

import { api } from "../api.js";
import { dateTime } from "../dates.js";
import { h, icon } from "../dom.js";
import { currentLanguage, direction, t } from "../i18n.js";
import { fetchOrCopy, offlineBanner, patchCopy } from "../offline.js";
import { alertArea, announce, button, heading, readAloudLazy, runAction } from "../ui.js";
import { quickReplies } from "./quickReplies.js";
// The menu's counter is the shell's (unread.js); this screen sets it from the list it shows.
import { setUnread, unreadCount } from "../unread.js";

const COPY = "inbox";

/** Keep a change to one message in the kept copy too (read, acknowledged). */
function rememberEntry(entry) {
  patchCopy(COPY, (entries) =>
    entries.map((e) => (e.id === entry.id ? { ...e, readAt: entry.readAt, acknowledgedAt: entry.acknowledgedAt, reply: entry.reply || null } : e)),
  );
}

/** `lang` and `dir` for a text written in another language than the screen's (a coach's Dutch on
 *  an Arabic phone), so it is read aloud and laid out as that language. */
function languageOf(lang) {
  return lang && lang !== currentLanguage() ? { lang, dir: direction(lang) } : {};
}

function entryItem(entry, { open, replies = false }) {
  const bodyId = `inbox-body-${entry.id}`;
  const alert = alertArea();
  const fresh = h("span", { class: "inbox-new" }, icon("bell"), h("span", { text: t("inbox.new") }));
  const toggle = h(
    "button",
    { type: "button", class: "inbox-toggle", "aria-expanded": "false", "aria-controls": bodyId },
    h("span", { class: "inbox-title", ...languageOf(entry.titleLanguage), text: entry.title }),
    h(
      "span",
      { class: "inbox-meta" },
      entry.readAt ? null : fresh,
      entry.urgent && h("span", { class: "inbox-urgent" }, icon("alert"), h("span", { text: t("inbox.urgent") })),
      h("span", { class: "muted", text: dateTime(entry.dueAt) }),
    ),
  );
  const done = () => h("p", { class: "state-line", tabindex: "-1" }, icon("check"), h("span", { text: t("inbox.acknowledged") }));
  const ackArea = h("div", { class: "inbox-ack" });
  const ok = button(t("inbox.ok"), "check", () =>
    runAction(alert, async () => {
      await api.post(`/api/inbox/${encodeURIComponent(entry.id)}/ack`);
      entry.acknowledgedAt = new Date().toISOString();
      markedRead();
      rememberEntry(entry);
      const line = done();
      ackArea.replaceChildren(line);
      line.focus();
      announce(t("inbox.acknowledged"));
    }), { kind: "primary", extra: h("span", { class: "sr-only", text: ` – ${entry.title}` }) });
  // A worker answers with the quick replies (quickReplies.js); others keep the one OK button.
  const answered = () => {
    markedRead();
    if (entry.reply === "ok" && !entry.acknowledgedAt) entry.acknowledgedAt = new Date().toISOString();
    rememberEntry(entry);
  };
  ackArea.append(replies ? quickReplies(entry, { onReply: answered }) : entry.acknowledgedAt ? done() : ok);

  // The reminder points somewhere else in the app (today's schedule, a person): a link there.
  const elsewhere = entry.url && !/#\/inbox/.test(entry.url) && entry.url.startsWith("/");
  const body = h(
    "div",
    { id: bodyId, class: "inbox-body", hidden: true },
    entry.body && h("p", { class: "inbox-text", ...languageOf(entry.bodyLanguage), text: entry.body }),
    // "Written in Dutch" in the reader's language: why this text is not in their language.
    entry.mark && h("p", { class: "inbox-mark" }, icon("globe"), h("span", { text: entry.mark })),
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
    setUnread(unreadCount() - 1);
    rememberEntry(entry);
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
  item.isOpen = () => toggle.getAttribute("aria-expanded") === "true";
  return item;
}

/** What "Lees voor" says: the opened messages, else the new ones, else the latest few. */
function inboxSentences(entries, items, { messageSentences }) {
  const opened = entries.filter((_, i) => items[i].isOpen());
  const fresh = entries.filter((e) => !e.readAt);
  const chosen = opened.length ? opened : fresh.length ? fresh : entries.slice(0, 3);
  if (!chosen.length) return [t("inbox.empty")];
  const intro = opened.length ? [] : [fresh.length ? t("say.inboxNew", { count: fresh.length }) : t("say.inboxLatest")];
  return [...intro, ...chosen.flatMap(messageSentences)];
}

/** "#/inbox", or "#/inbox/<id>" from a tapped notification: that message opened. */
export async function inboxView({ params, me, refresh }) {
  // Phones keep the last list (workers and buddies); a coach's laptop keeps nothing.
  const keep = me && (me.role === "worker" || me.role === "buddy");
  const answer = keep ? await fetchOrCopy("/api/inbox?limit=100", COPY) : { data: await api.get("/api/inbox?limit=100") };
  const entries = answer.data;
  setUnread(entries.filter((e) => !e.readAt).length);
  const replies = Boolean(me && me.role === "worker");
  const items = entries.map((entry) => entryItem(entry, { open: entry.id === params.id, replies }));
  const view = h(
    "div",
    { class: "stack" },
    heading(t("inbox.title")),
    entries.length > 0 && readAloudLazy((say) => inboxSentences(entries, items, say)),
    answer.offline && offlineBanner(answer.savedAt, refresh),
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
