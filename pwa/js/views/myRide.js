// The worker's way to work on Today: the confirmed ride (pickup point, time, driver, car, a call
// button), "Vraag een rit" for an upcoming shift, and "Gebruik mijn locatie" for the home.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { clock, dayName } from "../dates.js";
import { t } from "../i18n.js";
import { fetchOrCopy } from "../offline.js";
import { alertArea, announce, button, linkButton, runAction, section } from "../ui.js";
import { myPosition, pickupLine } from "./rides.js";

function dialable(phone) {
  return (phone || "").replace(/[^\d+]/g, "");
}

/** A ride card. For a cancelled ride, `advice` is what to do instead, as the server says it (the
 *  same sentence as the notice the worker got: "Neem bus 1: vertrek thuis om 07:52."). */
export function rideCard(ride, advice = "") {
  if (ride.status === "cancelled") {
    return h(
      "article",
      { class: "card ride-card" },
      h("h3", { text: t("myRide.cancelledTitle", { day: dayName(ride.day) }) }),
      h("p", { text: t("myRide.cancelledText", { name: ride.driverFirstName, reason: ride.cancelReason }) }),
      advice
        ? h("p", { class: "ride-advice" }, icon("route"), h("strong", { text: ` ${advice}` }))
        : h("p", { class: "muted", text: t("myRide.callCoach") }),
    );
  }
  const number = dialable(ride.driverPhone);
  return h(
    "article",
    { class: "card ride-card" },
    h("h3", { text: t("myRide.title", { day: dayName(ride.day) }) }),
    h("p", { class: "ride-time" }, icon("clock"), h("span", { text: ` ${t("myRide.pickup", { name: ride.driverFirstName, time: clock(ride.pickupAt) })}` })),
    pickupLine(ride.pickup),
    ride.carDescription && h("p", null, h("span", { text: t("myRide.car", { car: ride.carDescription }) })),
    number &&
      h("div", { class: "actions" }, linkButton(t("myRide.call", { name: ride.driverFirstName }), "phone", `tel:${number}`, { kind: "primary" })),
  );
}

function askButtons(shifts, requests, refresh) {
  const asked = new Set(requests.filter((r) => r.status !== "cancelled").map((r) => r.itemId));
  const open = shifts.filter((s) => !asked.has(s.id)).slice(0, 3);
  if (!open.length) return null;
  const alert = alertArea();
  return h(
    "div",
    null,
    alert,
    h(
      "div",
      { class: "actions" },
      open.map((s) =>
        button(t("myRide.ask", { day: dayName(s.localDate), time: s.localStart }), "route", () =>
          runAction(alert, async () => {
            const [req] = await api.post("/api/ride-requests", { itemId: s.id });
            announce(req.status === "unmatched" ? t("myRide.noMatch") : t("myRide.asked"));
            refresh();
          }),
        ),
      ),
    ),
  );
}

function locationButton(hasHome, refresh) {
  const alert = alertArea();
  return h(
    "div",
    null,
    !hasHome && h("p", { text: t("myRide.homeMissing") }),
    alert,
    button(t("location.useHome"), "home", () =>
      runAction(alert, async () => {
        const pos = await myPosition();
        await api.put("/api/me/home", pos);
        announce(t("location.homeSaved"));
        refresh();
      }), { kind: hasHome ? "secondary" : "primary" }),
  );
}

/** For the cancelled rides among `rides`: the advice per ride id, from the way-to-work answer (the
 *  same computation as the notice), and the earliest time one of them names (to redraw after it). */
async function adviceFor(rides) {
  if (!rides.some((r) => r.status === "cancelled")) return { advice: new Map(), staleAt: null };
  const advice = new Map();
  let staleAt = null;
  try {
    const { data } = await fetchOrCopy("/api/me/commute", "commute");
    for (const item of data.items) {
      if (!item.cancelledRide) continue;
      advice.set(item.cancelledRide.id, item.advice);
      if (item.leaveHomeAt && (!staleAt || item.leaveHomeAt < staleAt)) staleAt = item.leaveHomeAt;
    }
  } catch {
    // No advice known: the card says "call your coach".
  }
  return { advice, staleAt };
}

/** "Naar het werk" on the worker's Today. Offline: the rides last seen, without the buttons. */
export async function myRideSection(refresh) {
  let rides, requests, home, shifts;
  try {
    ({ data: rides } = await fetchOrCopy("/api/me/rides", "rides"));
    [requests, home, shifts] = await Promise.all([
      api.get("/api/ride-requests"),
      api.get("/api/me/home"),
      api.get("/api/schedule/mine"),
    ]);
  } catch {
    if (!rides) return null;
    const cards = rides.filter((r) => r.status === "confirmed" || r.status === "cancelled").slice(0, 3);
    const { advice } = await adviceFor(cards);
    return cards.length ? section(t("myRide.section"), cards.map((r) => rideCard(r, advice.get(r.id)))) : null;
  }
  const now = new Date();
  const soon = rides.filter((r) => r.status === "confirmed" || r.status === "cancelled").slice(0, 3);
  const upcoming = shifts.filter((s) => s.kind === "shift" && !s.cancelled && new Date(s.startsAt) > now);
  const hasHome = home.latitude != null;
  const { advice, staleAt } = await adviceFor(soon);
  const node = section(
    t("myRide.section"),
    soon.length ? soon.map((r) => rideCard(r, advice.get(r.id))) : h("p", { class: "muted", text: t("myRide.none") }),
    hasHome && askButtons(upcoming, requests, refresh),
    locationButton(hasHome, refresh),
  );
  // The advice names a time to leave: once it has passed, the app draws Today again (app.js).
  if (staleAt) node.dataset.staleAt = staleAt;
  return node;
}
