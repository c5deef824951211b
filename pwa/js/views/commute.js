// "Hoe geraak ik op het werk?": for each coming shift, the bus/tram/train options as simple steps
// with icons and words, and when to leave home. Shown from the last answer when offline.
// A confirmed buddy ride comes first; the transit options follow as a fall-back. The trip starts at
// the home the coach set, or the one the worker sets here with "use my location".
// Everything is planned from now (the server's answer): when nothing arrives in time any more it
// says so ("Je bent te laat") with what is still possible; a ride the buddy cancelled is shown with
// the same advice as the notice. Once a time to leave shown here has passed, the app redraws.
// Live data (GTFS-Realtime), when the operator has it: the first bus's delay in words ("Bus 45 heeft
// 6 min vertraging: vertrek om 07:21"), a bus first planned that no longer runs, and the transit
// operator's notices about these lines and stops. A ride's live time is marked "live".
// What a ride asks of the worker beyond getting on and off (the feed's rules, as the server's
// planner.leg_notes says them), each as an icon and words: phone first or ask the driver to get on
// or off there; stay seated where the bus goes on as another line; a bus every N min (no timetable):
// be at the stop by HH:MM.

import { clock, dayName } from "../dates.js";
import { append, h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { api } from "../api.js";
import { fetchOrCopy, offlineBanner } from "../offline.js";
import { readAloudButton } from "../readAloud.js";
import { button, heading, linkButton, notice } from "../ui.js";
import { rideCard } from "./myRide.js";
import { myPosition } from "./rides.js";

const rideIcon = (mode) => (mode === "train" || mode === "metro" ? "train" : mode === "tram" ? "tram" : "bus");

function step(iconName, text) {
  return h("li", { class: "commute-step" }, icon(iconName), h("span", { text }));
}

/** A step that asks something of the worker (phone, ask the driver, stay seated, a headway). */
function note(iconName, kind, text) {
  return h("li", { class: "commute-step commute-note", "data-note": kind }, icon(iconName), h("strong", { text }));
}

// pickup / dropOff of a ride leg: "phone_agency" (phone the transport company first) or "ask_driver".
const ASK = { phone_agency: "phone", ask_driver: "sms" };

/** A journey as steps: walk N min to stop X; bus LINE towards HEADSIGN at HH:MM; get off at Y.
 *  A ride the worker stays seated on replaces "get off" and "take" by "stay seated"; a ride on a
 *  headway has no departure time: "be at the stop by", and the latest time you get off. */
function steps(journey, place) {
  const list = [];
  journey.legs.forEach((leg, i) => {
    if (leg.kind === "walk") {
      const text = leg.toName
        ? t("commute.walkTo", { minutes: leg.minutes, stop: leg.toName })
        : place ? t("commute.walkToPlace", { minutes: leg.minutes, place }) : t("commute.walkToWork", { minutes: leg.minutes });
      list.push(step("walk", text));
      return;
    }
    const mode = t(`commute.mode.${leg.mode || "bus"}`);
    if (leg.staySeated) {
      list.push(note(rideIcon(leg.mode), "staySeated", t("commute.note.staySeated", { mode, line: leg.line })));
    } else {
      if (leg.headwayMinutes) {
        list.push(note("clock", "headway", t("commute.note.headway", {
          mode, minutes: leg.headwayMinutes, time: clock(leg.departure),
        })));
      }
      if (ASK[leg.pickup]) {
        list.push(note(ASK[leg.pickup], `pickup-${leg.pickup}`, t(`commute.note.pickup.${leg.pickup}`, { mode, stop: leg.fromName })));
      }
      const ride = t(leg.headwayMinutes ? "commute.rideHeadway" : "commute.ride", {
        mode, line: leg.line, headsign: leg.headsign || "?", time: clock(leg.departure), stop: leg.fromName,
      });
      list.push(step(rideIcon(leg.mode), leg.live ? `${ride} ${liveNote(leg)}` : ride));
    }
    const next = journey.legs[i + 1];
    if (next && next.kind === "ride" && next.staySeated) return; // the same bus goes on: no getting off
    if (ASK[leg.dropOff]) {
      list.push(note(ASK[leg.dropOff], `dropOff-${leg.dropOff}`, t(`commute.note.dropOff.${leg.dropOff}`, { mode, stop: leg.toName })));
    }
    list.push(step("stopSign", t(leg.headwayMinutes ? "commute.getOffLatest" : "commute.getOff", {
      stop: leg.toName, time: clock(leg.arrival),
    })));
  });
  return h("ol", { class: "commute-steps" }, list);
}

/** "(live: 6 min late, timetable 07:15)" for a ride with live data. */
function liveNote(leg) {
  if (!leg.delayMinutes) return t("commute.liveOnTime");
  return t(leg.delayMinutes > 0 ? "commute.liveLate" : "commute.liveEarly", {
    minutes: Math.abs(leg.delayMinutes), time: clock(leg.plannedDeparture),
  });
}

/** What live data says about this shift: the bus that no longer runs, the delay, the notices. */
function liveInfo(item) {
  return [
    item.disruption ? h("div", { class: "alert commute-disruption" }, icon("alert"), h("p", { text: item.disruption })) : null,
    item.live ? h("p", { class: "commute-live" }, icon("clock"), h("strong", { text: item.live })) : null,
    ...(item.alerts || []).map((a) => h(
      "div",
      { class: "alert commute-notice" },
      icon("bus"),
      h("div", {},
        h("strong", { text: t("commute.operatorNotice", { header: a.header }) }),
        a.description ? h("p", { text: a.description }) : null),
    )),
  ];
}

function option(journey, index, place, late = false) {
  return h(
    "div",
    { class: "commute-option" },
    h("h4", { text: late ? t("commute.stillPossible") : t("commute.option", { n: index + 1 }) }),
    h("p", { class: "commute-leave" }, icon("home"), h("strong", {
      text: t("commute.leaveAt", { time: clock(journey.departure) }),
    })),
    h("p", { class: "muted", text: t("commute.summary", {
      arrival: clock(journey.arrival), transfers: journey.transfers, metres: journey.walkMetres,
    }) }),
    steps(journey, place),
  );
}

function itemCard(item) {
  return h(
    "article",
    { class: "card commute-item" },
    h("h3", { text: item.title }),
    h("p", { class: "lead", text: t("commute.when", {
      day: dayName(item.localDate), time: item.localStart, place: item.placeName || "",
    }) }),
    item.ride && rideCard(item.ride),
    item.cancelledRide && rideCard(item.cancelledRide, item.advice),
    item.late && h("div", { class: "alert commute-late" }, icon("alert"), h("p", { text: item.message })),
    ...liveInfo(item),
    item.ride && item.journeys.length > 0 && h("h4", { text: t("commute.orTransit") }),
    item.journeys.length
      ? item.journeys.map((journey, i) => option(journey, i, item.placeName, item.late))
      // Without a start point the screen says so once, above the shifts; "late" said it above.
      : !item.late && item.problem !== "transit_home_unknown" && notice(item.message || t("commute.none")),
  );
}

/** The first departure the screen shows: once it has passed, the screen is drawn again. */
function firstLeave(items) {
  const times = items.flatMap((item) => item.journeys.map((j) => j.departure));
  return times.length ? times.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : null;
}

function useLocationButton(ctx) {
  const status = h("p", { class: "muted", role: "status" });
  const run = () => {
    if (!navigator.geolocation) {
      status.textContent = t("commute.noLocation");
      return;
    }
    status.textContent = t("commute.locating");
    // The position becomes the home on the server (private: a buddy only sees a pickup point).
    myPosition()
      .then((pos) => api.put("/api/me/home", pos))
      .then(() => ctx.refresh())
      .catch(() => { status.textContent = t("commute.noLocation"); });
  };
  return h("div", { class: "actions" }, button(t("commute.useLocation"), "route", run, { kind: "primary" }), status);
}

/** "#/commute". */
export async function commuteView(ctx) {
  const { data, offline, savedAt } = await fetchOrCopy("/api/me/commute", "commute");
  const content = h("div", { class: "stack" });
  const staleAt = !offline && firstLeave(data.items);
  if (staleAt) content.dataset.staleAt = staleAt;
  return append(content, [
    linkButton(t("common.back"), "back", "#/home", { kind: "plain" }),
    heading(t("commute.title")),
    readAloudButton(() => content),
    offline && offlineBanner(savedAt, () => ctx.refresh()),
    !data.homeKnown && notice(data.message || t("commute.homeUnknown")),
    !data.homeKnown && !offline && useLocationButton(ctx),
    data.items.length ? data.items.map(itemCard) : h("p", { class: "muted", text: t("commute.noShifts") }),
  ]);
}

/** The link on the worker's home screen. */
export function commuteLink() {
  return linkButton(t("commute.open"), "route", "#/commute");
}
