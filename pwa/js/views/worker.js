// The worker's home: today, where I work and how to get there, and the people I can call.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { contactCard, heading, linkButton, section } from "../ui.js";

/** A route link that opens the phone's maps app (or Google Maps in a browser). */
export function routeHref(place) {
  const hasPoint = place.latitude != null && place.longitude != null && place.latitude !== "" && place.longitude !== "";
  const destination = hasPoint
    ? `${place.latitude},${place.longitude}`
    : [place.street, [place.postcode, place.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  return `https://www.google.com/maps/dir/?api=1&destination=${encodeURIComponent(destination)}`;
}

function workplaceCard(place) {
  const cityLine = [place.postcode, place.city].filter(Boolean).join(" ");
  const hasAddress = place.street || cityLine || (place.latitude != null && place.longitude != null);
  return h(
    "article",
    { class: "card" },
    h("h3", { text: place.name }),
    h("address", null, place.street, place.street && cityLine && h("br"), cityLine),
    hasAddress &&
      h(
        "div",
        { class: "actions" },
        linkButton(t("worker.route"), "route", routeHref(place), {
          kind: "primary",
          extra: h("span", { class: "sr-only", text: ` ${t("worker.routeTo", { place: place.name })}` }),
        }),
      ),
  );
}

export async function workerHome({ me }) {
  const people = [];
  people.push(me.coach ? contactCard(me.coach, t("worker.yourCoach")) : h("p", { class: "muted", text: t("worker.noCoach") }));
  people.push(me.buddy ? contactCard(me.buddy, t("worker.yourBuddy")) : h("p", { class: "muted", text: t("worker.noBuddy") }));

  return h(
    "div",
    { class: "stack" },
    heading(t("home.hello", { name: me.firstName })),
    section(
      t("worker.today"),
      // A later feature fills this with today's schedule.
      h("div", { id: "today", class: "card" }, h("p", { text: t("worker.todayPlaceholder") })),
    ),
    section(
      t("worker.workplace"),
      me.workplace ? workplaceCard(me.workplace) : h("p", { class: "muted", text: t("worker.noWorkplace") }),
    ),
    section(t("worker.people"), h("div", { class: "grid" }, people)),
  );
}
