// One worker's file for their coach: status, flags to close with a note, milestones to update,
// notes to add and edit, and the timeline of everything, newest first.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { moment } from "../dates.js";
import { field, form } from "../form.js";
import { t } from "../i18n.js";
import { announce, heading, linkButton, notice, section } from "../ui.js";

const STATUSES = ["active", "paused", "moved_on", "stopped"];
const MILESTONE_STATUSES = ["planned", "in_progress", "reached", "skipped"];

function textarea(name, label, value = "", { required = false, rows = 4 } = {}) {
  const box = field({ name, label });
  const input = box.querySelector("input");
  const area = h("textarea", { id: input.id, name, rows, required, "aria-describedby": input.getAttribute("aria-describedby") });
  area.value = value;
  input.replaceWith(area);
  return box;
}

function options(values, prefix) {
  return values.map((value) => ({ value, label: t(`${prefix}.${value}`) }));
}

function flagItem(flag, refresh) {
  const closeForm = form({
    fields: [textarea("note", t("file.closeNote"), "", { required: true, rows: 2 })],
    submitLabel: t("file.closeFlag"),
    onSubmit: async (data) => {
      await api.post(`/api/coaching/flags/${encodeURIComponent(flag.id)}/close`, { note: data.note });
      announce(t("file.flagClosed"));
      refresh();
    },
  });
  return h(
    "li",
    { class: "card flag-card" },
    h("p", { class: "flag" }, icon("alert"), h("strong", { text: flag.reason })),
    h("p", { class: "muted", text: flag.clearedAt ? t("file.flagCleared", { when: moment(flag.clearedAt) }) : t("file.flagOpened", { when: moment(flag.openedAt) }) }),
    h("details", { class: "fold" }, h("summary", { text: t("file.closeWithNote") }), closeForm),
  );
}

function milestoneItem(stone, refresh) {
  const edit = form({
    fields: [
      field({ name: "status", label: t("file.milestoneStatus"), options: options(MILESTONE_STATUSES, "milestone"), value: stone.status }),
      field({ name: "reachedOn", label: t("file.reachedOn"), type: "date", value: stone.reachedOn || "", optional: true }),
      field({ name: "plannedOn", label: t("file.plannedOn"), type: "date", value: stone.plannedOn || "", optional: true }),
      textarea("evidence", t("file.evidence"), stone.evidence, { rows: 2 }),
    ],
    submitLabel: t("common.save"),
    onSubmit: async (data) => {
      await api.patch(`/api/coaching/milestones/${encodeURIComponent(stone.id)}`, {
        status: data.status,
        reachedOn: data.status === "reached" ? data.reachedOn || null : null,
        plannedOn: data.plannedOn || null,
        evidence: data.evidence,
      });
      announce(t("common.saved"));
      refresh();
    },
  });
  const done = stone.status === "reached";
  return h(
    "li",
    { class: "card milestone" },
    h("p", null, icon(done ? "check" : "clock"), h("strong", { text: stone.title }), " · ", h("span", { text: t(`milestone.${stone.status}`) })),
    stone.reachedOn && h("p", { class: "muted", text: t("file.reachedOnText", { day: stone.reachedOn }) }),
    h("details", { class: "fold" }, h("summary", { text: t("file.editMilestone", { title: stone.title }) }), edit),
  );
}

function noteItem(note, refresh) {
  const edit = form({
    fields: [textarea("body", t("file.noteBody"), note.body, { required: true })],
    submitLabel: t("common.save"),
    onSubmit: async (data) => {
      await api.patch(`/api/coaching/notes/${encodeURIComponent(note.id)}`, { body: data.body });
      announce(t("common.saved"));
      refresh();
    },
  });
  const by = note.author ? note.author.name : "";
  return h(
    "li",
    { class: "card note" },
    h("p", { class: "muted", text: `${t(`note.kind.${note.kind}`)} · ${by} · ${moment(note.createdAt)}${note.edited ? ` · ${t("file.edited")}` : ""}` }),
    h("p", { class: "note-body", text: note.body }),
    h("details", { class: "fold" }, h("summary", { text: t("file.editNote") }), edit),
  );
}

