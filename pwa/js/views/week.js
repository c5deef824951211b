// The worker's schedule: one card per item (kind, title, day and time, place with a route link,
// what to bring, whom to ask, the note, "Afgelast", "Ziek gemeld"), "Ik ben er" on today's items,
// today on the home screen and the whole week on "#/week". The next item is always on top.
//
// An item the worker is excused from (a sick report for that day, also one still waiting in the
// outbox, or excused by the coach) is shown as such, without "Ik ben er" and not as the next item.

import { addDays, clock, dayName, shortDay, today } from "../dates.js";
import { append, h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { fetchOrCopy, offlineBanner, outboxPanel, patchCopy, whileShown } from "../offline.js";
import { onOutbox, pending, queue } from "../outbox.js";
import { readAloudButton } from "../readAloud.js";
import { alertArea, announce, heading, linkButton, notice, showAlert } from "../ui.js";
import { routeHref } from "./worker.js";

/** A phone number fit for a tel: address. */
const dialable = (phone) => (phone || "").replace(/[^\d+]/g, "");

/** Check-in opens this long before the start (the server's rule; it also closes at the end). */
const CHECK_IN_OPENS_MS = 60 * 60 * 1000;

/** The item that matters now: the first one not cancelled, not excused and not over yet. */
export function nextItem(items, now = Date.now()) {
  return items
    .filter((i) => !i.cancelled && !i.absence && new Date(i.endsAt).getTime() > now)
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt))[0];
}

/** On a day's list: items of that local day, and on today's also one still running from the day before
 * (a night shift 22:00-06:00 is "now" at 00:30, not yesterday's). */
function onDayList(items, day, now = Date.now()) {
  const current = day === today(new Date(now));
  return items.filter(
    (i) =>
      i.localDate === day ||
      (current && i.localDate < day && !i.cancelled && new Date(i.startsAt).getTime() <= now && new Date(i.endsAt).getTime() > now),
  );
}

/** Items of one day in time order, with the next one moved to the top. */
function orderDay(items, next) {
  const sorted = [...items].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  return next && sorted.includes(next) ? [next, ...sorted.filter((i) => i !== next)] : sorted;
}

function kindTag(kind) {
  return h("p", { class: `item-kind kind-${kind}` }, icon(kind), h("span", { text: t(`item.kind.${kind}`) }));
}

function placeBlock(place) {
  if (!place || (!place.name && !place.address && place.latitude == null)) return null;
  const label = place.name || place.address;
  return h(
    "div",
    { class: "item-block" },
    icon("route"),
    h(
      "div",
      { class: "item-block-body" },
      h("p", { class: "item-label", text: t("item.where") }),
      place.name && h("p", { class: "item-place", text: place.name }),
      place.address && h("address", { text: place.address }),
      linkButton(t("worker.route"), "route", routeHref({ ...place, street: place.address }), {
        kind: "secondary",
        extra: h("span", { class: "sr-only", text: ` ${t("worker.routeTo", { place: label })}` }),
      }),
    ),
  );
}

function bringBlock(codes) {
  if (!codes || !codes.length) return null;
  return h(
    "div",
    { class: "item-bring" },
    h("p", { class: "item-label", text: t("bring.title") }),
    h(
      "ul",
      { class: "bring-list" },
      codes.map((code) => h("li", null, icon(code), h("span", { text: t(`bring.${code}`) }))),
    ),
  );
}

function contactBlock(item) {
  if (!item.contactName && !item.contactPhone) return null;
  const number = dialable(item.contactPhone);
  return h(
    "div",
    { class: "item-block" },
    icon("user"),
    h(
      "div",
      { class: "item-block-body" },
      h("p", { class: "item-label", text: t("item.askFor") }),
      item.contactName && h("p", { text: item.contactName }),
      number &&
        linkButton(t("contact.call"), "phone", `tel:${number}`, {
          kind: "secondary",
          extra: h("span", { class: "sr-only", text: ` ${item.contactName || item.contactPhone}` }),
        }),
    ),
  );
}

// ---- "Ik ben er" ----------------------------------------------------------------------------------

/** "Je bent ingecheckt om 07:58: op tijd." (or "te laat"), from the server's answer. */
function checkedInText(attendance) {
  const key = { present: "checkin.onTime", late: "checkin.late" }[attendance.status] || "checkin.done";
  return t(key, { time: clock(attendance.checkedInAt) });
}

function checkedIn(attendance) {
  return notice(checkedInText(attendance));
}

/** Put a check-in into the kept schedule too, so the offline copy does not offer it again. */
function remember(itemId, attendance) {
  const update = (items) => items.map((i) => (i.id === itemId ? { ...i, attendance: [attendance] } : i));
  patchCopy("mine", update);
}

