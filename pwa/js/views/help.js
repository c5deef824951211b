// "Ik heb hulp nodig" on the worker's Home: one button under the day (worker.js); tapped, it asks what kind
// of help (work, ride, health, other) with a pictogram each, and tells the coach at once (an urgent
// push and an inbox message, in the coach's language). Through the outbox: without a connection
// the question waits on the phone and is sent once. The server sends one message per kind per few
// minutes, so tapping again does not flood the coach (the answer says it was already sent).

import { h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { queue } from "../outbox.js";
import { alertArea, announce, runAction } from "../ui.js";

export const HELP_KINDS = [
  { key: "work", icon: "shift", label: () => t("help.kind.work") },
  { key: "ride", icon: "car", label: () => t("help.kind.ride") },
  { key: "health", icon: "heart", label: () => t("help.kind.health") },
  { key: "other", icon: "question", label: () => t("help.kind.other") },
];

/** The panel that asks what kind of help (the Home's button, in worker.js, loads this on its first tap). */
export function helpPanel() {
  const panelId = `help-panel-${Math.random().toString(36).slice(2, 8)}`;
  const alert = alertArea();
  const status = h("p", { class: "help-status", role: "status" });
  const title = h("h2", { id: `${panelId}-title`, tabindex: "-1", text: t("help.title") });

  function send(kind) {
    runAction(alert, async () => {
      const result = await queue({ kind: "help", path: "/api/help-requests", body: { kind: kind.key }, label: kind.label() });
      let text;
      if (result.state === "waiting") text = t("help.waiting");
      else if (result.data && result.data.repeated) text = t("help.repeated");
      else text = t("help.sent");
      status.replaceChildren(icon(result.state === "waiting" ? "wait" : "check"), h("span", { text }));
      announce(text);
    });
  }

  const kinds = HELP_KINDS.map((kind) =>
    h("button", { type: "button", class: "btn btn-secondary help-kind", "data-help": kind.key, onclick: () => send(kind) }, icon(kind.icon), h("span", { text: kind.label() })),
  );
  return h("div", { id: panelId, class: "help-panel stack-s", role: "group", "aria-labelledby": title.id }, title, h("div", { class: "help-grid" }, kinds), status, alert);
}
