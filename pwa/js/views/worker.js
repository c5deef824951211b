// The worker's Home: one clear next step. On top, always within the first screen of a phone: the
// next item with its one main action ("Ik ben er", or "Vertrek om 07:15"); today's finished items in
// one line; today's other items as short rows. Below: the ride, then plain links to the rest (week,
// sick, late, the way to work, my progress), my workplace and my people.
//
// The push opt-in card (app.js) is put after the block marked `data-push-card-after` (the top block),
// so it never pushes the day below the fold.

import { append, h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { offlineBanner, outboxPanel } from "../offline.js";
import { fullName, heading, linkButton, readAloudLazy } from "../ui.js";
import { homeState, rideFor, todayBlock } from "./week.js";
import { myRideSection } from "./myRide.js";

/** A route link that opens the phone's maps app (or Google Maps in a browser). */
export function routeHref(place) {
  const hasPoint = place.latitude != null && place.longitude != null && place.latitude !== "" && place.longitude !== "";
  const destination = hasPoint
    ? `${place.latitude},${place.longitude}`
    : [place.street, [place.postcode, place.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  return `https://www.google.com/maps/dir/?api=1&destination=${encodeURIComponent(destination)}`;
}

const dialable = (phone) => (phone || "").replace(/[^\d+]/g, "");

function workplaceBlock(place) {
  const cityLine = [place.postcode, place.city].filter(Boolean).join(" ");
  const hasAddress = place.street || cityLine || (place.latitude != null && place.longitude != null);
  return h(
    "div",
    { class: "home-row" },
    icon("building"),
    h(
      "div",
      { class: "home-row-body" },
      h("h3", { text: place.name }),
      h("address", null, place.street, place.street && cityLine && h("br"), cityLine),
      hasAddress &&
        linkButton(t("worker.route"), "route", routeHref(place), {
          kind: "plain",
          extra: h("span", { class: "sr-only", text: ` ${t("worker.routeTo", { place: place.name })}` }),
        }),
    ),
  );
}

/** One of my people in a row: name, who they are to me, and a call link. */
function personRow(person, role) {
  const number = dialable(person.phone);
  return h(
    "li",
    { class: "home-row" },
    icon("user"),
    h(
      "div",
      { class: "home-row-body" },
      h("h3", { text: fullName(person) }),
      h("p", { class: "muted", text: role }),
      number
        ? h(
            "div",
            { class: "home-row-links" },
            linkButton(t("contact.call"), "phone", `tel:${number}`, { kind: "plain", extra: h("span", { class: "sr-only", text: ` ${fullName(person)}` }) }),
            linkButton(t("contact.sms"), "sms", `sms:${number}`, { kind: "plain", extra: h("span", { class: "sr-only", text: ` ${fullName(person)}` }) }),
          )
        : h("p", { class: "muted", text: t("contact.noPhone") }),
    ),
  );
}

/** The rest of the app, as plain links: clear, but none of them competes with the main action. */
function moreLinks() {
  const link = (href, iconName, label) => h("li", null, h("a", { class: "more-link", href }, icon(iconName), h("span", { text: label })));
  return h(
    "nav",
    { class: "more-links", "aria-labelledby": "home-more" },
    h("h2", { id: "home-more", text: t("home.more") }),
    h(
      "ul",
      { class: "plain-list" },
      link("#/week", "calendar", t("week.open")),
      link("#/commute", "route", t("commute.open")),
      link("#/sick", "sick", t("report.sickButton")),
      link("#/late", "clock", t("report.lateButton")),
      link("#/progress", "check", t("progress.open")),
    ),
  );
}

/**
 * "Ik heb hulp nodig": a button under the day. Its panel (help.js: what kind of help, sent to the
 * coach through the outbox) loads on the first tap, so Home's first load stays as light as before.
 */
function helpBlock() {
  const open = h("button", { type: "button", class: "btn btn-secondary help-button", "aria-expanded": "false" }, icon("lifebuoy"), h("span", { text: t("help.button") }));
  const block = h("section", { class: "section help", "aria-label": t("help.button") }, open);
  let panel = null;
  open.addEventListener("click", async () => {
    if (!panel) {
      const { helpPanel } = await import("./help.js");
      panel = helpPanel();
      open.setAttribute("aria-controls", panel.id);
      block.append(panel);
    } else panel.hidden = open.getAttribute("aria-expanded") === "true";
    const expanded = !panel.hidden;
    open.setAttribute("aria-expanded", String(expanded));
    if (expanded) panel.querySelector("h2").focus();
  });
  return block;
}

/** When to leave for the next item: the Home answer says it (`leave`, worked out by the server as
 *  the way to work does) while it is the next step: a shift or training within 36 hours, before its
 *  check-in opens, without a ride. The main action checks that it has not passed (a kept copy). */
function leaveFor(item, ride, data) {
  const leave = data.leave;
  if (!item || ride || !leave || leave.itemId !== item.id) return null;
  return { at: leave.at, journey: leave.journey || null };
}

/**
 * "#/home" for a worker. The shell (app.js) gives the Home answer in `ctx.today` ({ data, offline,
 * cached, savedAt }): this view asks nothing else.
 */
export async function workerHome(ctx) {
  const { data, offline, savedAt } = ctx.today;
  const me = data.me || ctx.me;
  const state = await homeState(data);
  const ride = rideFor(state.next, data.ride ? [data.ride] : []);
  const leave = leaveFor(state.next, ride, data);
  const block = todayBlock(state, { ride, leave });

  const sentences = ({ doneSentences, itemSentences }) => {
    const lines = [];
    if (state.next) {
      const started = new Date(state.next.startsAt).getTime() <= Date.now();
      lines.push(...itemSentences(state.next, { ride, journey: leave && leave.journey, now: started }));
    } else lines.push(state.done.length ? t("home.allDone") : t("week.nothingToday"));
    lines.push(...doneSentences(state.done));
    for (const item of state.todays) lines.push(...itemSentences(item, { brief: true }));
    return lines;
  };

  const people = h(
    "ul",
    { class: "plain-list stack-s" },
    me.coach ? personRow(me.coach, t("worker.yourCoach")) : h("li", { class: "muted", text: t("worker.noCoach") }),
    me.buddy ? personRow(me.buddy, t("worker.yourBuddy")) : h("li", { class: "muted", text: t("worker.noBuddy") }),
  );

  // The push opt-in card (app.js) comes after this block: the day is seen first.
  const top = h(
    "div",
    { class: "home-top stack", "data-push-card-after": true },
    h("div", { class: "home-title" }, heading(t("home.hello", { name: me.firstName })), readAloudLazy(sentences)),
    offline && offlineBanner(savedAt, () => ctx.refresh()),
    h("section", { class: "section", "aria-labelledby": "home-today" }, h("h2", { id: "home-today", class: "sr-only", text: t("worker.today") }), block),
  );
  const content = h("div", { class: "stack home" });
  return append(content, [
    top,
    // "Ik heb hulp nodig": right under the day, never above the main action.
    helpBlock(),
    outboxPanel(),
    await myRideSection(data, () => ctx.refresh(), { offline }),
    moreLinks(),
    h(
      "section",
      { class: "section", "aria-labelledby": "home-work" },
      h("h2", { id: "home-work", text: t("worker.workplace") }),
      me.workplace ? workplaceBlock(me.workplace) : h("p", { class: "muted", text: t("worker.noWorkplace") }),
    ),
    h("section", { class: "section", "aria-labelledby": "home-people" }, h("h2", { id: "home-people", text: t("worker.people") }), people),
  ]);
}
