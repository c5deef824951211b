// Settings for everyone: language, notifications and quiet hours, my devices, and signing out.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { alertArea, confirmButton, fullName, heading, runAction, section } from "../ui.js";
import { calendarSection } from "./calendar.js";
import { devicesSection } from "./devices.js";
import { notificationSections } from "./pushSettings.js";
import { passwordSection } from "./reset.js";
import { languageSwitch } from "./signin.js";

export async function settingsView(ctx) {
  const [devices, notifications] = await Promise.all([api.get("/api/me/devices"), notificationSections(ctx)]);
  const me = ctx.me;
  const signOutAlert = alertArea();
  const calendar = me.role === "worker" ? await calendarSection() : null;

  return h(
    "div",
    { class: "stack" },
    heading(t("settings.title")),
    h(
      "p",
      { class: "lead" },
      t("settings.signedInAs", { name: fullName(me), role: t(`role.${me.role}`) }),
      me.organisation && ` · ${me.organisation.name}`,
    ),
    section(t("settings.language"), languageSwitch(ctx.chooseLanguage)),
    notifications,
    calendar,
    (me.role === "coach" || me.role === "admin") && passwordSection(),
    devicesSection(devices, (device) => api.del(`/api/me/devices/${encodeURIComponent(device.id)}`), { keepCurrent: true }),
    section(
      t("settings.signOutTitle"),
      h("p", { text: me.role === "worker" || me.role === "buddy" ? t("settings.signOutHelpInvite") : t("settings.signOutHelp") }),
      signOutAlert,
      // Asked twice: a worker who signs out by mistake needs a new code from their coach.
      confirmButton({
        label: t("settings.signOut"),
        iconName: "logout",
        question: t("settings.signOutQuestion"),
        yes: t("settings.signOutYes"),
        onConfirm: () =>
          runAction(signOutAlert, async () => {
            await api.post("/api/auth/logout");
            ctx.signOut(t("settings.signedOut"));
          }),
      }),
    ),
  );
}