function waitingCheckIn() {
  return h("div", { class: "notice notice-wait" }, icon("wait"), h("p", { text: t("checkin.waiting") }));
}

/** Show the result of a waiting check-in when the outbox sends it later. */
function followCheckIn(area, id, itemId) {
  const stop = onOutbox((change) => {
    if (change.id !== id) return;
    if (change.state === "sent") {
      area.replaceChildren(checkedIn(change.data));
      remember(itemId, change.data);
    }
    else if (change.state === "failed") area.replaceChildren(notice(change.message));
    if (change.state === "sent" || change.state === "failed") stop();
  });
  whileShown(area, stop);
}

function checkInArea(item, waitingId) {
  const mine = (item.attendance || [])[0];
  const area = h("div", { class: "checkin" });
  if (mine && mine.checkedInAt) {
    area.append(checkedIn(mine));
    return area;
  }
  if (waitingId) {
    area.append(waitingCheckIn());
    followCheckIn(area, waitingId, item.id);
    return area;
  }
  const alert = alertArea();
  const press = async () => {
    if (alert.dataset.busy) return;
    alert.dataset.busy = "1";
    showAlert(alert, null);
    try {
      const result = await queue({
        kind: "checkIn",
        path: `/api/schedule/items/${encodeURIComponent(item.id)}/check-in`,
        itemId: item.id,
        label: item.title,
        timed: true,
      });
      if (result.state === "sent") {
        area.replaceChildren(checkedIn(result.data));
        remember(item.id, result.data);
        announce(checkedInText(result.data));
      } else {
        area.replaceChildren(waitingCheckIn());
        followCheckIn(area, result.id, item.id);
        announce(t("checkin.waiting"));
      }
    } catch (error) {
      if (error.status !== 401) showAlert(alert, error);
    } finally {
      delete alert.dataset.busy;
    }
  };
  return append(area, [
    alert,
    h(
      "button",
      { type: "button", class: "btn btn-primary btn-block btn-big", onclick: press },
      icon("check"),
      h("span", { text: t("checkin.button") }),
      h("span", { class: "sr-only", text: ` ${item.title}` }),
    ),
  ]);
}

// ---- one item -------------------------------------------------------------------------------------

/**
 * The card of one item. `tag` names it "Nu bezig" or "Hierna" when it is the next one;
 * `checkIns` maps item ids to waiting check-in actions.
 */
export function itemCard(item, { tag = "", checkIns = new Map(), headingTag = "h3", showDay = true } = {}) {
  const off = item.cancelled || Boolean(item.absence);
  return h(
    "article",
    { class: `card item${off ? " item-cancelled" : ""}${tag ? " item-next" : ""}`, "data-item": item.id },
    h("div", { class: "item-top" }, kindTag(item.kind), tag && h("p", { class: "item-tag", text: tag })),
    h(headingTag, { class: "item-title", text: item.title }),
    item.cancelled && h("p", { class: "item-off" }, icon("cancel"), h("span", { text: t("item.cancelled") })),
    !item.cancelled &&
      item.absence &&
      h("p", { class: "item-off" }, icon("sick"), h("span", { text: t(`item.absence.${item.absence}`) })),
    h(
      "p",
      { class: "item-when" },
      icon("clock"),
      h("span", {
        text: [showDay && dayName(item.localDate), t("item.time", { start: item.localStart, end: item.localEnd })].filter(Boolean).join(" · "),
      }),
    ),
    !off && placeBlock(item.place),
    !off && bringBlock(item.bring),
    !off && contactBlock(item),
    !off && item.note && h("p", { class: "item-note" }, h("span", { class: "item-label", text: `${t("item.note")} ` }), item.note),
    canCheckIn(item) && checkInArea(item, checkIns.get(item.id)),
  );
}

/**
 * "Ik ben er" is offered on today's items until they end, and on an item from another day while its
 * check-in is open (a night shift that began yesterday, one at 00:30 from 23:30). Before check-in
 * opens, a tap gets the server's answer saying from when it can.
 */
function canCheckIn(item, now = Date.now()) {
  if (item.cancelled || item.absence || item.virtual) return false;
  const start = new Date(item.startsAt).getTime();
  const end = new Date(item.endsAt).getTime();
  if (now > end) return false;
  return item.localDate === today() || now >= start - CHECK_IN_OPENS_MS;
}

/**
 * What waits in the outbox, so a screen drawn again matches it: check-ins by item id (no second
 * "Ik ben er") and the days of sick reports not sent yet.
 */
