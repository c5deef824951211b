// The coach's reminders: write one to a worker, a group or the whole caseload (now, at a
// moment, or every week), and follow each one per person: queued, sent, failed (why), read, OK.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { compact, field, form, radios } from "../form.js";
import { formatDateTime, locale, t } from "../i18n.js";
import { announce, button, fullName, heading, notice, section } from "../ui.js";
import { byName } from "./coach.js";
import { phrasePicker } from "./phraseCompose.js";

const POLL_MS = 5000;

// Per recipient state: an icon and a word, never colour alone.
const STATES = {
  queued: "clock",
  sent: "send",
  inbox: "inbox",
  failed: "alert",
  expired: "alert",
  read: "eye",
  acknowledged: "check",
};

/** Why a push did not arrive, in words a coach understands (the technical reason below it). */
function reason(error) {
  if (!error) return "";
  if (/quiet hours/.test(error)) return t("reminders.whyQuiet");
  if (/answered (404|410)/.test(error)) return t("reminders.whyGone");
  if (/^gave up/.test(error)) return t("reminders.whyGaveUp");
  return t("reminders.whyRefused");
}

function recipientRow(r) {
  const state = STATES[r.state] ? r.state : "queued";
  const why = (state === "failed" || state === "expired") && r.error;
  return h(
    "li",
    { class: "recipient" },
    h("span", { class: "recipient-name", text: r.name }),
    h("span", { class: `state state-${state}` }, icon(STATES[state]), h("span", { text: t(`reminders.state.${state}`) })),
    why && h("span", { class: "recipient-why" }, reason(r.error), h("span", { class: "muted", text: ` (${r.error})` })),
    // The worker's quick reply, in the coach's words (the reply is a key; views/quickReplies.js).
    r.reply &&
      h(
        "span",
        { class: "recipient-reply", "data-reply": r.reply },
        icon("sms"),
        h("span", { text: t("reminders.reply", { reply: t(`reply.${r.reply}`) }) }),
        r.repliedAt && h("span", { class: "muted", text: ` (${formatDateTime(r.repliedAt)})` }),
      ),
    // A reader of another language: what they read (their words, or the Dutch with "Written in Dutch").
    r.seen &&
      h(
        "details",
        { class: "recipient-seen" },
        h("summary", { text: t("reminders.seenIn", { name: r.name, language: r.languageName }) }),
        h("p", { class: "seen-title", lang: r.seen.titleLanguage, dir: "auto", text: r.seen.title }),
        r.seen.body && h("p", { lang: r.seen.bodyLanguage, dir: "auto", text: r.seen.body }),
        r.seen.mark && h("p", { class: "muted", lang: r.language, dir: r.dir, text: r.seen.mark }),
      ),
  );
}

function reminderCard(reminder) {
  const acked = reminder.recipients.filter((r) => r.state === "acknowledged").length;
  return h(
    "li",
    { class: "card reminder" },
    h("h3", null, reminder.title, reminder.recurring && h("span", { class: "badge badge-active", text: t("reminders.weekly") })),
    h("p", { class: "muted", text: reminder.dueAt ? formatDateTime(reminder.dueAt) : "" }),
    reminder.body && h("p", { text: reminder.body }),
    h("p", { class: "reminder-summary", text: t("reminders.summary", { count: reminder.recipients.length, acked }) }),
    h("ul", { class: "plain-list recipients", "aria-label": t("reminders.recipientsOf", { title: reminder.title }) }, reminder.recipients.map(recipientRow)),
  );
}

function weekdayName(isoDay) {
  // 1 January 2024 was a Monday: ISO day 1.
  return new Intl.DateTimeFormat(locale(), { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, isoDay)));
}

function weekdayBoxes() {
  const errorId = "rem-weekdays-error";
  return h(
    "fieldset",
    { class: "field radios weekdays", "data-field": "weekdays", "aria-describedby": errorId },
    h("legend", { text: t("reminders.days") }),
    [1, 2, 3, 4, 5, 6, 7].map((day) =>
      h("div", { class: "radio" }, h("input", { type: "checkbox", id: `rem-day-${day}`, name: "weekdays", value: String(day) }), h("label", { for: `rem-day-${day}`, text: weekdayName(day) })),
    ),
    h("p", { id: errorId, class: "field-error", hidden: true }),
  );
}

function bodyField() {
  const id = "rem-body";
  return h(
    "div",
    { class: "field", "data-field": "body" },
    h("label", { for: id, text: `${t("reminders.body")} ${t("form.optional")}` }),
    h("textarea", { id, name: "body", rows: "3", maxlength: "1000", "aria-describedby": `${id}-error` }),
    h("p", { id: `${id}-error`, class: "field-error", hidden: true }),
  );
}

