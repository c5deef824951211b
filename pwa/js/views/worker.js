// The worker's home: today, where I work and how to get there, and the people I can call.

import { append, h } from "../dom.js";
import { t } from "../i18n.js";
import { outboxPanel } from "../offline.js";
import { readAloudButton } from "../readAloud.js";
import { contactCard, heading, linkButton, section } from "../ui.js";
import { todayOnHome, workerActions } from "./week.js";
import { commuteLink } from "./commute.js";
import { myRideSection } from "./myRide.js";

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

export async function workerHome(ctx) {
  const { me } = ctx;
  const [{ block, banner }, ride] = await Promise.all([todayOnHome(() => ctx.refresh()), myRideSection(() => ctx.refresh())]);
  const people = [];
  people.push(me.coach ? contactCard(me.coach, t("worker.yourCoach")) : h("p", { class: "muted", text: t("worker.noCoach") }));
  people.push(me.buddy ? contactCard(me.buddy, t("worker.yourBuddy")) : h("p", { class: "muted", text: t("worker.noBuddy") }));

  const content = h("div", { class: "stack" });
  return append(content, [
    heading(t("home.hello", { name: me.firstName })),
    readAloudButton(() => content),
    banner,
    outboxPanel(),
    section(t("worker.today"), block),
    ride,
    workerActions(),
    h("div", { class: "actions" }, commuteLink()),
    h("div", { class: "actions" }, linkButton(t("progress.open"), "check", "#/progress")),
    section(
      t("worker.workplace"),
      me.workplace ? workplaceCard(me.workplace) : h("p", { class: "muted", text: t("worker.noWorkplace") }),
    ),
    section(t("worker.people"), h("div", { class: "grid" }, people)),
  ]);
}
