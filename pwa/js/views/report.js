// "Ik ben ziek" and "Ik kom te laat": short forms that go through the outbox, so they also work
// without a connection and reach the coach exactly once.

import { addDays, shortDay, today } from "../dates.js";
import { append, h, icon } from "../dom.js";
import { field, form, radios } from "../form.js";
import { t } from "../i18n.js";
import { outboxPanel, readCopy, whileShown } from "../offline.js";
import { onOutbox, queue } from "../outbox.js";
import { readAloudButton } from "../readAloud.js";
import { announce, heading, linkButton, notice, swapIn } from "../ui.js";
import { nextItem } from "./week.js";

let counter = 0;

/** A labelled multi-line field with an error line, shaped like form.js's fields. */
export function textArea({ name, label, hint, value = "", maxLength = 500 }) {
  const id = `ta-${name}-${++counter}`;
  const control = h("textarea", { id, name, rows: "3", maxlength: String(maxLength) });
  control.value = value;
  control.setAttribute("aria-describedby", [hint && `${id}-hint`, `${id}-error`].filter(Boolean).join(" "));
  return h(
    "div",
    { class: "field", "data-field": name },
    h("label", { for: id, text: `${label} ${t("form.optional")}` }),
    hint && h("p", { id: `${id}-hint`, class: "hint", text: hint }),
    control,
    h("p", { id: `${id}-error`, class: "field-error", hidden: true }),
  );
}

/** An error for the form helper: the message under one field, nothing sent. */
function fieldError(name, message) {
  return Object.assign(new Error(t("report.fixField")), { status: 400, errors: [{ field: name, message }] });
}

/**
 * What the screen shows after sending: "verstuurd", or "wordt verstuurd" while the outbox waits;
 * the waiting text turns into the sent text when the outbox manages later.
 */
function sentPanel(kind, result) {
  const title = h("h2", { tabindex: "-1", text: t(`report.${kind}.thanks`) });
  const message = h("div");
  const show = (state, text) => message.replaceChildren(
    state === "sent" ? notice(text) : h("div", { class: "notice notice-wait" }, icon("wait"), h("p", { text })),
  );
  const panel = h(
    "section",
    { class: "stack" },
    title,
    message,
    linkButton(t("report.backHome"), "home", "#/home", { kind: "primary" }),
  );
  if (result.state === "sent") {
    show("sent", t(`report.${kind}.sent`));
    announce(t(`report.${kind}.sent`));
  } else {
    show("waiting", t(`report.${kind}.waiting`));
    announce(t(`report.${kind}.waiting`));
    const stop = onOutbox((change) => {
      if (change.id !== result.id) return;
      if (change.state === "sent") show("sent", t(`report.${kind}.sent`));
      if (change.state === "failed") message.replaceChildren(h("div", { class: "alert" }, icon("alert"), h("p", { text: change.message })));
      if (change.state !== "waiting") stop();
    });
    whileShown(panel, stop);
  }
  return panel;
}

/** The frame both screens share: back, title, read aloud, waiting actions, intro, form. */
function screen(titleKey, introKey, theForm) {
  const body = h("div", { class: "stack" });
  return append(body, [
    linkButton(t("common.back"), "back", "#/home", { kind: "plain" }),
    heading(t(titleKey)),
    readAloudButton(() => body),
    outboxPanel(),
    h("p", { class: "lead", text: t(introKey) }),
    theForm,
  ]);
}

// ---- Ik ben ziek -------------------------------------------------------------------------------

export async function sickView() {
  const day = today();
  const dates = [
    field({ name: "firstDay", label: t("report.sick.firstDay"), type: "date", value: day }),
    field({ name: "lastDay", label: t("report.sick.lastDay"), type: "date", value: addDays(day, 1) }),
  ];
  const range = h("div", { class: "stack", hidden: true }, dates);
  const howLong = radios({
    name: "howLong",
    legend: t("report.sick.howLong"),
    value: "today",
    options: [
      { value: "today", label: t("report.sick.onlyToday") },
      { value: "more", label: t("report.sick.moreDays") },
    ],
  });
  howLong.addEventListener("change", (event) => {
    range.hidden = event.target.value !== "more";
  });

  let container;
  const theForm = form({
    fields: [howLong, range, textArea({ name: "note", label: t("report.sick.note"), hint: t("report.sick.noteHint") })],
    submitLabel: t("report.send"),
    submitIcon: "send",
    onSubmit: async (v) => {
      // The days are always sent: an action that waits until tomorrow must still mean today.
      const more = v.howLong === "more";
      const firstDay = more ? v.firstDay || day : day;
      const lastDay = more ? v.lastDay || firstDay : day;
      if (more && lastDay < firstDay) throw fieldError("lastDay", t("report.sick.lastBeforeFirst"));
      const label = firstDay === lastDay ? shortDay(firstDay) : `${shortDay(firstDay)} – ${shortDay(lastDay)}`;
      const result = await queue({ kind: "sick", path: "/api/reports/sick", body: { firstDay, lastDay, note: v.note || "" }, label });
      swapIn(container, sentPanel("sick", result));
    },
  });
  container = h("div", null, theForm);
  return screen("report.sick.title", "report.sick.intro", container);
}

// ---- Ik kom te laat ----------------------------------------------------------------------------

const MINUTES = [5, 10, 15, 30, 60];

function minutesChoice() {
  const errorId = `late-minutes-error-${++counter}`;
  return h(
    "fieldset",
    { class: "field minutes", "data-field": "minutes", "aria-describedby": errorId },
    h("legend", { text: t("report.late.howMuch") }),
    h(
      "div",
      { class: "minute-grid" },
      MINUTES.map((n) => {
        const id = `late-minutes-${n}-${counter}`;
        return h(
          "div",
          { class: "minute" },
          h("input", { type: "radio", id, name: "minutes", value: String(n) }),
          h("label", { for: id }, h("span", { class: "minute-number", text: String(n) }), " ", h("span", { text: t("report.late.minutes") })),
        );
      }),
    ),
    h("p", { id: errorId, class: "field-error", hidden: true }),
  );
}

/** Today's item the worker will be late for: the next one of today, from the last schedule seen. */
function lateFor() {
  const copy = readCopy("mine");
  const next = copy && nextItem(copy.data.filter((i) => i.localDate === today()));
  return next || null;
}

export async function lateView() {
  let container;
  const theForm = form({
    fields: [minutesChoice(), textArea({ name: "reason", label: t("report.late.reason"), hint: t("report.late.reasonHint") })],
    submitLabel: t("report.send"),
    submitIcon: "send",
    onSubmit: async (v) => {
      const minutes = Number(v.minutes);
      if (!minutes) throw fieldError("minutes", t("report.late.chooseMinutes"));
      const item = lateFor();
      const body = { minutes, reason: v.reason || "" };
      if (item) body.itemId = item.id;
      const result = await queue({ kind: "late", path: "/api/reports/late", body, label: t("report.late.label", { minutes }) });
      swapIn(container, sentPanel("late", result));
    },
  });
  container = h("div", null, theForm);
  return screen("report.late.title", "report.late.intro", container);
}