/** Mistakes the form shows under their fields without asking the server: [[field, message]]. */
function fieldErrors(list) {
  return Object.assign(new Error(t("reminders.checkForm")), { errors: list.map(([field, message]) => ({ field, message })) });
}

/** Local "now" for datetime-local's min, e.g. "2025-03-04T09:30". */
function localNow() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function reminderForm({ me, workers, groups, phrases, onStart, onCreated }) {
  const mine = workers.filter((w) => w.coachId === me.id);
  const targets = [{ value: "worker", label: t("reminders.toWorker") }];
  if (groups.length) targets.push({ value: "group", label: t("reminders.toGroup") });
  targets.push({ value: "caseload", label: t("reminders.toCaseload", { count: mine.length }) });

  const workerField = field({
    name: "workerIds",
    label: t("reminders.worker"),
    options: [{ value: "", label: t("reminders.chooseWorker") }, ...workers.map((w) => ({ value: w.id, label: fullName(w) }))],
  });
  const groupField = field({
    name: "groupId",
    label: t("reminders.group"),
    options: [{ value: "", label: t("reminders.chooseGroup") }, ...groups.map((g) => ({ value: g.id, label: g.name }))],
  });
  const atField = field({ name: "at", label: t("reminders.at"), type: "datetime-local", attrs: { min: localNow() } });
  const weekly = h(
    "div",
    { class: "stack-s" },
    weekdayBoxes(),
    field({ name: "time", label: t("reminders.time"), type: "time", value: "08:00" }),
    field({ name: "until", label: t("reminders.until"), type: "date", optional: true, hint: t("reminders.untilHint") }),
  );

  // "Kies een zin" (a phrase each worker reads in their language) or the coach's own words.
  let el;
  const chosenRecipients = () => {
    const v = Object.fromEntries(new FormData(el));
    if (v.target === "worker") return v.workerIds ? { workerIds: [v.workerIds] } : null;
    if (v.target === "group") return v.groupId ? { groupId: v.groupId } : null;
    return { wholeCaseload: true };
  };
  const picker = phrasePicker({ phrases, recipients: chosenRecipients, note: () => el.querySelector('[name="body"]').value.trim() });
  const titleField = field({ name: "title", label: t("reminders.titleField"), required: true, attrs: { maxlength: "120" }, hint: t("reminders.titleHint") });
  el = form({
    fields: [
      radios({
        name: "compose",
        legend: t("phrases.how"),
        value: "text",
        options: [
          { value: "phrase", label: t("phrases.pick") },
          { value: "text", label: t("phrases.ownText") },
        ],
      }),
      picker.el,
      titleField,
      bodyField(),
      radios({ name: "target", legend: t("reminders.to"), options: targets, value: "worker" }),
      workerField,
      groupField,
      radios({
        name: "when",
        legend: t("reminders.when"),
        value: "now",
        options: [
          { value: "now", label: t("reminders.now") },
          { value: "at", label: t("reminders.later") },
          { value: "weekly", label: t("reminders.everyWeek") },
        ],
      }),
      atField,
      weekly,
    ],
    extra: picker.preview,
    submitLabel: t("reminders.send"),
    submitIcon: "send",
    onSubmit: async (values, formEl) => {
      onStart();
      const usePhrase = values.compose === "phrase";
      const body = usePhrase ? { phrase: picker.value(), body: values.body || "" } : { title: values.title, body: values.body || "" };
      const missing = usePhrase ? picker.missing() : [];
      if (!usePhrase && !values.title) missing.push(["title", t("reminders.needTitle")]);
      if (values.target === "worker") {
        if (!values.workerIds) missing.push(["workerIds", t("reminders.needWorker")]);
        body.workerIds = [values.workerIds];
      } else if (values.target === "group") {
        if (!values.groupId) missing.push(["groupId", t("reminders.needGroup")]);
        body.groupId = values.groupId;
      } else body.wholeCaseload = true;
      if (values.when === "at") {
        if (!values.at) missing.push(["at", t("reminders.needAt")]);
        body.at = values.at;
      } else if (values.when === "weekly") {
        const weekdays = [...formEl.querySelectorAll('input[name="weekdays"]:checked')].map((box) => Number(box.value));
        if (!weekdays.length) missing.push(["weekdays", t("reminders.needDays")]);
        if (!values.time) missing.push(["time", t("reminders.needTime")]);
        body.recurrence = compact({ weekdays, time: values.time, until: values.until });
      }
      if (missing.length) throw fieldErrors(missing);
      try {
        await api.post("/api/reminders", body);
      } catch (error) {
        // "phrase.slots.time" is the slot's field here ("time" alone is the weekly time).
        for (const e of error.errors || []) {
          const slot = /^phrase\.slots\.(\w+)$/.exec(e.field || "");
          if (slot) e.field = `slot_${slot[1]}`;
          else if (e.field === "phrase.id") e.field = "phraseId";
        }
        throw error;
      }
      formEl.reset();
      // The coach keeps the way they write (a phrase or their own text) for the next reminder.
      const mode = formEl.querySelector(`input[name="compose"][value="${values.compose}"]`);
      if (mode) mode.checked = true;
      picker.el.querySelector("select").dispatchEvent(new Event("change"));
      // reset() empties fields whose value was set from script; the usual time comes back.
      formEl.querySelector('input[name="time"]').value = "08:00";
      sync();
      onCreated(values.when === "now" ? t("reminders.sent") : t("reminders.planned"));
    },
  });

  // Show only the fields that go with the choices made.
  const sync = () => {
    const target = el.querySelector('input[name="target"]:checked')?.value;
    const when = el.querySelector('input[name="when"]:checked')?.value;
    workerField.hidden = target !== "worker";
    groupField.hidden = target !== "group";
    atField.hidden = when !== "at";
    weekly.hidden = when !== "weekly";
    const usePhrase = el.querySelector('input[name="compose"]:checked')?.value === "phrase";
    picker.el.hidden = !usePhrase;
    picker.preview.hidden = !usePhrase;
    titleField.hidden = usePhrase;
  };
  // The preview follows what the coach fills in (and to whom), a moment after they stop typing.
  let timer = 0;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => picker.refresh(), 300);
  };
  el.addEventListener("change", (event) => {
    sync();
    if (event.target.name !== "phraseId") later();
  });
  el.addEventListener("input", (event) => {
    if (event.target.name && (event.target.name.startsWith("slot_") || event.target.name === "body")) later();
  });
  sync();
  picker.refresh();
  return el;
}