async function timelineSection(personId) {
  const list = h("ol", { class: "timeline" });
  const more = h("div");
  async function load(before) {
    const query = before ? `?limit=30&before=${encodeURIComponent(before)}` : "?limit=30";
    const page = await api.get(`/api/coaching/workers/${encodeURIComponent(personId)}/timeline${query}`);
    list.append(
      ...page.entries.map((e) =>
        h("li", null, h("span", { class: "muted", text: moment(e.at) }), " ", h("strong", { text: `${t(`timeline.${e.kind}`)}: ${e.title}` }), e.detail && h("span", { text: ` · ${e.detail}` })),
      ),
    );
    more.replaceChildren(
      page.nextBefore
        ? h("button", { type: "button", class: "btn btn-secondary", onclick: () => load(page.nextBefore) }, h("span", { text: t("file.older") }))
        : h("p", { class: "muted", text: t("file.timelineEnd") }),
    );
  }
  await load(null);
  return section(t("file.timeline"), list, more);
}

export async function workerFileView(ctx) {
  const id = encodeURIComponent(ctx.params.id);
  const file = await api.get(`/api/coaching/workers/${id}`);
  const refresh = () => ctx.refresh();
  const name = `${file.firstName} ${file.lastName}`.trim();

  const statusForm = form({
    fields: [
      field({ name: "status", label: t("file.status"), options: options(STATUSES, "status"), value: file.status }),
      field({ name: "detail", label: t("file.statusDetail"), hint: t("file.statusDetailHint"), optional: true }),
    ],
    submitLabel: t("file.saveStatus"),
    onSubmit: async (data) => {
      await api.put(`/api/coaching/workers/${id}/status`, { status: data.status, detail: data.detail });
      announce(t("common.saved"));
      refresh();
    },
  });

  const noteForm = form({
    fields: [
      textarea("body", t("file.noteBody"), "", { required: true }),
      field({ name: "kind", label: t("file.noteKind"), options: options(["note", "contact"], "note.kind"), value: "note" }),
    ],
    submitLabel: t("file.addNote"),
    submitIcon: "plus",
    onSubmit: async (data) => {
      await api.post(`/api/coaching/workers/${id}/notes`, { body: data.body, kind: data.kind });
      announce(t("file.noteAdded"));
      refresh();
    },
  });

  let milestones;
  if (file.milestones.length) {
    milestones = h("ol", { class: "plain-list stack-s" }, file.milestones.map((m) => milestoneItem(m, refresh)));
  } else {
    const templates = await api.get("/api/coaching/templates").catch(() => []);
    milestones = form({
      fields: [field({ name: "templateId", label: t("file.template"), options: templates.map((tp) => ({ value: tp.id, label: tp.name })) })],
      submitLabel: t("file.applyTemplate"),
      onSubmit: async (data) => {
        await api.post(`/api/coaching/workers/${id}/milestones`, { templateId: data.templateId });
        refresh();
      },
    });
  }

  return h(
    "div",
    { class: "stack" },
    linkButton(t("caseload.back"), "back", "#/caseload", { kind: "plain" }),
    h("div", { class: "title-row" }, heading(name), h("span", { class: `badge status-${file.status}`, text: t(`status.${file.status}`) })),
    h(
      "dl",
      { class: "details" },
      [
        [t("file.programme"), t(`programme.${file.programme}`)],
        [t("file.startedOn"), file.startedOn || "–"],
        [t("file.coach"), file.coach ? file.coach.name : "–"],
        [t("file.buddy"), file.buddy ? file.buddy.name : "–"],
        [t("file.movedOnTo"), file.movedOnTo],
        [t("file.stoppedReason"), file.stoppedReason],
      ]
        .filter(([, v]) => v)
        .map(([term, value]) => h("div", null, h("dt", { text: term }), h("dd", { text: value }))),
    ),
    h("div", { class: "actions" }, linkButton(t("file.personDetails"), "user", `#/people/${id}`)),
    section(
      t("file.flags", { count: file.flags.length }),
      file.flags.length ? h("ul", { class: "plain-list stack-s" }, file.flags.map((f) => flagItem(f, refresh))) : notice(t("file.noFlags")),
    ),
    section(t("file.milestones"), milestones),
    section(t("file.notes"), noteForm, h("ul", { class: "plain-list stack-s" }, file.notes.map((n) => noteItem(n, refresh)))),
    section(t("file.statusTitle"), statusForm),
    await timelineSection(ctx.params.id),
  );
}
