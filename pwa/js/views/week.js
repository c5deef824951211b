// The worker's schedule. Home shows the next item with its one main action ("Ik ben er", or
// "Vertrek om 07:15"), today's finished items folded into one line ("Gedaan: werk 08:00-16:00 ✓")
// and today's other items as short rows. "#/week" is a compact list per day (time, pictogram, title,
// place; "Meer" opens what to bring, whom to ask, the route and the note).
//
// An item the worker is excused from (a sick report for that day, also one still waiting in the
// outbox, or excused by the coach) is shown as such, without "Ik ben er" and not as the next item.

import { addDays, clock, dayName, shortDay, today } from "../dates.js";
import { append, h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { fetchOrCopy, offlineBanner, outboxPanel, patchCopy, whileShown } from "../offline.js";
import { onOutbox, pending, queue } from "../outbox.js";
import { alertArea, announce, heading, linkButton, notice, readAloudLazy, showAlert } from "../ui.js";
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
        kind: "plain",
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
          kind: "plain",
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

// ---- one item ----------------------------------------------------------------------------------

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

// ---- short rows: the week, and today's other items on Home ------------------------------------------

/** What an item is about, beyond its row: where (with the route), what to bring, whom to ask, the
 *  note, and "Ik ben er" when it can be used. */
function itemDetails(item, checkIns) {
  const off = item.cancelled || Boolean(item.absence);
  return [
    !off && placeBlock(item.place),
    !off && bringBlock(item.bring),
    !off && contactBlock(item),
    !off && item.note && h("p", { class: "item-note" }, h("span", { class: "item-label", text: `${t("item.note")} ` }), h("bdi", { text: item.note })),
    // "Ik ben er" in a row only once its check-in is open (the next item carries it before that).
    canCheckIn(item) && checkInOpen(item) && checkInArea(item, checkIns.get(item.id)),
  ];
}

let rowCount = 0;

/**
 * One item as a short row: time, pictogram and kind, title, place, its state ("Afgelast", "Ziek
 * gemeld", "Nu bezig"); "Meer" shows the rest in place (a disclosure button, so focus stays).
 */
export function itemRow(item, { checkIns = new Map(), tag = "" } = {}) {
  const off = item.cancelled || Boolean(item.absence);
  const bodyId = `item-more-${(rowCount += 1)}`;
  const more = h("div", { id: bodyId, class: "item-more", hidden: true });
  const toggle = h(
    "button",
    { type: "button", class: "btn btn-plain item-more-toggle", "aria-expanded": "false", "aria-controls": bodyId },
    icon("eye"),
    h("span", { text: t("week.more") }),
    h("span", { class: "sr-only", text: ` ${item.title}` }),
  );
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    if (open && !more.childElementCount) append(more, itemDetails(item, checkIns));
    toggle.setAttribute("aria-expanded", String(open));
    more.hidden = !open;
  });
  const placeName = !off && item.place && (item.place.name || item.place.address);
  return h(
    "article",
    { class: `item-row${off ? " item-cancelled" : ""}`, "data-item": item.id },
    h(
      "div",
      { class: "item-row-main" },
      h("span", { class: `item-row-icon kind-${item.kind}` }, icon(item.kind)),
      h(
        "div",
        { class: "item-row-text" },
        h("p", { class: "item-row-when" }, h("span", { class: "item-row-time", text: `${item.localStart}-${item.localEnd}` }),
          h("span", { class: "item-row-kind", text: t(`item.kind.${item.kind}`) })),
        h("h3", { class: "item-title", text: item.title }),
        placeName && h("p", { class: "item-row-place", text: placeName }),
        item.cancelled && h("p", { class: "item-off" }, icon("cancel"), h("span", { text: t("item.cancelled") })),
        !item.cancelled && item.absence && h("p", { class: "item-off" }, icon("sick"), h("span", { text: t(`item.absence.${item.absence}`) })),
        tag && h("p", { class: "item-tag", text: tag }),
      ),
    ),
    !off && toggle,
    more,
  );
}

// ---- today, on the worker's home -------------------------------------------------------------------

/** "Gedaan: werk 08:00-16:00 ✓, opleiding 17:00-18:00 ✓". */
export function doneLine(done) {
  if (!done.length) return null;
  const list = done.map((i) => `${t(`item.kind.${i.kind}`).toLowerCase()} ${i.localStart}-${i.localEnd} ✓`).join(", ");
  return h("p", { class: "done-line" }, icon("check"), h("span", { text: t("home.done", { list }) }));
}

/** Check-in opens an hour before the start (the server's rule). */
function checkInOpen(item, now = Date.now()) {
  return now >= new Date(item.startsAt).getTime() - CHECK_IN_OPENS_MS;
}

/** The confirmed ride to this item (same day, a shift), from the worker's rides. */
export function rideFor(item, rides) {
  if (!item || item.kind !== "shift") return null;
  return (rides || []).find((r) => r.status === "confirmed" && r.day === item.localDate) || null;
}

/**
 * The main action of the next item: "Ik ben er" once check-in is open (or today, when no time to
 * leave is known); before that "Vertrek om 07:15" (the bus) or "Bart haalt je op om 07:15", both
 * leading to "Hoe geraak ik op het werk?". `leave` is { at, journey } from the way-to-work answer.
 */
