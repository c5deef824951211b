// A list of signed-in devices with "Afmelden" per device: used for "my devices" in settings
// and by a coach on a person's page. "Afmelden" asks first: the phone then needs a new code.

import { dateTime } from "../dates.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { alertArea, announce, confirmButton, runAction, section } from "../ui.js";

/** "Afmelden", then "Toestel afmelden? ..." with "Ja, afmelden" and "Annuleer" in its place. */
function revokeButton(device, label, onRevoke) {
  const box = confirmButton({
    label: t("devices.revoke"),
    iconName: "logout",
    question: t("devices.revokeQuestion", { device: label }),
    yes: t("devices.revokeYes"),
    onConfirm: () => onRevoke(device),
  });
  // Screen-reader users hear which device the first button is for.
  box.querySelector("button").append(h("span", { class: "sr-only", text: ` ${label}` }));
  return box;
}

function deviceItem(device, onRevoke) {
  const label = device.label || t("devices.unknown");
  return h(
    "li",
    { class: "card device" },
    h("h3", null, label, device.current && h("span", { class: "badge badge-active", text: t("devices.current") })),
    h("p", { class: "muted", text: device.kind === "password" ? t("devices.kindPassword") : t("devices.kindInvite") }),
    h("p", { class: "muted", text: t("devices.since", { date: dateTime(device.createdAt) }) }),
    device.lastSeenAt && h("p", { class: "muted", text: t("devices.lastSeen", { date: dateTime(device.lastSeenAt) }) }),
    onRevoke && revokeButton(device, label, onRevoke),
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
