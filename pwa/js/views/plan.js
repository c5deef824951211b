// "Plannen": a coach plans one shift, training, intake or meeting for a worker, or the same every
// week (a series). Server errors appear under the field they are about; nothing typed is lost.
// Before saving, the server says what the plan would clash with (the same series planned twice,
// a worker who already has something then); the coach then changes it or taps "Toch opslaan".

import { api } from "../api.js";
import { addDays, dayName, today } from "../dates.js";
import { h, icon } from "../dom.js";
import { field, form, radios } from "../form.js";
import { locale, t } from "../i18n.js";
import { alertArea, announce, button, fullName, heading, linkButton, notice, runAction, swapIn } from "../ui.js";
import { byName } from "./coach.js";
import { textArea } from "./report.js";

export const KINDS = ["shift", "training", "intake", "coach_meeting"];
export const BRING = ["safety_shoes", "work_clothes", "id_card", "lunch", "drink", "gloves", "helmet", "documents", "bank_card", "pen"];

let counter = 0;

/** Checkboxes in a fieldset; `render(option)` gives each label's content. */
export function checks({ name, legend, options, checked = [], className = "" }) {
  const errorId = `plan-${name}-error-${++counter}`;
  return h(
    "fieldset",
    { class: `field checks ${className}`, "data-field": name, "aria-describedby": errorId },
    h("legend", { text: legend }),
    h(
      "div",
      { class: "check-grid" },
      options.map((o) => {
        const id = `plan-${name}-${o.value}-${counter}`;
        return h(
          "div",
          { class: "check" },
          h("input", { type: "checkbox", id, name, value: String(o.value), checked: checked.includes(o.value) }),
          h("label", { for: id }, o.icon && icon(o.icon), h("span", { text: o.label })),
        );
      }),
    ),
    h("p", { id: errorId, class: "field-error", hidden: true }),
  );
}

/** Monday ... Sunday in the current language, as ISO weekdays 1-7. */
function weekdays() {
  const format = new Intl.DateTimeFormat(locale(), { weekday: "long", timeZone: "UTC" });
  // 5 January 2026 is a Monday.
  return [1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: format.format(new Date(Date.UTC(2026, 0, 4 + d, 12))) }));
}

function donePanel(title, worker, group, again) {
  return h(
    "section",
    { class: "stack" },
    h("h2", { text: t("plan.doneTitle") }),
    notice(t("plan.done", { title, name: worker ? fullName(worker) : group.name })),
    h(
      "div",
      { class: "actions" },
      worker &&
        linkButton(t("plan.toWorker", { name: worker.firstName }), "user", `#/people/${encodeURIComponent(worker.id)}`, { kind: "primary" }),
      h("button", { type: "button", class: "btn btn-secondary", onclick: again }, icon("plus"), h("span", { text: t("plan.again") })),
    ),
  );
}

// A group is chosen in the same list as a worker; its value carries this prefix.
const GROUP = "group:";

/** One clash as a sentence: "Ahmed Worker heeft dan al: Atelier, maandag 7 december 08:00-16:00." */
function conflictLine(c) {
  const words = { name: c.workerName, title: c.title, day: dayName(c.localDate, { near: false }), start: c.localStart, end: c.localEnd };
  return h(
    "li",
    { class: "flag" },
    icon("alert"),
    h("span", { text: [t(c.sameSeries ? "plan.conflictSameSeries" : "plan.conflictItem", words), c.count > 1 ? t("plan.conflictMore", { n: c.count - 1 }) : ""].join(" ").trim() }),
  );
}

let warnings = 0;

