// The audit log for admins: who viewed or changed whose file, exported, erased or read a report.

import { api } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { alertArea, button, fullName, heading, section, showAlert } from "../ui.js";

const PAGE_SIZE = 25;

function actionText(action) {
  const key = `audit.action.${action}`;
  const text = t(key);
  return text === key ? action : text;
}

function select(id, label, people) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id, text: label }),
    h("select", { id, name: id }, h("option", { value: "", text: t("audit.anyone") }), people.map((p) => h("option", { value: p.id, text: fullName(p) }))),
  );
}

function dateField(id, label) {
  return h("div", { class: "field" }, h("label", { for: id, text: label }), h("input", { id, name: id, type: "date" }));
}

export async function auditView() {
  const people = await api.get("/api/people");
  const byName = (a, b) => fullName(a).localeCompare(fullName(b));
  const staff = people.filter((p) => p.role === "coach" || p.role === "admin").sort(byName);
  const everyone = [...people].sort(byName);
  const alert = alertArea();
  const tableArea = h("div", { class: "table-scroll" });
  const pager = h("div", { class: "actions" });
  const state = { page: 1 };

  const filters = h(
    "form",
    { class: "audit-filters", onsubmit: (e) => { e.preventDefault(); state.page = 1; load(); } },
    select("audit-subject", t("audit.subject"), everyone),
    select("audit-actor", t("audit.actor"), staff),
    dateField("audit-from", t("audit.from")),
    dateField("audit-to", t("audit.to")),
    button(t("audit.filter"), "check", null, { kind: "primary", type: "submit" }),
  );

  async function load() {
    const params = new URLSearchParams({ page: String(state.page), pageSize: String(PAGE_SIZE) });
    for (const [name, id] of [["subject", "audit-subject"], ["actor", "audit-actor"], ["from", "audit-from"], ["to", "audit-to"]]) {
      const value = filters.querySelector(`#${id}`).value;
      if (value) params.set(name, value);
    }
    showAlert(alert, null);
    try {
      const page = await api.get(`/api/audit?${params}`);
      tableArea.replaceChildren(
        h(
          "table",
          { class: "data-table" },
          h("caption", { text: t("audit.caption", { total: page.total }) }),
          h("thead", null, h("tr", null, ["when", "who", "what", "about"].map((c) => h("th", { scope: "col", text: t(`audit.col.${c}`) })))),
          h(
            "tbody",
            null,
            page.items.length
              ? page.items.map((e) =>
                  h("tr", null, h("td", { text: formatDateTime(e.at) }), h("td", { text: e.actorName || t("audit.system") }), h("td", { text: actionText(e.action) }), h("td", { text: e.subjectName || "–" })),
                )
              : h("tr", null, h("td", { colspan: "4", text: t("audit.none") })),
          ),
        ),
      );
      const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
      pager.replaceChildren(
        state.page > 1 && button(t("audit.previous"), "back", () => { state.page -= 1; load(); }),
        h("p", { text: t("audit.page", { page: state.page, pages }) }),
        state.page < pages && button(t("audit.next"), "send", () => { state.page += 1; load(); }),
      );
    } catch (error) {
      showAlert(alert, error);
    }
  }
  await load();
  return h("div", { class: "stack" }, heading(t("audit.title")), h("p", { class: "lead", text: t("audit.intro") }),
    section(t("audit.filters"), filters), alert, tableArea, pager);
}
