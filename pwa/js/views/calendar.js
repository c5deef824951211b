// "Mijn agenda" in a worker's settings: the private link of their calendar feed, to add to the
// phone's own calendar app. "Zet in mijn agenda" opens it as a webcal:// subscription (the phone's
// calendar app asks to subscribe); "Kopieer link" is there for apps that want the address pasted;
// "Nieuwe link" makes a new one (the old one then stops working).

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { alertArea, button, confirmButton, copyText, linkButton, runAction, section } from "../ui.js";

/** The feed's address as a calendar subscription: webcal:// in place of http(s)://. */
export function webcalUrl(url) {
  return url.replace(/^https?:\/\//i, "webcal://");
}

export async function calendarSection() {
  const info = await api.get("/api/calendar");
  const alert = alertArea();
  const status = h("p", { class: "notice-line", role: "status" });
  const input = h("input", { id: "calendar-link", type: "text", readonly: true, class: "link-input", spellcheck: "false" });
  input.value = info.url;
  const subscribe = linkButton(t("calendar.subscribe"), "calendar", webcalUrl(info.url), { kind: "primary" });
  input.addEventListener("focus", () => input.select());

  const makeRenew = () => confirmButton({
    label: t("calendar.renew"),
    iconName: "refresh",
    kind: "secondary",
    question: t("calendar.renewQuestion"),
    yes: t("calendar.renewYes"),
    onConfirm: () =>
      runAction(alert, async () => {
        const fresh = await api.post("/api/calendar/renew");
        input.value = fresh.url;
        subscribe.href = webcalUrl(fresh.url);
        // Back to the single button; focus on the new link.
        renewBox.replaceChildren(makeRenew());
        input.focus();
        status.textContent = t("calendar.renewed");
      }),
  });
  const renewBox = h("div", null, makeRenew());

  return section(
    t("calendar.title"),
    h("p", { text: t("calendar.intro") }),
    h("div", { class: "field" }, h("label", { for: "calendar-link", text: t("calendar.link") }), input),
    alert,
    h(
      "div",
      { class: "actions" },
      subscribe,
      button(t("calendar.copy"), "copy", async () => {
        const ok = await copyText(input.value, input);
        status.textContent = ok ? t("calendar.copied") : t("calendar.copyFailed");
      }),
    ),
    status,
    h("p", { class: "muted", text: t("calendar.renewHelp") }),
    renewBox,
  );
}