export async function planView(ctx) {
  const { me, params } = ctx;
  const orgId = me.organisation && me.organisation.id;
  const [people, workplaces, groups] = await Promise.all([
    api.get("/api/people?role=worker"),
    orgId ? api.get(`/api/organisations/${encodeURIComponent(orgId)}/workplaces`) : [],
    api.get("/api/groups"),
  ]);
  const ownGroups = groups.filter((g) => g.ownerId === me.id);
  const workers = people.filter((p) => p.active).sort(byName);
  const chosen = workers.find((w) => w.id === params.workerId);
  const day = today();

  const workerField = field({
    name: "workerIds",
    label: t("plan.worker"),
    value: chosen ? chosen.id : "",
    options: [
      { value: "", label: t("plan.chooseWorker") },
      ...workers.map((w) => ({ value: w.id, label: fullName(w) })),
      ...ownGroups.map((g) => ({ value: GROUP + g.id, label: t("plan.groupOption", { name: g.name, count: g.memberIds.length }) })),
    ],
  });
  const placeField = field({
    name: "workplaceId",
    label: t("plan.workplace"),
    value: chosen ? chosen.workplaceId || "" : "",
    options: [{ value: "", label: t("plan.noWorkplace") }, ...workplaces.map((w) => ({ value: w.id, label: w.name }))],
  });
  // A worker usually goes to their own workplace: choosing the worker fills it in.
  workerField.querySelector("select").addEventListener("change", (event) => {
    const worker = workers.find((w) => w.id === event.target.value);
    if (worker && worker.workplaceId) placeField.querySelector("select").value = worker.workplaceId;
  });

  const once = h(
    "fieldset",
    { class: "stack plan-when" },
    h("legend", { class: "sr-only", text: t("plan.once") }),
    field({ name: "startsAt", label: t("plan.date"), type: "date", value: day }),
    h(
      "div",
      { class: "pair" },
      field({ name: "onceStart", label: t("plan.startTime"), type: "time", value: "08:00" }),
      field({ name: "endsAt", label: t("plan.endTime"), type: "time", value: "16:00" }),
    ),
  );
  const weekly = h(
    "fieldset",
    { class: "stack plan-when", hidden: true, disabled: true },
    h("legend", { class: "sr-only", text: t("plan.weekly") }),
    checks({ name: "weekdays", legend: t("plan.weekdays"), options: weekdays(), checked: [1, 2, 3, 4, 5] }),
    h(
      "div",
      { class: "pair" },
      field({ name: "startTime", label: t("plan.startTime"), type: "time", value: "08:00" }),
      field({ name: "endTime", label: t("plan.endTime"), type: "time", value: "16:00" }),
    ),
    h(
      "div",
      { class: "pair" },
      field({ name: "validFrom", label: t("plan.validFrom"), type: "date", value: day }),
      field({ name: "validUntil", label: t("plan.validUntil"), type: "date", optional: true, hint: t("plan.validUntilHint") }),
    ),
  );
  const repeat = radios({
    name: "repeat",
    legend: t("plan.repeat"),
    value: "once",
    options: [
      { value: "once", label: t("plan.once") },
      { value: "weekly", label: t("plan.weekly") },
    ],
  });
  repeat.addEventListener("change", (event) => {
    const isWeekly = event.target.value === "weekly";
    // A disabled fieldset is left out of the form's values and of the tab order.
    weekly.hidden = weekly.disabled = !isWeekly;
    once.hidden = once.disabled = isWeekly;
  });

  const container = h("div");
  // The warning about clashes, between the fields and the submit button; gone as soon as the
  // plan changes, so "Toch opslaan" always saves exactly what was checked.
  const warning = h("section", { class: "conflict-warning", hidden: true });
  let warned = null;
  function clearWarning() {
    warned = null;
    warning.hidden = true;
    warning.replaceChildren();
  }
  function showWarning(conflicts, plan) {
    warned = plan;
    const id = `plan-conflicts-${++warnings}`;
    const saveAlert = alertArea();
    const title = h("h2", { id, tabindex: "-1", text: t("plan.conflictTitle") });
    warning.setAttribute("aria-labelledby", id);
    warning.replaceChildren(
      title,
      h("p", { text: t("plan.conflictIntro") }),
      h("ul", { class: "flag-list" }, conflicts.map(conflictLine)),
      saveAlert,
      h(
        "div",
        { class: "actions" },
        button(t("plan.saveAnyway"), "check", () => runAction(saveAlert, () => warned && save(warned)), { kind: "primary" }),
        button(t("plan.change"), "back", () => {
          clearWarning();
          const first = theForm.querySelector("fieldset.plan-when:not([disabled]) input");
          if (first) first.focus();
        }),
      ),
    );
    warning.hidden = false;
    title.focus();
  }
  async function save({ path, body, v }) {
    await api.post(path, body);
    clearWarning();
    const worker = workers.find((w) => w.id === v.workerIds);
    const group = ownGroups.find((g) => GROUP + g.id === v.workerIds);
    swapIn(container, donePanel(v.title, worker, group, () => {
      swapIn(container, theForm);
      announce(t("plan.againReady"));
    }));
    announce(t("plan.done", { title: v.title, name: worker ? fullName(worker) : group.name }));
  }

  const theForm = form({
    fields: [
      workerField,
      field({
        name: "kind",
        label: t("plan.kind"),
        value: "shift",
        options: KINDS.map((k) => ({ value: k, label: t(`item.kind.${k}`) })),
      }),
      field({ name: "title", label: t("plan.title"), hint: t("plan.titleHint"), attrs: { maxlength: "120", autocomplete: "off" } }),
      repeat,
      once,
      weekly,
      placeField,
      field({ name: "address", label: t("plan.address"), hint: t("plan.addressHint"), optional: true, attrs: { autocomplete: "off" } }),
      h(
        "div",
        { class: "pair" },
        field({ name: "contactName", label: t("plan.contactName"), optional: true, attrs: { autocomplete: "off" } }),
        field({ name: "contactPhone", label: t("plan.contactPhone"), type: "tel", optional: true, attrs: { autocomplete: "off", inputmode: "tel" } }),
      ),
      checks({
        name: "bring",
        legend: t("plan.bring"),
        className: "bring-checks",
        options: BRING.map((code) => ({ value: code, label: t(`bring.${code}`), icon: code })),
      }),
      textArea({ name: "note", label: t("plan.note"), hint: t("plan.noteHint"), maxLength: 2000 }),
    ],
    extra: warning,
    submitLabel: t("plan.submit"),
    submitIcon: "calendar",
    onSubmit: async (v, formEl) => {
      // Checked here first so both show at once (the server stops at the first kind of error).
      const missing = [];
      if (!v.workerIds) missing.push({ field: "workerIds", message: t("plan.workerMissing") });
      if (!v.title) missing.push({ field: "title", message: t("plan.titleMissing") });
      if (missing.length) throw Object.assign(new Error(t("report.fixField")), { status: 400, errors: missing });
      const data = new FormData(formEl);
      const place = v.workplaceId || v.address ? { workplaceId: v.workplaceId || null, address: v.address || "" } : null;
      const body = {
        title: v.title,
        kind: v.kind,
        workerIds: v.workerIds && !v.workerIds.startsWith(GROUP) ? [v.workerIds] : [],
        groupId: v.workerIds && v.workerIds.startsWith(GROUP) ? v.workerIds.slice(GROUP.length) : null,
        place,
        contactName: v.contactName || "",
        contactPhone: v.contactPhone || "",
        bring: data.getAll("bring"),
        note: v.note || "",
      };
      if (v.repeat === "weekly") {
        Object.assign(body, {
          weekdays: data.getAll("weekdays").map(Number),
          startTime: v.startTime,
          endTime: v.endTime,
          validFrom: v.validFrom,
          validUntil: v.validUntil || null,
        });
      } else {
        // Local wall-clock times; an end at or before the start is the next morning (a night shift).
        const endDay = v.endsAt && v.onceStart && v.endsAt <= v.onceStart ? addDays(v.startsAt, 1) : v.startsAt;
        body.startsAt = `${v.startsAt}T${v.onceStart || "00:00"}:00`;
        body.endsAt = `${endDay}T${v.endsAt || "00:00"}:00`;
      }
      const path = v.repeat === "weekly" ? "/api/schedule/series" : "/api/schedule/items";
      // The same body, checked first: a mistake in it is a 400 under its field, as when saving.
      const { conflicts } = await api.post(`${path}/conflicts`, body);
      if (conflicts.length) return showWarning(conflicts, { path, body, v });
      await save({ path, body, v });
    },
  });
  theForm.addEventListener("input", clearWarning);
  theForm.addEventListener("change", clearWarning);
  container.append(theForm);

  return h(
    "div",
    { class: "stack" },
    linkButton(t("common.back"), "back", chosen ? `#/people/${encodeURIComponent(chosen.id)}` : "#/home", { kind: "plain" }),
    heading(t("plan.heading")),
    h("p", { class: "lead", text: t("plan.intro") }),
    container,
    linkButton(t("plan.toGroups"), "users", "#/groups", { kind: "plain" }),
  );
}
