// A list of signed-in devices with "Afmelden" per device: used for "my devices" in settings
// and by a coach on a person's page.

import { h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { alertArea, announce, button, runAction, section } from "../ui.js";

function deviceItem(device, onRevoke) {
  const label = device.label || t("devices.unknown");
  return h(
    "li",
    { class: "card device" },
    h("h3", null, label, device.current && h("span", { class: "badge badge-active", text: t("devices.current") })),
    h("p", { class: "muted", text: device.kind === "password" ? t("devices.kindPassword") : t("devices.kindInvite") }),
    h("p", { class: "muted", text: t("devices.since", { date: formatDateTime(device.createdAt) }) }),
    device.lastSeenAt && h("p", { class: "muted", text: t("devices.lastSeen", { date: formatDateTime(device.lastSeenAt) }) }),
    onRevoke &&
      button(t("devices.revoke"), "logout", () => onRevoke(device), {
        extra: h("span", { class: "sr-only", text: ` ${label}` }),
      }),
  );
}

/**
 * revoke(device) does the request; `keepCurrent` leaves out the button for this very device
 * (signing out is its own button).
 */
export function devicesSection(devices, revoke, { keepCurrent = false, intro = t("devices.intro") } = {}) {
  const alert = alertArea();
  const list = h("ul", { class: "plain-list stack" });
  const box = section(t("devices.title"), h("p", { text: intro }), alert, list);
  const title = box.querySelector("h2");
  title.setAttribute("tabindex", "-1");

  const draw = () => {
    list.replaceChildren(
      ...(devices.length
        ? devices.map((d) => deviceItem(d, keepCurrent && d.current ? null : onRevoke))
        : [h("li", { class: "muted", text: t("devices.none") })]),
    );
  };
  const onRevoke = (device) =>
    runAction(alert, async () => {
      await revoke(device);
      devices = devices.filter((d) => d.id !== device.id);
      draw();
      // The button is gone; focus goes back to the list's heading.
      title.focus();
      announce(t("devices.revoked"));
    });
  draw();
  return box;
}
