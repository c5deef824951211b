// Quick replies on an inbox message: five big buttons, each a pictogram and a word ("OK", "Ik kom",
// "Ik kom niet", "Ik begrijp het niet", "Bel me"). The reply is a fixed key: the coach reads it in
// their own language. It goes through the outbox (outbox.js): tapped without a connection it waits
// on the phone and is sent once, with its own Idempotency-Key, when the connection is back.
// A later, different reply replaces the earlier one (the server keeps the latest).

import { h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { onOutbox, queue } from "../outbox.js";
import { whileShown } from "../offline.js";
import { alertArea, announce, runAction } from "../ui.js";

export const REPLIES = [
  { key: "ok", icon: "check", label: () => t("reply.ok") },
  { key: "coming", icon: "walk", label: () => t("reply.coming") },
  { key: "not_coming", icon: "cancel", label: () => t("reply.not_coming") },
  { key: "unclear", icon: "question", label: () => t("reply.unclear") },
  { key: "call_me", icon: "phone", label: () => t("reply.call_me") },
];

const labelOf = (key) => (REPLIES.find((r) => r.key === key) || { label: () => key }).label();

/**
 * The reply buttons of one message. `entry.reply` is the reply given before (or null);
 * `onReply(key)` is called once a reply is stored on the phone (sent or waiting).
 */
export function quickReplies(entry, { onReply = () => {} } = {}) {
  const alert = alertArea();
  const legendId = `reply-legend-${entry.id}`;
  const status = h("p", { class: "reply-status", role: "status" });
  let waitingId = null;

  const buttons = REPLIES.map((r) =>
    h(
      "button",
      {
        type: "button",
        class: "btn btn-secondary reply-button",
        "data-reply": r.key,
        "aria-pressed": String(entry.reply === r.key),
        onclick: () => choose(r.key),
      },
      icon(r.icon),
      h("span", { text: r.label() }),
    ),
  );

  function show(key, waiting) {
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.reply === key));
    status.replaceChildren(
      icon(waiting ? "wait" : "check"),
      h("span", { text: t("reply.yours", { reply: labelOf(key) }) }),
      h("span", { class: "muted", text: ` ${waiting ? t("reply.waiting") : t("reply.sent")}` }),
    );
  }

  function choose(key) {
    runAction(alert, async () => {
      const result = await queue({
        kind: "reply",
        path: `/api/inbox/${encodeURIComponent(entry.id)}/reply`,
        body: { reply: key },
        label: labelOf(key),
      });
      entry.reply = key;
      const waiting = result.state === "waiting";
      waitingId = waiting ? result.id : null;
      show(key, waiting);
      announce(t("reply.yours", { reply: labelOf(key) }));
      onReply(key);
    });
  }

  const group = h(
    "div",
    { class: "reply-area stack-s" },
    h("p", { id: legendId, class: "reply-legend", text: t("reply.legend") }),
    h("div", { class: "reply-grid", role: "group", "aria-labelledby": legendId }, buttons),
    status,
    alert,
  );
  if (entry.reply) show(entry.reply, false);
  // A reply that waited offline and went out later: say it is sent.
  const stop = onOutbox((change) => {
    if (waitingId && change.id === waitingId && change.state === "sent") {
      waitingId = null;
      show(entry.reply, false);
    }
  });
  whileShown(group, stop);
  return group;
}
