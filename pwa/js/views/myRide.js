// The worker's way to work on Home: the ride to the next item (pickup point by name, time, driver,
// car, a call button), "Vraag een rit" for it, and "Gebruik mijn locatie" for the home; drawn from
// the Home answer (/api/me/today). Also the pickup line and the phone's position, shared with the
// buddy's screens (rides.js) and the way to work (commute.js).

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { clock, dayName } from "../dates.js";
import { t } from "../i18n.js";
import { fetchOrCopy } from "../offline.js";
import { alertArea, announce, button, linkButton, runAction, section } from "../ui.js";

/**
 * Where the worker is picked up, by its name ("Kerk Zwartberg") and address; without a name, in
 * words ("bij je thuis"), never as coordinates. The map link stays behind it.
 */
export function pickupLine(pickup, { role = "rider", riderName = "" } = {}) {
  if (!pickup) return null;
  const where = pickup.name || pickup.address || (role === "rider" ? t("rides.pickupHome") : t("rides.pickupNear", { name: riderName }));
  const href = `https://www.google.com/maps/search/?api=1&query=${pickup.latitude},${pickup.longitude}`;
  return h(
    "div",
    { class: "pickup" },
    icon("route"),
    h(
      "div",
      { class: "pickup-body" },
      h("p", null, h("span", { class: "item-label", text: `${t("rides.pickupAt")}: ` }), h("strong", { class: "pickup-name", text: where })),
      pickup.name && pickup.address && h("p", { class: "pickup-address", text: pickup.address }),
      h("a", { class: "btn btn-plain", href }, icon("route"), h("span", { text: t("rides.onMap") }),
        h("span", { class: "sr-only", text: ` ${where}` })),
    ),
  );
}

/** Ask the phone where it is; resolves to {latitude, longitude} or throws a plain message. */
export function myPosition() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) return reject(new Error(t("location.unsupported")));
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ latitude: Math.round(pos.coords.latitude * 1e5) / 1e5, longitude: Math.round(pos.coords.longitude * 1e5) / 1e5 }),
      () => reject(new Error(t("location.denied"))),
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
    );
  });
}

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
    pickupLine(ride.pickup, { role: "rider" }),
    ride.carDescription && h("p", null, h("span", { text: t("myRide.car", { car: ride.carDescription }) })),
    number &&
      h("div", { class: "actions" }, linkButton(t("myRide.call", { name: ride.driverFirstName }), "phone", `tel:${number}`, { kind: "secondary" })),
  );
}

/** "Vraag een rit" for the next shift, when none was asked for it yet (or the last one was cancelled). */
function askButton(next, request, refresh) {
  if (!next || next.kind !== "shift" || next.cancelled || next.absence) return null;
  if (request && request.status !== "cancelled") return null;
  if (new Date(next.startsAt) <= new Date()) return null;
  const alert = alertArea();
  return h(
    "div",
    null,
    alert,
    h(
      "div",
      { class: "actions" },
      button(t("myRide.ask", { day: dayName(next.localDate), time: next.localStart }), "route", () =>
        runAction(alert, async () => {
          const [req] = await api.post("/api/ride-requests", { itemId: next.id });
          announce(req.status === "unmatched" ? t("myRide.noMatch") : t("myRide.asked"));
          refresh();
        }),
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
      }), { kind: "secondary" }),
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

/**
 * "Naar het werk" on the worker's Home, from the Home answer (/api/me/today): the ride to the next
 * item, "Vraag een rit" for it, and "Gebruik mijn locatie". Offline: the ride only, no buttons.
 */
export async function myRideSection(data, refresh, { offline = false } = {}) {
  const ride = data.ride && (data.ride.status === "confirmed" || data.ride.status === "cancelled") ? data.ride : null;
  if (offline) {
    if (!ride) return null;
    const { advice } = await adviceFor([ride]);
    return section(t("myRide.section"), rideCard(ride, advice.get(ride.id)));
  }
  const { advice, staleAt } = await adviceFor(ride ? [ride] : []);
  const node = section(
    t("myRide.section"),
    ride ? rideCard(ride, advice.get(ride.id)) : h("p", { class: "muted", text: t("myRide.none") }),
    data.hasHome && askButton(data.next, data.rideRequest, refresh),
    locationButton(data.hasHome, refresh),
  );
  // The advice names a time to leave: once it has passed, the app draws the Home again (app.js).
  if (staleAt) node.dataset.staleAt = staleAt;
  return node;
}