async function waiting() {
  const checkIns = new Map();
  const sickDays = new Set();
  for (const entry of await pending()) {
    if (entry.state !== "waiting") continue;
    if (entry.kind === "checkIn") checkIns.set(entry.itemId, entry.id);
    if (entry.kind === "sick" && entry.body && entry.body.firstDay) {
      const last = entry.body.lastDay || entry.body.firstDay;
      for (let day = entry.body.firstDay; day <= last; day = addDays(day, 1)) sickDays.add(day);
    }
  }
  return { checkIns, sickDays };
}

/** Items with the days of waiting sick reports marked as such (what the server will say once sent). */
function withWaitingSickDays(items, sickDays) {
  if (!sickDays.size) return items;
  const checkedIn = (item) => (item.attendance || []).some((a) => a.checkedInAt);
  return items.map((item) =>
    !item.absence && !item.cancelled && sickDays.has(item.localDate) && !checkedIn(item) ? { ...item, absence: "sick" } : item,
  );
}

function tagFor(item) {
  return new Date(item.startsAt).getTime() <= Date.now() ? t("week.now") : t("week.next");
}

// ---- today, on the worker's home -------------------------------------------------------------------

/** The "#today" block of the worker's home: today's items, the next one first. */
export async function todayBlock(allItems) {
  const { checkIns, sickDays } = await waiting();
  const items = withWaitingSickDays(allItems, sickDays);
  const day = today();
  const next = nextItem(items);
  const todays = orderDay(onDayList(items, day), next);
  const cards = todays.map((item) => itemCard(item, { tag: item === next ? tagFor(item) : "", checkIns }));
  const later = next && !todays.includes(next);
  return h(
    "div",
    { id: "today", class: "stack" },
    !todays.length && h("p", { class: "lead", text: t("week.nothingToday") }),
    cards,
    later && h("p", { class: "item-label", text: t("week.comingUp") }),
    later && itemCard(next, { tag: t("week.next"), checkIns }),
  );
}

/** Load the schedule for the home screen: { block, banner }; the copy when offline. */
export async function todayOnHome(refresh) {
  const { data, offline, savedAt } = await fetchOrCopy("/api/schedule/mine", "mine");
  return { block: await todayBlock(data), banner: offline && offlineBanner(savedAt, refresh) };
}

/** The buttons every worker screen offers: sick, late and the week. */
export function workerActions({ week = true } = {}) {
  return h(
    "div",
    { class: "actions" },
    linkButton(t("report.sickButton"), "sick", "#/sick"),
    linkButton(t("report.lateButton"), "clock", "#/late"),
    week && linkButton(t("week.open"), "calendar", "#/week"),
  );
}

// ---- this week ------------------------------------------------------------------------------------

const MAX_WEEKS_AHEAD = 8;

/** "#/week" (today and the next six days) and "#/week/1", "#/week/2", ... further on. */
export async function weekView(ctx) {
  const offset = Math.min(Math.max(parseInt(ctx.params.offset || "0", 10) || 0, 0), MAX_WEEKS_AHEAD);
  const first = addDays(today(), offset * 7);
  const last = addDays(first, 6);
  const path = offset ? `/api/schedule/mine?from=${first}&to=${last}` : "/api/schedule/mine";
  const { data, offline, savedAt } = await fetchOrCopy(path, offset ? `week.${offset}` : "mine");
  const { checkIns, sickDays } = await waiting();
  const items = withWaitingSickDays(data, sickDays);
  const next = offset === 0 ? nextItem(items) : null;

  const days = [];
  for (let i = 0; i < 7; i += 1) {
    const day = addDays(first, i);
    const onDay = orderDay(onDayList(items, day), next);
    const title = dayName(day);
    days.push(
      h(
        "section",
        { class: "section day" },
        h("h2", { text: title }),
        onDay.length
          ? onDay.map((item) => itemCard(item, { tag: item === next ? tagFor(item) : "", checkIns, showDay: false }))
          : h("p", { class: "muted", text: t("week.free") }),
      ),
    );
  }

  const content = h("div", { class: "stack" });
  return append(content, [
    linkButton(t("common.back"), "back", "#/home", { kind: "plain" }),
    heading(t("week.title")),
    readAloudButton(() => content),
    h("p", { class: "lead", text: t("week.range", { first: shortDay(first), last: shortDay(last) }) }),
    offline && offlineBanner(savedAt, () => ctx.refresh()),
    outboxPanel(),
    days,
    h(
      "div",
      { class: "actions", "data-no-read": true },
      offset > 0 && linkButton(t("week.previous"), "back", offset === 1 ? "#/week" : `#/week/${offset - 1}`),
      offset < MAX_WEEKS_AHEAD && linkButton(t("week.following"), "calendar", `#/week/${offset + 1}`),
    ),
  ]);
}
