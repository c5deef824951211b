// The admin's trajectory template editor: per organisation, per programme, the steps in order.

import { api } from "../api.js";
import { h } from "../dom.js";
import { field, form } from "../form.js";
import { t } from "../i18n.js";
import { announce, button, heading, linkButton, section } from "../ui.js";

const PROGRAMMES = ["lde", "maatwerk", "wep", "art60", "other"];

function stepRow(step, index, rows) {
  const nl = field({ name: `titleNl-${index}`, label: t("templates.stepNl", { n: index + 1 }), value: step.titleNl || "" });
  const en = field({ name: `titleEn-${index}`, label: t("templates.stepEn", { n: index + 1 }), value: step.titleEn || "", optional: true });
  const exit = h("input", { type: "checkbox", id: `exit-${index}-${rows.id}`, name: `exit-${index}`, checked: Boolean(step.isExit) });
  return h(
    "fieldset",
    { class: "card step", "data-id": step.id || "" },
    h("legend", { text: t("templates.step", { n: index + 1 }) }),
    nl,
    en,
    h("div", { class: "radio" }, exit, h("label", { for: exit.id, text: t("templates.isExit") })),
    button(t("templates.removeStep"), "cancel", () => {
      rows.steps.splice(index, 1);
      rows.draw();
    }, { kind: "plain" }),
  );
}

function editor(template, organisationId, done) {
  const rows = { id: template.id || "new", steps: template.steps.map((s) => ({ ...s })), draw: null };
  const holder = h("div", { class: "stack-s" });
  rows.draw = () => holder.replaceChildren(...rows.steps.map((s, i) => stepRow(s, i, rows)));
  rows.draw();
  const readSteps = (data) =>
    rows.steps.map((s, i) => ({
      ...(s.id ? { id: s.id } : {}),
      titleNl: data[`titleNl-${i}`] || "",
      titleEn: data[`titleEn-${i}`] || "",
      isExit: Boolean(holder.querySelector(`[name="exit-${i}"]`).checked),
    }));
  const el = form({
    fields: [
      field({ name: "name", label: t("templates.name"), value: template.name || "" }),
      field({ name: "programme", label: t("templates.programme"), options: PROGRAMMES.map((p) => ({ value: p, label: t(`programme.${p}`) })), value: template.programme || "lde" }),
      holder,
    ],
    extra: button(t("templates.addStep"), "plus", () => {
      // Keep what was typed in the other steps.
      const data = Object.fromEntries(new FormData(el));
      rows.steps = readSteps(data);
      rows.steps.push({ titleNl: "", titleEn: "", isExit: false });
      rows.draw();
    }),
    submitLabel: t("common.save"),
    onSubmit: async (data) => {
      const body = { name: data.name, programme: data.programme, steps: readSteps(data) };
      if (template.id) await api.put(`/api/coaching/templates/${encodeURIComponent(template.id)}`, body);
      else await api.post("/api/coaching/templates", { ...body, organisationId });
      announce(t("common.saved"));
      done();
    },
  });
  return section(template.id ? template.name : t("templates.new"), el);
}

export async function templatesView(ctx) {
  const organisationId = ctx.params.id;
  const [organisation, templates] = await Promise.all([
    api.get(`/api/organisations/${encodeURIComponent(organisationId)}`),
    api.get(`/api/coaching/templates?organisationId=${encodeURIComponent(organisationId)}`),
  ]);
  return h(
    "div",
    { class: "stack" },
    linkButton(t("common.back"), "back", `#/organisations/${encodeURIComponent(organisationId)}`, { kind: "plain" }),
    heading(t("templates.title", { name: organisation.name })),
    ...templates.map((tp) => editor(tp, organisationId, () => ctx.refresh())),
    editor({ name: "", programme: "lde", steps: [{ titleNl: "" }] }, organisationId, () => ctx.refresh()),
  );
}
