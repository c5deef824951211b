// Buddy rides: requests to answer, my rides (done, no-show, cancel with a reason), my offers,
// kilometres per month, my car. Workers see their ride on Today (see myRide.js).

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { clock, dayName, number, today } from "../dates.js";
import { field, form } from "../form.js";
import { locale, t } from "../i18n.js";
import { alertArea, announce, button, confirmButton, heading, linkButton, notice, runAction, section } from "../ui.js";
import { myPosition, pickupLine } from "./myRide.js";

// Kept here too for the screens that took them from the buddy's rides (commute.js).
export { myPosition, pickupLine };

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** The buddy names the pickup point of a confirmed ride ("Bushalte Stalenstraat"), with its address. */
function pickupNameForm(ride, refresh) {
  return form({
    fields: [
      field({ name: "name", label: t("rides.pickupNameLabel"), hint: t("rides.pickupNameHint"), value: ride.pickup && ride.pickup.name, required: true }),
      field({ name: "address", label: t("rides.pickupAddressLabel"), value: ride.pickup && ride.pickup.address, optional: true, attrs: { autocomplete: "off" } }),
    ],
    submitLabel: t("common.save"),
    onSubmit: async ({ name, address }) => {
      await api.put(`/api/rides/${encodeURIComponent(ride.id)}/pickup`, { name, address: address || "" });
      announce(t("rides.pickupSaved"));
      refresh();
    },
  });
}

function proposalCard(p, refresh) {
  const alert = alertArea();
  return h(
    "li",
    { class: "card" },
    h("h3", { text: t("rides.proposalTitle", { name: p.riderFirstName }) }),
    h("p", { text: t("rides.proposalWhen", { day: dayName(p.day), time: clock(p.pickupAt) }) }),
    h("p", { class: "muted", text: t("rides.proposalDetour", { km: number(p.detourKm), place: p.workplaceName }) }),
    alert,
    h(
      "div",
      { class: "actions" },
      button(t("rides.accept"), "check", () =>
        runAction(alert, async () => {
          await api.post(`/api/rides/${encodeURIComponent(p.rideId)}/accept`);
          announce(t("rides.accepted", { name: p.riderFirstName }));
          refresh();
        }), { kind: "primary" }),
      button(t("rides.decline"), "cancel", () =>
        runAction(alert, async () => {
          await api.post(`/api/rides/${encodeURIComponent(p.rideId)}/decline`);
          announce(t("rides.declined"));
          refresh();
        })),
    ),
  );
}

function cancelForm(ride, refresh) {
  return form({
    fields: [field({ name: "reason", label: t("rides.cancelReason"), hint: t("rides.cancelHint"), required: true })],
    submitLabel: t("rides.cancelSubmit"),
    submitIcon: "cancel",
    onSubmit: async ({ reason }) => {
      await api.post(`/api/rides/${encodeURIComponent(ride.id)}/cancel`, { reason });
      announce(t("rides.cancelled"));
      refresh();
    },
  });
}

/** One ride of the buddy: who, where, when; buttons that fit its state. */
export function driverRideCard(ride, refresh, { actions = true } = {}) {
  const alert = alertArea();
  const id = encodeURIComponent(ride.id);
  const mark = (path, message) => () =>
    runAction(alert, async () => {
      await api.post(`/api/rides/${id}/${path}`);
      announce(message);
      refresh();
    });
  const card = h(
    "li",
    { class: "card" },
    h("h3", { text: t("rides.driverTitle", { name: ride.riderFirstName, day: dayName(ride.day) }) }),
    ride.status === "cancelled"
      ? h("p", { class: "muted", text: t("rides.isCancelled", { reason: ride.cancelReason }) })
      : h("p", { text: t("rides.pickupTime", { time: clock(ride.pickupAt) }) }),
    pickupLine(ride.pickup, { role: "driver", riderName: ride.riderFirstName }),
    ride.status === "done" && notice(t("rides.isDone")),
    ride.status === "no_show" && h("p", { class: "muted", text: t("rides.isNoShow") }),
    alert,
  );
  if (actions && ride.status === "confirmed") {
    const buttons = h("div", { class: "actions" });
    if (ride.day <= today()) {
      buttons.append(button(t("rides.done"), "check", mark("done", t("rides.isDone")), { kind: "primary" }),
        button(t("rides.noShow"), "cancel", mark("no-show", t("rides.isNoShow"))));
    }
    const holder = h("div");
    buttons.append(button(t("rides.namePickup"), "edit", () => {
      holder.replaceChildren(pickupNameForm(ride, refresh));
      holder.querySelector("input").focus();
    }));
    buttons.append(button(t("rides.cancel"), "cancel", () => {
      holder.replaceChildren(cancelForm(ride, refresh));
      holder.querySelector("input").focus();
    }, { kind: "danger" }));
    card.append(buttons, holder);
  }
  return card;
}

