// Coach: a worker's home (address or coordinates) on the person screen, and the mobility overview:
// for each worker, a day's shifts and whether a ride covers each.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { addDays, clock, dayName, today } from "../dates.js";
import { compact, field, form } from "../form.js";
import { t } from "../i18n.js";
import { announce, heading, linkButton, section } from "../ui.js";

/** "Thuisadres": private; a buddy only ever sees the pickup point of a confirmed ride. */
export async function homeSection(person) {
  const id = encodeURIComponent(person.id);
  const home = await api.get(`/api/mobility/people/${id}/home`);
  const status = h("p", { class: "muted", text: home.latitude != null ? t("homeAddr.known", { lat: home.latitude, lon: home.longitude }) : t("homeAddr.unknown") });
  const number = (value) => (value === "" || value == null ? undefined : Number(value));
  return section(
    t("homeAddr.title"),
    h("p", { text: t("homeAddr.help") }),
    status,
    form({
      fields: [
        field({ name: "address", label: t("homeAddr.address"), value: home.address, hint: t("homeAddr.addressHint"), attrs: { autocomplete: "off" } }),
        field({ name: "latitude", label: t("homeAddr.latitude"), value: home.latitude ?? "", optional: true, attrs: { inputmode: "decimal" } }),
        field({ name: "longitude", label: t("homeAddr.longitude"), value: home.longitude ?? "", optional: true, attrs: { inputmode: "decimal" } }),
        field({ name: "pickupName", label: t("homeAddr.pickupName"), value: home.pickupName, hint: t("homeAddr.pickupHint"), optional: true }),
        field({ name: "pickupAddress", label: t("homeAddr.pickupAddress"), value: home.pickupAddress || "", optional: true, attrs: { autocomplete: "off" } }),
      ],
      submitLabel: t("common.save"),
      onSubmit: async (v) => {
        const body = compact({ address: v.address, latitude: number(v.latitude), longitude: number(v.longitude), pickupName: v.pickupName, pickupAddress: v.pickupAddress });
        const saved = await api.put(`/api/mobility/people/${id}/home`, { address: "", ...body });
        status.textContent = t("homeAddr.known", { lat: saved.latitude, lon: saved.longitude });
        announce(saved.foundAs ? t("homeAddr.foundAs", { place: saved.foundAs }) : t("homeAddr.saved"));
      },
    }),
  );
}

function shiftLine(shift) {
  const when = `${clock(shift.startsAt)} ${shift.title}${shift.workplaceName ? ` (${shift.workplaceName})` : ""}`;
  if (!shift.noRide) {
    return h("li", { class: "ok" }, icon("check"), h("span", { text: ` ${when}: ${t("overview.ride", { name: shift.driverFirstName, time: clock(shift.pickupAt) })}` }));
  }
  const why = shift.requestStatus === "open" ? t("overview.asked") : shift.requestStatus === "unmatched" ? t("overview.unmatched") : t("overview.noRequest");
  const transit = shift.transit || {};
  if (transit.leaveAt) {
    // No ride, but public transport arrives in time: fine, said with the bus's departure.
    return h("li", { class: "ok" }, icon("route"), h("span", { text: ` ${when}: ${t("overview.transit", { line: transit.line, time: clock(transit.leaveAt) })} ${why}` }));
  }
  const transitWhy = transit.problem === "transit_no_journey" ? t("overview.noTransit") : t("overview.transitUnknown");
  return h("li", { class: "warn" }, icon("alert"), h("span", { text: ` ${when}: ${t("overview.noRide")} ${transitWhy} ${why}` }));
}

/** "#/mobility" and "#/mobility/:date": tomorrow unless a day is chosen. */
export async function overviewView(ctx) {
  const day = ctx.params.date || addDays(today(), 1);
  const data = await api.get(`/api/mobility/overview?date=${encodeURIComponent(day)}`);
  const planned = data.workers.filter((w) => w.shifts.length);
  const warnings = planned.filter((w) => w.warning);
  const picker = h("input", { type: "date", id: "overview-day", value: day });
  picker.addEventListener("change", () => picker.value && ctx.navigate(`/mobility/${picker.value}`));
  return h(
    "div",
    { class: "stack" },
    linkButton(t("common.back"), "back", "#/home", { kind: "plain" }),
    heading(t("overview.title", { day: dayName(day) })),
    h("div", { class: "field" }, h("label", { for: "overview-day", text: t("overview.pickDay") }), picker),
    warnings.length
      ? h("div", { class: "alert" }, icon("alert"), h("p", { text: t("overview.warnings", { n: warnings.length }) }))
      : h("p", { class: "muted", text: planned.length ? t("overview.allCovered") : t("overview.noShifts") }),
    planned.length > 0 &&
      section(
        t("overview.workers"),
        h(
          "ul",
          { class: "grid plain-list" },
          planned.map((w) =>
            h(
              "li",
              { class: "card" },
              h("h3", null, h("a", { href: `#/people/${encodeURIComponent(w.workerId)}`, text: `${w.firstName} ${w.lastName}`.trim() })),
              !w.hasHome && h("p", { class: "muted", text: t("overview.noHome") }),
              h("ul", { class: "plain-list" }, w.shifts.map(shiftLine)),
            ),
          ),
        ),
      ),
  );
}
