// The coach's caseload: one row per worker with what to scan: first the flags (the point of the
// screen), then attendance, check-in, app, reminders, reports, next shift, tomorrow, buddy, stage.
// A table on a laptop (sorted by a tap on a column header, aria-sort says how), cards on a phone
// (CSS), where two selects sort instead of the hidden headers. Sorting, the "flagged / all" chips
// and the search box work on the rows already loaded.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { moment } from "../dates.js";
import { t } from "../i18n.js";
import { announce, heading, linkButton } from "../ui.js";

const COLUMNS = [
  ["name", (r) => `${r.firstName} ${r.lastName}`.toLowerCase()],
  ["flags", (r) => r.flags.length],
  ["attendance", (r) => (r.attendanceRate == null ? -1 : r.attendanceRate)],
  ["checkIn", (r) => r.lastCheckInAt || ""],
  ["app", (r) => r.lastAppOpenAt || ""],
  ["unread", (r) => r.unreadReminders],
  ["reports", (r) => r.openReports],
  ["next", (r) => r.nextShiftAt || "9999"],
  ["tomorrow", (r) => r.tomorrow],
  ["buddy", (r) => (r.buddy ? r.buddy.name : "")],
  ["stage", (r) => r.stage.reached],
];

function percent(rate) {
  return rate == null ? t("caseload.noData") : `${Math.round(rate * 100)}%`;
}

function cell(column, content) {
  return h("td", { "data-label": t(`caseload.col.${column}`), "data-col": column }, content);
}

function row(r) {
  const name = `${r.firstName} ${r.lastName}`.trim();
  const flagged = r.flags.length > 0;
  return h(
    "tr",
    { "data-name": name.toLowerCase(), "data-flagged": flagged ? "1" : null },
    h(
      "th",
      { scope: "row" },
      h("a", { href: `#/worker/${encodeURIComponent(r.personId)}`, text: name }),
      // The worker's latest quick reply, in the coach's words (views/quickReplies.js).
      r.lastReply &&
        h("p", { class: "recipient-reply case-reply", "data-reply": r.lastReply.reply, text: t("caseload.lastReply", { reply: t(`reply.${r.lastReply.reply}`), when: moment(r.lastReply.at) }) }),
    ),
    cell(
      "flags",
      flagged
        ? h("ul", { class: "flag-list" }, r.flags.map((f) => h("li", { class: "flag" }, icon("alert"), h("span", { text: f.reason }))))
        : t("caseload.noFlags"),
    ),
    cell("attendance", `${percent(r.attendanceRate)} (${r.attendedItems}/${r.plannedItems - r.excusedItems})`),
    cell("checkIn", r.lastCheckInAt ? moment(r.lastCheckInAt) : t("caseload.noCheckIn")),
    cell("app", r.lastAppOpenAt ? moment(r.lastAppOpenAt) : t("caseload.never")),
    cell("unread", String(r.unreadReminders)),
    cell("reports", String(r.openReports)),
    cell("next", r.nextShiftAt ? moment(r.nextShiftAt) : t("caseload.none")),
    cell("tomorrow", t(`caseload.tomorrow.${r.tomorrow}`)),
    cell("buddy", r.buddy ? r.buddy.name : t("caseload.none")),
    cell("stage", r.stage.total ? `${r.stage.lastReached || t("caseload.notStarted")} → ${r.stage.next || t("caseload.done")}` : t("caseload.noTrajectory")),
  );
}

