// Notifications on this device: the "Meldingen aanzetten" card on the home screen, and in
// settings the same switch, "Stuur me een testmelding" and quiet hours.

import { api, ApiError, request } from "../api.js";
import { h, icon } from "../dom.js";
import { field, form } from "../form.js";
import { t } from "../i18n.js";
import { currentSubscription, disablePush, enablePush, permission, pushSupport } from "../push.js";
import { alertArea, announce, button, notice, runAction, section, showAlert } from "../ui.js";

const LATER = "werkmaat.pushLater";

/** Where push stands on this device: "ios-install", "unsupported", "denied", "on" or "off". */
async function pushState() {
  const support = pushSupport();
  if (support !== "ok") return support;
  if (permission() === "denied") return "denied";
  try {
    return (await currentSubscription()) && permission() === "granted" ? "on" : "off";
  } catch {
    return "off";
  }
}

/** Why turn it on, in one line that fits the person's role. */
function why(role) {
  return t(role === "coach" ? "push.whyCoach" : role === "buddy" ? "push.whyBuddy" : "push.whyWorker");
}

/** Safari on iPhone/iPad: push needs Werkmaat on the home screen first. */
function installSteps() {
  return h(
    "div",
    { class: "stack-s" },
    h("p", { text: t("install.pushNeedsHome") }),
    h("ol", { class: "steps" }, h("li", { text: t("install.step1") }), h("li", { text: t("install.step2") }), h("li", { text: t("install.step3") })),
  );
}

/** Put `node` in the place of the box's content and move focus to it (the button is gone). */
function replaceWith(box, node) {
  box.replaceChildren(node);
  node.setAttribute("tabindex", "-1");
  node.focus();
}

/**
 * The switch itself: explanation and "Meldingen aanzetten", or "on" with the test and off buttons.
 * `onChange` is called after it was turned on or off.
 */
function pushControls(state, me, { onChange } = {}) {
  const alert = alertArea();
  const box = h("div", { class: "stack-s" });
  const note = h("p", { role: "status", class: "status-area hint" });

  const turnOn = () =>
    // No runAction here: the permission question must be asked within the tap, before any await.
    enablePush().then(
      (answer) => {
        if (answer === "granted") {
          announce(t("push.enabled"));
          onChange && onChange("on");
        } else if (answer === "denied") replaceWith(box, h("p", { text: t("push.denied") }));
        // The question was closed without an answer: the button stays for another try.
        else note.textContent = t("push.notNow");
      },
      (error) => {
        console.error(error);
        showAlert(alert, error instanceof ApiError ? error : t("push.failed"));
      },
    );

  if (state === "ios-install") box.append(installSteps());
  else if (state === "unsupported") box.append(h("p", { text: t("push.unsupported") }));
  else if (state === "denied") box.append(h("p", { text: t("push.blocked") }));
  else if (state === "off") {
    box.append(h("p", { text: why(me.role) }), alert, note, h("div", { class: "actions" }, button(t("push.enable"), "bell", turnOn, { kind: "primary" })));
  } else {
    const sent = h("div", { role: "status", class: "status-area" });
    box.append(
      h("p", { class: "state-line" }, icon("bell"), h("span", { text: t("push.isOn") })),
      alert,
      sent,
      h(
        "div",
        { class: "actions" },
        button(t("push.test"), "send", () =>
          runAction(alert, async () => {
            await api.post("/api/push/test");
            sent.replaceChildren(notice(t("push.testSent")));
          }), { kind: "primary" }),
        button(t("push.disable"), "bellOff", () =>
          runAction(alert, async () => {
            await disablePush();
            announce(t("push.disabled"));
            onChange && onChange("off");
          })),
      ),
    );
  }
  return box;
}

/** The home screen card, or null when there is nothing to ask (on, blocked, unsupported, "later"). */
export async function pushHomeCard({ me }) {
  let later = false;
  try {
    later = localStorage.getItem(LATER) === "1";
  } catch {
    // Private mode: the card just keeps showing.
  }
  const state = await pushState();
  if (later || (state !== "off" && state !== "ios-install")) return null;
  const titleId = "push-card-title";
  const body = h("div", { class: "stack-s" });
  const content = pushControls(state, me, {
    onChange: () => replaceWith(body, h("div", { class: "stack-s" }, notice(t("push.enabled")), h("a", { href: "#/settings", text: t("push.testInSettings") }))),
  });
  const laterButton = button(t("push.later"), null, () => {
    try {
      localStorage.setItem(LATER, "1");
    } catch {
      // Private mode: hidden until the next start.
    }
    replaceWith(body, h("p", { text: t("push.laterDone") }));
  }, { kind: "plain" });
  body.append(content, laterButton);
  return h("section", { class: "card push-card", "aria-labelledby": titleId }, h("h2", { id: titleId }, icon("bell"), h("span", { text: t("push.cardTitle") })), body);
}

/** Settings: "Meldingen" (on/off, test) and "Stille uren". */
export async function notificationSections(ctx) {
  const [state, quiet] = await Promise.all([pushState(), api.get("/api/notification-settings")]);
  const pushBox = section(t("push.title"));
  let controls = null;
  const draw = (now) => {
    if (controls) controls.remove();
    controls = pushControls(now, ctx.me, {
      onChange: async (next) => {
        draw(next);
        pushBox.querySelector("h2").focus();
      },
    });
    pushBox.append(controls);
  };
  pushBox.querySelector("h2").setAttribute("tabindex", "-1");
  draw(state);
  return [pushBox, quietSection(quiet)];
}

function quietSection(quiet) {
  const saved = h("div", { role: "status", class: "status-area" });
  const el = form({
    fields: [
      field({ name: "quietStart", label: t("quiet.start"), type: "time", value: quiet.quietStart, required: true }),
      field({ name: "quietEnd", label: t("quiet.end"), type: "time", value: quiet.quietEnd, required: true }),
    ],
    submitLabel: t("quiet.save"),
    onSubmit: async (values) => {
      saved.replaceChildren();
      const answer = await request("PUT", "/api/notification-settings", values);
      saved.replaceChildren(notice(answer.quietStart === answer.quietEnd ? t("quiet.savedNone") : t("quiet.saved", { start: answer.quietStart, end: answer.quietEnd })));
    },
    className: "form quiet-form",
  });
  return section(t("quiet.title"), h("p", { text: t("quiet.explain") }), h("p", { class: "hint", text: t("quiet.hint") }), el, saved);
}
