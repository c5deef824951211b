// On a worker's page, for their coach: this week's items (Monday to Sunday) with the attendance
// of each, and a way to correct it (present, late, absent, excused, with a note).

import { api } from "../api.js";
import { addDays, clock, dayName, mondayOf, shortDay, today } from "../dates.js";
import { h, icon } from "../dom.js";
import { field, form } from "../form.js";
import { t } from "../i18n.js";
import { alertArea, announce, button, linkButton, section } from "../ui.js";

const STATUSES = ["present", "late", "absent", "excused"];

function statusText(record) {
  if (!record || !record.status) return t("attendance.none");
  const word = t(`attendance.status.${record.status}`);
  const came = record.status === "present" || record.status === "late";
  return came && record.checkedInAt ? t("attendance.checkedIn", { status: word, time: clock(record.checkedInAt) }) : word;
}

function itemRow(item, person) {
  let record = (item.attendance || []).find((a) => a.personId === person.id);
  const status = h("p", { class: `attendance-status status-${record ? record.status : "none"}`, text: statusText(record) });
  const slot = h("div");
  const alert = alertArea();
  const label = `${item.title}, ${dayName(item.localDate, { near: false })}`;

  const openButton = button(t("attendance.change"), "edit", () => openForm(), {
    extra: h("span", { class: "sr-only", text: ` ${label}` }),
  });
  const close = () => {
    slot.replaceChildren(openButton);
    openButton.focus();
  };
  const openForm = () => {
    const theForm = form({
      className: "form attendance-form",
      fields: [
        field({
          name: "status",
          label: t("attendance.statusLabel", { title: item.title }),
          value: (record && record.status) || "present",
          options: STATUSES.map((s) => ({ value: s, label: t(`attendance.status.${s}`) })),
        }),
        field({ name: "note", label: t("attendance.note"), optional: true, attrs: { maxlength: "500", autocomplete: "off" } }),
      ],
      submitLabel: t("common.save"),
      onSubmit: async (v) => {
        const path = `/api/schedule/items/${encodeURIComponent(item.id)}/attendance/${encodeURIComponent(person.id)}`;
        const detail = await api.put(path, { status: v.status, note: v.note || "" });
        record = { status: detail.status, checkedInAt: detail.checkedInAt };
        status.className = `attendance-status status-${record.status}`;
        status.textContent = statusText(record);
        close();
        announce(t("attendance.saved", { status: t(`attendance.status.${record.status}`) }));
      },
      extra: button(t("attendance.cancelEdit"), null, close, { kind: "plain" }),
    });
    slot.replaceChildren(theForm);
    theForm.querySelector("select").focus();
  };
  slot.append(openButton);

  return h(
    "li",
    { class: `card attendance-item${item.cancelled ? " item-cancelled" : ""}` },
    h("h3", { class: "item-title" }, icon(item.kind), h("span", { text: item.title })),
    h("p", { text: `${dayName(item.localDate, { near: false })} · ${t("item.time", { start: item.localStart, end: item.localEnd })}` }),
    item.cancelled && h("p", { class: "item-off" }, icon("cancel"), h("span", { text: t("item.cancelled") })),
    !item.cancelled && status,
    alert,
    !item.cancelled && slot,
  );
}

/** The "Deze week" section of a worker's page. */
export async function attendanceSection(person) {
  const first = mondayOf(today());
  const last = addDays(first, 6);
  const items = await api.get(
    `/api/schedule/items?workerId=${encodeURIComponent(person.id)}&from=${first}&to=${last}`,
  );
  items.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  return section(
    t("attendance.title", { first: shortDay(first), last: shortDay(last) }),
    items.length
      ? h("ul", { class: "plain-list stack" }, items.map((item) => itemRow(item, person)))
      : h("p", { class: "muted", text: t("attendance.empty", { name: person.firstName }) }),
    person.active &&
      linkButton(t("plan.forWorker", { name: person.firstName }), "calendar", `#/plan/${encodeURIComponent(person.id)}`),
  );
}
