// An invite, shown to the coach right after it is made: three ways for the worker or buddy to
// get in (scan the QR code, type the code, open the link) and when it stops working.

import { h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { announce, button, copyText, heading, section } from "../ui.js";

/** The server's QR code (SVG markup) as an image address; an <img> never runs what is inside. */
export function svgDataUrl(svg) {
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** Letters read one by one by a screen reader: "A B C D, E F G H". */
function spelled(code) {
  return code
    .split("-")
    .map((part) => part.split("").join(" "))
    .join(", ");
}

export function invitePanel(person, invite, onDone) {
  const name = person.firstName;
  const linkId = `invite-link-${invite.id}`;
  const link = h("input", { id: linkId, type: "text", readonly: true, class: "link-input", spellcheck: "false" });
  link.value = invite.url;

  return h(
    "div",
    { class: "stack invite" },
    heading(t("invite.title", { name })),
    h("p", { class: "lead", text: t("invite.intro", { name }) }),
    section(
      t("invite.qrTitle"),
      h("p", { text: t("invite.qrHelp", { name }) }),
      h("img", { class: "qr", src: svgDataUrl(invite.qrSvg), alt: t("invite.qrAlt", { name }) }),
    ),
    section(
      t("invite.codeTitle"),
      h("p", { text: t("invite.codeHelp") }),
      h(
        "p",
        { class: "invite-code" },
        h("span", { "aria-hidden": "true", text: invite.code }),
        h("span", { class: "sr-only", text: spelled(invite.code) }),
      ),
    ),
    section(
      t("invite.linkTitle"),
      h(
        "div",
        { class: "field" },
        h("label", { for: linkId, text: t("invite.linkLabel") }),
        link,
      ),
      button(t("invite.copy"), "copy", async () => {
        const ok = await copyText(invite.url, link);
        announce(ok ? t("invite.copied") : t("invite.copyFailed"));
      }),
    ),
    h("p", { class: "notice-line", text: t("invite.expires", { date: formatDateTime(invite.expiresAt) }) }),
    button(t("invite.done"), "check", onDone, { kind: "primary" }),
  );
}
