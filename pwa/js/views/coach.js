// The coach's home: the caseload at a glance, a search by name, and one main action:
// "Nieuwe werknemer".

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { announce, badge, fullName, heading, linkButton, section } from "../ui.js";
import { reportsSection } from "./coachReports.js";

/** Active people first, then by name. */
export function byName(a, b) {
  return Number(b.active) - Number(a.active) || fullName(a).localeCompare(fullName(b));
}

function personRow(person, detail) {
  return h(
    "li",
    { "data-name": fullName(person).toLowerCase() },
    h(
      "a",
      { class: "row-link", href: `#/people/${encodeURIComponent(person.id)}` },
      h("span", { class: "row-main" }, h("span", { class: "row-title", text: fullName(person) }), badge(person.active)),
      detail && h("span", { class: "row-detail", text: detail }),
    ),
  );
}

function searchBox(lists) {
  const input = h("input", { id: "people-search", type: "search", autocomplete: "off", spellcheck: "false" });
  let timer;
  input.addEventListener("input", () => {
    const query = input.value.trim().toLowerCase();
    let shown = 0;
    for (const list of lists) {
      for (const item of list.children) {
        const hit = !query || item.dataset.name.includes(query);
        item.hidden = !hit;
        shown += hit ? 1 : 0;
      }
    }
    clearTimeout(timer);
    timer = setTimeout(() => announce(t("coach.found", { count: shown })), 600);
  });
  return h("div", { role: "search", class: "field" }, h("label", { for: "people-search", text: t("coach.search") }), input);
}

/** My caseload (workers I coach); "/home/all" shows every worker of the organisation. */
export async function coachHome({ me, all = false }) {
  const orgId = me.organisation && me.organisation.id;
  const [workers, buddies, workplaces, reports] = await Promise.all([
    api.get(all ? "/api/people?role=worker" : "/api/people?role=worker&mine=true"),
    api.get("/api/people?role=buddy"),
    orgId ? api.get(`/api/organisations/${encodeURIComponent(orgId)}/workplaces`) : [],
    api.get("/api/reports?unseen=true"),
  ]);
  const placeName = new Map(workplaces.map((w) => [w.id, w.name]));

  const workerList = h(
    "ul",
    { class: "rows" },
    workers.sort(byName).map((w) => personRow(w, placeName.get(w.workplaceId) || t("coach.noWorkplace"))),
  );
  const buddyList = h(
    "ul",
    { class: "rows" },
    buddies.sort(byName).map((b) => personRow(b, b.phone || t("contact.noPhone"))),
  );

  return h(
    "div",
    { class: "stack" },
    h(
      "div",
      { class: "title-row" },
      heading(all ? t("coach.allTitle") : t("coach.title")),
      h(
        "div",
        { class: "actions" },
        linkButton(t("caseload.open"), "users", "#/caseload", { kind: "primary" }),
        linkButton(t("coach.newPerson"), "plus", "#/people/new"),
        linkButton(t("plan.open"), "calendar", "#/plan"),
        linkButton(t("overview.open"), "route", "#/mobility"),
      ),
    ),
    reportsSection(reports),
    workers.length + buddies.length > 5 && searchBox([workerList, buddyList]),
    section(
      t("coach.workers", { count: workers.length }),
      workers.length ? workerList : h("p", { class: "muted", text: t("coach.noWorkers") }),
      all
        ? linkButton(t("coach.showMine"), "user", "#/home", { kind: "plain" })
        : linkButton(t("coach.showAll"), "users", "#/home/all", { kind: "plain" }),
    ),
    section(
      t("coach.buddies", { count: buddies.length }),
      buddies.length ? buddyList : h("p", { class: "muted", text: t("coach.noBuddies") }),
    ),
  );
}