function mainAction(item, { checkIns, ride, leave }) {
  const now = Date.now();
  if (ride && !checkInOpen(item, now) && new Date(ride.pickupAt).getTime() > now) {
    const link = linkButton(t("myRide.pickup", { name: ride.driverFirstName, time: clock(ride.pickupAt) }), "route", "#/commute", {
      kind: "primary",
    });
    link.classList.add("btn-block", "btn-big");
    return h("div", { class: "main-action", "data-stale-at": new Date(new Date(item.startsAt).getTime() - CHECK_IN_OPENS_MS).toISOString() }, link);
  }
  if (leave && leave.at && !checkInOpen(item, now) && new Date(leave.at).getTime() > now) {
    const link = linkButton(t("home.leaveAt", { time: clock(leave.at) }), "home", "#/commute", { kind: "primary" });
    link.classList.add("btn-block", "btn-big");
    // Once it is time to leave, Home is drawn again (app.js) and offers "Ik ben er" when it opens.
    return h("div", { class: "main-action", "data-stale-at": leave.at }, link);
  }
  if (canCheckIn(item)) return checkInArea(item, checkIns.get(item.id));
  return null;
}

/** The next item, big, with its one main action first and then what to bring and whom to ask. */
function nextCard(item, { checkIns, ride, leave, showDay }) {
  const place = item.place || {};
  const label = place.name || place.address;
  return h(
    "article",
    { class: "card item item-next", "data-item": item.id },
    h("div", { class: "item-top" }, kindTag(item.kind), h("p", { class: "item-tag", text: tagFor(item) })),
    h("h3", { class: "item-title", text: item.title }),
    h(
      "p",
      { class: "item-when" },
      icon("clock"),
      h("span", { text: [showDay && dayName(item.localDate), t("item.time", { start: item.localStart, end: item.localEnd })].filter(Boolean).join(" · ") }),
    ),
    label && h("p", { class: "item-where" }, icon("route"), h("span", { text: label })),
    mainAction(item, { checkIns, ride, leave }),
    (place.address || place.latitude != null) && h(
      "div",
      { class: "item-links" },
      linkButton(t("worker.route"), "route", routeHref({ ...place, street: place.address }), {
        kind: "plain",
        extra: h("span", { class: "sr-only", text: ` ${t("worker.routeTo", { place: label })}` }),
      }),
    ),
    bringBlock(item.bring),
    contactBlock(item),
    item.note && h("p", { class: "item-note" }, h("span", { class: "item-label", text: `${t("item.note")} ` }), h("bdi", { text: item.note })),
  );
}

/**
 * What Home shows, from the Home answer (/api/me/today: today's items, each with `done`, and `next`):
 * { next, todays, done, checkIns }, with the waiting outbox entries applied (a sick report not sent
 * yet already excuses its days; a check-in not sent yet shows as waiting).
 */
export async function homeState(data) {
  const { checkIns, sickDays } = await waiting();
  const items = withWaitingSickDays(data.items || [], sickDays);
  let next = data.next ? items.find((i) => i.id === data.next.id) || withWaitingSickDays([data.next], sickDays)[0] : null;
  // Excused meanwhile (a sick report still in the outbox): what else is left of today.
  if (next && (next.absence || next.cancelled)) next = nextItem(items) || null;
  const done = items.filter((i) => i.done && !i.cancelled && !i.absence).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const todays = orderDay(items, next).filter((i) => i !== next && !done.includes(i));
  return { next, todays, done, checkIns };
}

/**
 * The "#today" block of Home: the next item on top with its main action, the finished ones in one
 * line, then today's other items as rows. `ride` and `leave` make the main action "Vertrek om".
 */
export function todayBlock(state, { ride = null, leave = null } = {}) {
  const { next, todays, done, checkIns } = state;
  const nothing = !next && !todays.length;
  return h(
    "div",
    { id: "today", class: "stack" },
    next && nextCard(next, { checkIns, ride, leave, showDay: next.localDate !== today() }),
    nothing && h("p", { class: "lead", text: done.length ? t("home.allDone") : t("week.nothingToday") }),
    doneLine(done),
    todays.length > 0 && h("div", { class: "stack-s" }, todays.map((item) => itemRow(item, { checkIns }))),
  );
}

/** The buttons of the sick and late forms' screens: sick, late and the week. */
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

/** What "Lees voor" says on the week: per day with something planned, what it is. */
function weekSentences(days, { itemSentences }) {
  const lines = [];
  for (const { items } of days) {
    for (const item of items) lines.push(...itemSentences(item, { brief: true }));
  }
  return lines.length ? lines : [t("week.nothingPlanned")];
}

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
    days.push({ day, items: orderDay(onDayList(items, day), next) });
  }
  const list = days.map(({ day, items: onDay }) =>
    h(
      "section",
      { class: `section day${onDay.length ? "" : " day-free"}` },
      h("h2", { text: dayName(day) }),
      onDay.length
        ? h("div", { class: "stack-s" }, onDay.map((item) => itemRow(item, { checkIns, tag: item === next ? tagFor(item) : "" })))
        : h("p", { class: "muted", text: t("week.free") }),
    ),
  );

  return h(
    "div",
    { class: "stack" },
    linkButton(t("common.back"), "back", "#/home", { kind: "plain" }),
    heading(t("week.title")),
    readAloudLazy((say) => weekSentences(days, say)),
    h("p", { class: "lead", text: t("week.range", { first: shortDay(first), last: shortDay(last) }) }),
    offline && offlineBanner(savedAt, () => ctx.refresh()),
    outboxPanel(),
    list,
    h(
      "div",
      { class: "actions", "data-no-read": true },
      offset > 0 && linkButton(t("week.previous"), "back", offset === 1 ? "#/week" : `#/week/${offset - 1}`),
      offset < MAX_WEEKS_AHEAD && linkButton(t("week.following"), "calendar", `#/week/${offset + 1}`),
    ),
  );
}