/** "#/reminders" (coaches). */
/** A running weekly reminder: when, for how many people, and a button to stop it. */
function ruleCard(rule, onStop) {
  const days = rule.weekdays.map(weekdayName).join(", ");
  return h(
    "li",
    { class: "card" },
    h("h3", { text: rule.title }),
    h("p", { text: t("reminders.ruleWhen", { days, time: rule.time }) }),
    h("p", { class: "muted", text: t("reminders.ruleCount", { count: rule.recipientCount }) }),
    button(t("reminders.ruleStop"), "stop", onStop, {
      extra: h("span", { class: "sr-only", text: `: ${rule.title}` }),
    }),
  );
}

export async function remindersView({ me }) {
  const [workers, groups, recent, phrases] = await Promise.all([
    api.get("/api/people?role=worker"),
    api.get("/api/groups"),
    api.get("/api/reminders"),
    api.get("/api/phrases"),
  ]);
  const active = workers.filter((w) => w.active).sort(byName);
  const done = h("div", { role: "status", class: "status-area" });
  const list = h("ul", { class: "plain-list stack reminder-list" });
  let shown = "";

  const draw = (reminders) => {
    const json = JSON.stringify(reminders);
    if (json === shown) return;
    shown = json;
    list.replaceChildren(...(reminders.length ? reminders.map(reminderCard) : [h("li", { class: "muted", text: t("reminders.none") })]));
  };
  const reload = async () => draw(await api.get("/api/reminders"));
  draw(recent);

  // Weekly reminders that still run, each with "Stop".
  const rules = h("ul", { class: "plain-list stack" });
  const drawRules = async () => {
    const running = await api.get("/api/reminders/rules");
    rules.replaceChildren(
      ...(running.length
        ? running.map((rule) =>
            ruleCard(rule, async () => {
              await api.post(`/api/reminders/rules/${rule.id}/end`, {});
              announce(t("reminders.ruleStopped", { title: rule.title }));
              await drawRules();
              reload().catch(() => {});
            }),
          )
        : [h("li", { class: "muted", text: t("reminders.noRules") })]),
    );
  };
  await drawRules();

  // While this screen is open, the states follow what happens (sent, read, OK) without a tap.
  const timer = setInterval(() => {
    if (!list.isConnected) return clearInterval(timer);
    // Not while someone reads the list with the keyboard: redrawing would lose their place.
    if (document.hidden || list.contains(document.activeElement)) return;
    reload().catch(() => {});
  }, POLL_MS);

  return h(
    "div",
    { class: "stack" },
    heading(t("reminders.title")),
    h("p", { class: "lead", text: t("reminders.intro") }),
    section(
      t("reminders.new"),
      reminderForm({
        me,
        workers: active,
        groups,
        phrases,
        onStart: () => done.replaceChildren(),
        onCreated: (message) => {
          done.replaceChildren(notice(message));
          announce(message);
          reload().catch(() => {});
          drawRules().catch(() => {});
        },
      }),
      done,
    ),
    section(t("reminders.rules"), rules),
    section(
      t("reminders.recent"),
      button(t("reminders.refresh"), "refresh", () => reload().then(() => announce(t("reminders.refreshed")), () => {}), { kind: "plain" }),
      list,
    ),
  );
}