function offerCard(offer) {
  const days = offer.weekdays.map((d) => t(`rides.day${d}`)).join(", ");
  return h(
    "li",
    { class: "card" },
    h("h3", { text: t("rides.offerTitle", { place: offer.workplaceName, time: offer.leaveTime }) }),
    h("p", { text: days }),
    h("p", { class: "muted", text: t("rides.offerSeats", { seats: offer.seats, km: number(offer.maxDetourKm, offer.maxDetourKm % 1 ? 1 : 0) }) }),
    h("div", { class: "actions" }, linkButton(t("rides.editOffer"), "edit", `#/rides/offers/${encodeURIComponent(offer.id)}`)),
  );
}

function kilometresTable(km) {
  const months = km.months.filter((m) => m.rides > 0);
  if (!months.length) return h("p", { class: "muted", text: t("rides.noKilometres") });
  const name = (m) => new Intl.DateTimeFormat(locale(), { month: "long" }).format(new Date(Date.UTC(km.year, m - 1, 15)));
  return h(
    "table",
    { class: "table" },
    h("caption", { text: t("rides.kmCaption", { year: km.year }) }),
    h("thead", null, h("tr", null, h("th", { scope: "col", text: t("rides.month") }), h("th", { scope: "col", text: t("rides.rideCount") }), h("th", { scope: "col", text: t("rides.km") }))),
    h("tbody", null, months.map((m) => h("tr", null, h("th", { scope: "row", text: name(m.month) }), h("td", { text: String(m.rides) }), h("td", { text: number(m.km) })))),
    h("tfoot", null, h("tr", null, h("th", { scope: "row", text: t("rides.total") }), h("td"), h("td", { text: number(km.totalKm) }))),
  );
}

function carForm(profile) {
  return form({
    fields: [field({ name: "carDescription", label: t("rides.car"), hint: t("rides.carHint"), value: profile.carDescription, optional: true })],
    submitLabel: t("common.save"),
    onSubmit: async (v) => {
      await api.put("/api/me/buddy-profile", { carDescription: v.carDescription || "" });
      announce(t("rides.carSaved"));
    },
  });
}

/** "#/rides": everything a buddy does with rides, on one screen. */
export async function ridesView(ctx) {
  const [waiting, rides, offers, km, profile] = await Promise.all([
    api.get("/api/me/ride-proposals"),
    api.get("/api/me/rides"),
    api.get("/api/ride-offers"),
    api.get("/api/me/rides/kilometres"),
    api.get("/api/me/buddy-profile"),
  ]);
  const refresh = () => ctx.refresh();
  return h(
    "div",
    { class: "stack" },
    linkButton(t("common.back"), "back", "#/home", { kind: "plain" }),
    heading(t("rides.title")),
    section(t("rides.requests"), waiting.length
      ? h("ul", { class: "grid plain-list" }, waiting.map((p) => proposalCard(p, refresh)))
      : h("p", { class: "muted", text: t("rides.noRequests") })),
    section(t("rides.mine"), rides.length
      ? h("ul", { class: "grid plain-list" }, rides.map((r) => driverRideCard(r, refresh)))
      : h("p", { class: "muted", text: t("rides.noRides") })),
    section(
      t("rides.offers"),
      offers.length ? h("ul", { class: "grid plain-list" }, offers.map(offerCard)) : h("p", { class: "muted", text: t("rides.noOffers") }),
      h("div", { class: "actions" }, linkButton(t("rides.newOffer"), "plus", "#/rides/offers/new", { kind: "primary" })),
    ),
    section(t("rides.kilometres"), kilometresTable(km)),
    section(t("rides.carTitle"), carForm(profile)),
  );
}

/** The buddy's home: confirmed rides (rider, pickup point, time) and how many requests wait. */
export async function buddyRidesSection() {
  const [waiting, rides] = await Promise.all([api.get("/api/me/ride-proposals"), api.get("/api/me/rides")]);
  const upcoming = rides.filter((r) => r.status === "confirmed");
  return section(
    t("rides.title"),
    waiting.length > 0 && h("p", null, icon("bell"), h("span", { text: ` ${t("rides.waiting", { n: waiting.length })}` })),
    upcoming.length
      ? h("ul", { class: "grid plain-list" }, upcoming.map((r) => driverRideCard(r, () => {}, { actions: false })))
      : h("p", { class: "muted", text: t("rides.noRides") }),
    h("div", { class: "actions" }, linkButton(t("rides.open"), "route", "#/rides", { kind: "primary" })),
  );
}

