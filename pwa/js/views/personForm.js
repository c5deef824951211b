// Add a worker or buddy (then show their invite), or change someone's details.

import { api } from "../api.js";
import { h } from "../dom.js";
import { compact, field, form, radios } from "../form.js";
import { LANGUAGE_NAMES, LANGUAGES, t } from "../i18n.js";
import { announce, fullName, heading, linkButton, swapIn } from "../ui.js";
import { byName } from "./coach.js";
import { invitePanel } from "./invite.js";

export async function personForm(ctx) {
  const { me, params } = ctx;
  const editing = Boolean(params.id);
  const orgId = me.organisation && me.organisation.id;
  const [person, workplaces, buddies] = await Promise.all([
    editing ? api.get(`/api/people/${encodeURIComponent(params.id)}`) : null,
    orgId ? api.get(`/api/organisations/${encodeURIComponent(orgId)}/workplaces`) : [],
    api.get("/api/people?role=buddy"),
  ]);
  const current = person || { role: "worker", language: "nl" };
  const back = editing ? `#/people/${encodeURIComponent(params.id)}` : "#/home";

  // Workplace and buddy only matter for a worker; they hide when "buddy" is chosen.
  const workerOnly = [
    field({
      name: "workplaceId",
      label: t("person.workplace"),
      value: current.workplaceId || "",
      options: [{ value: "", label: t("person.noWorkplace") }, ...workplaces.map((w) => ({ value: w.id, label: w.name }))],
    }),
    field({
      name: "buddyId",
      label: t("person.buddy"),
      value: current.buddyId || "",
      options: [
        { value: "", label: t("person.noBuddy") },
        ...buddies
          .filter((b) => b.active || b.id === current.buddyId)
          .sort(byName)
          .map((b) => ({ value: b.id, label: fullName(b) })),
      ],
    }),
  ];
  const showWorkerFields = (role) => {
    for (const box of workerOnly) box.hidden = role !== "worker";
  };
  showWorkerFields(current.role);

  const roleChoice =
    !editing &&
    radios({
      name: "role",
      legend: t("person.role"),
      value: "worker",
      options: [
        { value: "worker", label: t("role.worker") },
        { value: "buddy", label: t("role.buddy") },
      ],
    });
  if (roleChoice) roleChoice.addEventListener("change", (event) => showWorkerFields(event.target.value));

  const container = h("div", { class: "stack" });
  const theForm = form({
    fields: [
      roleChoice,
      field({ name: "firstName", label: t("person.firstName"), value: current.firstName, required: true, attrs: { autocomplete: "off" } }),
      field({ name: "lastName", label: t("person.lastName"), value: current.lastName, attrs: { autocomplete: "off" } }),
      field({
        name: "phone",
        label: t("person.phone"),
        type: "tel",
        value: current.phone,
        hint: t("person.phoneHint"),
        optional: true,
        attrs: { autocomplete: "off", inputmode: "tel" },
      }),
      field({
        name: "language",
        label: t("person.language"),
        value: current.language,
        options: LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l], lang: l })),
      }),
      workerOnly,
    ],
    submitLabel: editing ? t("common.save") : t("person.create"),
    submitIcon: editing ? "check" : "plus",
    onSubmit: async (v) => {
      const role = editing ? current.role : v.role;
      const body = { firstName: v.firstName, lastName: v.lastName, phone: v.phone, language: v.language };
      if (role === "worker") {
        body.workplaceId = v.workplaceId || null;
        body.buddyId = v.buddyId || null;
      }
      if (editing) {
        await api.patch(`/api/people/${encodeURIComponent(params.id)}`, body);
        announce(t("common.saved"));
        ctx.navigate(`/people/${encodeURIComponent(params.id)}`);
        return;
      }
      const created = await api.post("/api/people", compact({ ...body, role }));
      if (created.invite) {
        swapIn(container, invitePanel(created.person, created.invite, () => ctx.navigate("/home")));
        announce(t("person.created", { name: created.person.firstName }));
      } else {
        ctx.navigate(`/people/${encodeURIComponent(created.person.id)}`);
      }
    },
  });

  container.append(
    linkButton(t("common.back"), "back", back, { kind: "plain" }),
    heading(editing ? t("person.editTitle", { name: fullName(current) }) : t("person.newTitle")),
    !editing && h("p", { class: "lead", text: t("person.newIntro") }),
    theForm,
  );
  return container;
}