/** "#/caseload" (all of mine) or "#/caseload?flagged=true" (from the digest). */
export async function caseloadView() {
  const rows = await api.get("/api/coaching/caseload");
  const state = { sort: "flags", descending: true, flaggedOnly: location.hash.includes("flagged=true"), query: "" };
  const body = h("tbody");
  const count = h("p", { class: "muted", "aria-live": "polite" });
  function sortBy(key, descending) {
    state.sort = key;
    state.descending = descending;
    draw();
    announce(t(descending ? "caseload.sortedDown" : "caseload.sortedUp", { column: t(`caseload.col.${key}`) }));
  }
  const headers = COLUMNS.map(([key]) => {
    const sortButton = h("button", { type: "button", class: "sort" }, h("span", { text: t(`caseload.col.${key}`) }));
    const th = h("th", { scope: "col", "data-col": key }, sortButton);
    sortButton.addEventListener("click", () => sortBy(key, state.sort === key ? !state.descending : key !== "name"));
    return th;
  });
  // On a phone the table is cards and its headers are hidden: the same sorting, as two selects.
  const sortSelect = h(
    "select",
    { id: "caseload-sort" },
    COLUMNS.map(([key]) => h("option", { value: key, text: t(`caseload.col.${key}`) })),
  );
  const orderSelect = h(
    "select",
    { id: "caseload-order" },
    h("option", { value: "asc", text: t("caseload.ascending") }),
    h("option", { value: "desc", text: t("caseload.descending") }),
  );
  sortSelect.addEventListener("change", () => sortBy(sortSelect.value, sortSelect.value !== "name"));
  orderSelect.addEventListener("change", () => sortBy(state.sort, orderSelect.value === "desc"));
  const sortControls = h(
    "div",
    { class: "pair caseload-sort" },
    h("div", { class: "field" }, h("label", { for: "caseload-sort", text: t("caseload.sortBy") }), sortSelect),
    h("div", { class: "field" }, h("label", { for: "caseload-order", text: t("caseload.order") }), orderSelect),
  );
  const table = h(
    "table",
    { class: "caseload" },
    h("caption", { text: t("caseload.caption") }),
    h("thead", null, h("tr", null, headers)),
    body,
  );

  function draw() {
    const getter = COLUMNS.find(([key]) => key === state.sort)[1];
    const byName = COLUMNS[0][1];
    const sorted = [...rows].sort((a, b) => {
      const x = getter(a);
      const y = getter(b);
      const order = x < y ? -1 : x > y ? 1 : 0;
      // Equal values: by name, A to Z, so the order never jumps between two draws.
      if (!order) return byName(a) < byName(b) ? -1 : byName(a) > byName(b) ? 1 : 0;
      return state.descending ? -order : order;
    });
    const shown = sorted.filter(
      (r) =>
        (!state.flaggedOnly || r.flags.length) &&
        (!state.query || `${r.firstName} ${r.lastName}`.toLowerCase().includes(state.query)),
    );
    body.replaceChildren(...shown.map(row));
    for (const th of headers) {
      th.setAttribute("aria-sort", th.dataset.col === state.sort ? (state.descending ? "descending" : "ascending") : "none");
    }
    sortSelect.value = state.sort;
    orderSelect.value = state.descending ? "desc" : "asc";
    count.textContent = t("caseload.count", { shown: shown.length, total: rows.length });
    for (const chip of chips) chip.setAttribute("aria-pressed", String((chip.dataset.flagged === "1") === state.flaggedOnly));
  }

  const chip = (flagged, label) => {
    const el = h("button", { type: "button", class: "btn btn-secondary chip", "data-flagged": flagged ? "1" : "0" }, h("span", { text: label }));
    el.addEventListener("click", () => {
      state.flaggedOnly = flagged;
      draw();
    });
    return el;
  };
  const flaggedCount = rows.filter((r) => r.flags.length).length;
  const chips = [chip(true, t("caseload.flagged", { count: flaggedCount })), chip(false, t("caseload.all", { count: rows.length }))];
  const search = h("input", { id: "caseload-search", type: "search", autocomplete: "off", spellcheck: "false" });
  search.addEventListener("input", () => {
    state.query = search.value.trim().toLowerCase();
    draw();
  });
  draw();

  return h(
    "div",
    { class: "stack caseload-view" },
    h("div", { class: "title-row" }, heading(t("caseload.title")), linkButton(t("coach.newPerson"), "plus", "#/people/new")),
    h("div", { class: "actions", role: "group", "aria-label": t("caseload.filter") }, chips),
    h("div", { role: "search", class: "field" }, h("label", { for: "caseload-search", text: t("caseload.search") }), search),
    rows.length > 1 && sortControls,
    count,
    rows.length ? h("div", { class: "table-wrap" }, table) : h("p", { class: "muted", text: t("coach.noWorkers") }),
  );
}