// ---- the offer form --------------------------------------------------------------------------

function dayBoxes(selected) {
  return h(
    "fieldset",
    { class: "field checks", "data-field": "weekdays" },
    h("legend", { text: t("rides.whichDays") }),
    WEEKDAYS.map((d) => {
      const id = `day-${d}`;
      return h("div", { class: "radio" }, h("input", { type: "checkbox", id, name: "weekday", value: String(d), checked: selected.includes(d) }), h("label", { for: id, text: t(`rides.day${d}`) }));
    }),
    h("p", { class: "field-error", hidden: true }),
  );
}

/** "#/rides/offers/new" and "#/rides/offers/:id": in plain words, one question per field. */
export async function offerFormView(ctx) {
  const id = ctx.params.id;
  const [workplaces, offer] = await Promise.all([
    api.get("/api/ride-offers/workplaces"),
    id ? api.get(`/api/ride-offers/${encodeURIComponent(id)}`) : null,
  ]);
  const o = offer || { weekdays: [1, 2, 3, 4, 5], leaveTime: "07:30", fromAddress: "", seats: 1, maxDetourKm: 5, daysOff: [] };
  const lat = h("input", { type: "hidden", name: "fromLatitude", value: o.fromLatitude ?? "" });
  const lon = h("input", { type: "hidden", name: "fromLongitude", value: o.fromLongitude ?? "" });
  const locAlert = alertArea();
  const located = h("p", { class: "muted", text: o.fromLatitude != null ? t("location.known") : "" });
  const useLocation = button(t("location.use"), "route", () =>
    runAction(locAlert, async () => {
      const pos = await myPosition();
      lat.value = pos.latitude;
      lon.value = pos.longitude;
      located.textContent = t("location.taken");
      announce(t("location.taken"));
    }));
  const options = workplaces.map((w) => ({ value: w.id, label: [w.name, w.city].filter(Boolean).join(", ") }));
  const stop = id && confirmButton({
    label: t("rides.stopOffer"), iconName: "cancel", question: t("rides.stopQuestion"), yes: t("rides.stopYes"),
    onConfirm: async () => {
      await api.del(`/api/ride-offers/${encodeURIComponent(id)}`);
      announce(t("rides.stopped"));
      ctx.navigate("/rides");
    },
  });
  const theForm = form({
    fields: [
      dayBoxes(o.weekdays),
      field({ name: "leaveTime", label: t("rides.leaveTime"), type: "time", value: o.leaveTime, required: true }),
      field({ name: "fromAddress", label: t("rides.fromAddress"), hint: t("rides.fromHint"), value: o.fromAddress, attrs: { autocomplete: "street-address" } }),
      h("div", { class: "field" }, locAlert, useLocation, located, lat, lon),
      field({ name: "workplaceId", label: t("rides.toWorkplace"), options, value: o.workplaceId, required: true }),
      field({ name: "seats", label: t("rides.seats"), type: "number", value: o.seats, attrs: { min: 1, max: 8, inputmode: "numeric" } }),
      field({ name: "maxDetourKm", label: t("rides.detour"), hint: t("rides.detourHint"), type: "number", value: o.maxDetourKm, attrs: { min: 0, max: 50, step: "0.5", inputmode: "decimal" } }),
      field({ name: "daysOff", label: t("rides.daysOff"), hint: t("rides.daysOffHint"), value: o.daysOff.join(", "), optional: true }),
    ],
    submitLabel: t("common.save"),
    onSubmit: async (v, el) => {
      const body = {
        weekdays: [...el.querySelectorAll('input[name="weekday"]:checked')].map((b) => Number(b.value)),
        leaveTime: v.leaveTime, fromAddress: v.fromAddress || "", workplaceId: v.workplaceId,
        seats: Number(v.seats), maxDetourKm: Number(v.maxDetourKm),
        daysOff: (v.daysOff || "").split(/[,\s]+/).filter(Boolean),
      };
      if (v.fromLatitude !== "" && v.fromLongitude !== "") Object.assign(body, { fromLatitude: Number(v.fromLatitude), fromLongitude: Number(v.fromLongitude) });
      if (id) await api.patch(`/api/ride-offers/${encodeURIComponent(id)}`, body);
      else await api.post("/api/ride-offers", body);
      announce(t("rides.offerSaved"));
      ctx.navigate("/rides");
    },
  });
  return h(
    "div",
    { class: "stack" },
    linkButton(t("common.back"), "back", "#/rides", { kind: "plain" }),
    heading(id ? t("rides.editOffer") : t("rides.newOffer")),
    workplaces.length ? theForm : h("p", { class: "muted", text: t("rides.noWorkplaces") }),
    stop,
  );
}
