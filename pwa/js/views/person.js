// One person, as their coach (or an admin) sees them: details, a new invite, their devices,
// and switching their access off or on again.

import { api } from "../api.js";
import { h } from "../dom.js";
import { formatDateTime, LANGUAGE_NAMES, t } from "../i18n.js";
import {
  alertArea,
  announce,
  badge,
  button,
  callActions,
  confirmButton,
  fullName,
  heading,
  linkButton,
  runAction,
  section,
  swapIn,
} from "../ui.js";
import { attendanceSection } from "./attendance.js";
import { devicesSection } from "./devices.js";
import { invitePanel } from "./invite.js";
import { resetPanel } from "./reset.js";
import { homeSection } from "./mobility.js";

function details(rows) {
  return h(
    "dl",
    { class: "details" },
    rows.filter(([, value]) => value).map(([term, value]) => h("div", null, h("dt", { text: term }), h("dd", null, value))),
  );
}

export async function personDetail(ctx) {
  const id = encodeURIComponent(ctx.params.id);
  const [person, devices] = await Promise.all([api.get(`/api/people/${id}`), api.get(`/api/people/${id}/devices`)]);
  const [workplaces, buddy] = await Promise.all([
    person.workplaceId && person.organisationId
      ? api.get(`/api/organisations/${encodeURIComponent(person.organisationId)}/workplaces`).catch(() => [])
      : [],
    person.buddyId ? api.get(`/api/people/${encodeURIComponent(person.buddyId)}`).catch(() => null) : null,
  ]);
  const workplace = workplaces.find((w) => w.id === person.workplaceId);
  const week = person.role === "worker" ? await attendanceSection(person) : null;
  const home = person.role === "worker" && person.active ? await homeSection(person).catch(() => null) : null;
  const invitable = person.role === "worker" || person.role === "buddy";
  const container = h("div", { class: "stack" });
  // Each action shows its error right beside its button.
  const inviteAlert = alertArea();
  const accessAlert = alertArea();
  const resetAlert = alertArea();

  // An admin can hand a coach (or another admin) a single-use link to set a new password.
  const resetSection =
    ctx.me.role === "admin" &&
    (person.role === "coach" || person.role === "admin") &&
    person.active &&
    section(
      t("reset.sectionTitle"),
      h("p", { text: t("reset.sectionHelp", { name: person.firstName }) }),
      resetAlert,
      button(t("reset.make"), "send", () =>
        runAction(resetAlert, async () => {
          const reset = await api.post(`/api/people/${id}/password-reset`);
          swapIn(container, resetPanel(person, reset, () => ctx.refresh()));
          announce(t("reset.made"));
        }),
      ),
    );

  const inviteSection =
    invitable &&
    person.active &&
    section(
      t("person.inviteTitle"),
      h("p", { text: t("person.inviteHelp", { name: person.firstName }) }),
      inviteAlert,
      button(t("person.newInvite"), "send", () =>
        runAction(inviteAlert, async () => {
          const invite = await api.post(`/api/people/${id}/invites`);
          swapIn(container, invitePanel(person, invite, () => ctx.refresh()));
          announce(t("person.inviteMade"));
        }),
      ),
    );

  const access = person.active
    ? confirmButton({
        label: t("person.deactivate"),
        iconName: "power",
        question: t("person.deactivateQuestion", { name: person.firstName }),
        yes: t("person.deactivateYes"),
        onConfirm: () =>
          runAction(accessAlert, async () => {
            await api.post(`/api/people/${id}/deactivate`);
            announce(t("person.deactivated", { name: person.firstName }));
            ctx.refresh();
          }),
      })
    : confirmButton({
        label: t("person.activate"),
        iconName: "power",
        kind: "primary",
        question: t("person.activateQuestion", { name: person.firstName }),
        yes: t("person.activateYes"),
        onConfirm: () =>
          runAction(accessAlert, async () => {
            await api.post(`/api/people/${id}/activate`);
            announce(t("person.activated", { name: person.firstName }));
            ctx.refresh();
          }),
      });

  const buddyLink = buddy && h("a", { href: `#/people/${encodeURIComponent(buddy.id)}`, text: fullName(buddy) });
  const canEdit = ctx.me.role === "coach" && invitable;

  container.append(
    linkButton(t("common.back"), "back", "#/home", { kind: "plain" }),
    h("div", { class: "title-row" }, heading(fullName(person)), badge(person.active)),
    details([
      [t("person.role"), t(`role.${person.role}`)],
      [t("person.phone"), person.phone],
      [t("person.email"), person.email],
      [t("person.language"), LANGUAGE_NAMES[person.language] || person.language],
      [t("person.workplace"), workplace && workplace.name],
      [t("person.buddy"), buddyLink],
      [t("person.createdAt"), formatDateTime(person.createdAt)],
      [t("person.deactivatedAt"), !person.active && formatDateTime(person.deactivatedAt)],
    ]),
    person.active && callActions(person),
    canEdit && h("div", { class: "actions" }, linkButton(t("person.edit"), "edit", `#/people/${id}/edit`)),
    week,
    home,
    inviteSection,
    resetSection,
    devicesSection(devices, (device) => api.del(`/api/people/${id}/devices/${encodeURIComponent(device.id)}`), {
      intro: t("devices.introOther", { name: person.firstName }),
    }),
    section(t("person.accessTitle"), h("p", { text: person.active ? t("person.deactivateHelp") : t("person.activateHelp") }), accessAlert, access),
  );
  return container;
}
