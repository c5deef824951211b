// Settings for everyone: language, notifications and quiet hours, my devices, and signing out.
// On a worker's or buddy's phone the devices last seen are kept: offline the screen still opens,
// with the banner, and the parts that need the server say so instead of "Er ging iets mis".

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { fetchOrCopy, offlineBanner } from "../offline.js";
import { alertArea, confirmButton, fullName, heading, runAction, section } from "../ui.js";
import { calendarSection } from "./calendar.js";
import { devicesSection } from "./devices.js";
import { notificationSections } from "./pushSettings.js";
import { passwordSection } from "./reset.js";
import { languageSwitch } from "./signin.js";

/** Offline, a part that needs the server: its title and one line saying so. */
function needsInternet(title) {
  return section(title, h("p", { class: "muted", text: t("settings.needsInternet") }));
}

export async function settingsView(ctx) {
  const me = ctx.me;
  const keep = me.role === "worker" || me.role === "buddy";
  const [devicesAnswer, notifications] = await Promise.all([
    keep ? fetchOrCopy("/api/me/devices", "devices") : api.get("/api/me/devices").then((data) => ({ data })),
    notificationSections(ctx).catch((error) => {
      if (!keep || error.status !== 0) throw error;
      return needsInternet(t("push.title"));
    }),
  ]);
  const { data: devices, offline, savedAt } = devicesAnswer;
  const signOutAlert = alertArea();
  // The calendar link is a secret: it is not kept on the phone, so offline it waits for the internet.
  const calendar = me.role === "worker"
    ? await calendarSection().catch((error) => {
      if (error.status !== 0) throw error;
      return needsInternet(t("calendar.title"));
    })
    : null;

  return h(
    "div",
    { class: "stack" },
    heading(t("settings.title")),
    offline && offlineBanner(savedAt, () => ctx.refresh()),
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
