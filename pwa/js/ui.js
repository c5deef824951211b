// Building blocks shared by the views: buttons, headings, alerts, contact cards, confirm steps.

import { h, icon } from "./dom.js";
import { t } from "./i18n.js";

/** A button with an icon beside its word. kind: primary | secondary | danger | plain. */
export function button(label, iconName, onClick, { kind = "secondary", type = "button", extra } = {}) {
  return h(
    "button",
    { type, class: `btn btn-${kind}`, onclick: onClick },
    iconName && icon(iconName),
    h("span", { text: label }),
    extra,
  );
}

/** A link that looks like a button (for navigation and tel:/sms: links). */
export function linkButton(label, iconName, href, { kind = "secondary", extra } = {}) {
  return h("a", { class: `btn btn-${kind}`, href }, iconName && icon(iconName), h("span", { text: label }), extra);
}

/** The view's main heading; focus goes here after navigation (hence tabindex -1). */
export function heading(text) {
  return h("h1", { tabindex: "-1", text });
}

export function section(title, ...children) {
  const id = `s-${Math.random().toString(36).slice(2, 9)}`;
  return h("section", { class: "section", "aria-labelledby": id }, h("h2", { id, text: title }), children);
}

/** Say something to screen-reader users without moving focus (the polite live region). */
export function announce(message) {
  const region = document.getElementById("status");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes screen readers announce repeated messages too.
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/** An alert area that is present (empty) from the start, so filling it is announced. */
export function alertArea() {
  return h("div", { role: "alert", class: "alert-area" });
}

/** Show an error (ApiError or message) in an alert area; pass null to clear it. */
export function showAlert(area, error, extraLines = []) {
  area.replaceChildren();
  if (!error) return;
  const message = typeof error === "string" ? error : error.message;
  area.append(
    h(
      "div",
      { class: "alert" },
      icon("alert"),
      h("div", null, h("p", { text: message }), extraLines.map((line) => h("p", { text: line }))),
    ),
  );
}

/** A short message in a box that stays on the page (for example "Klaar: uitnodiging gemaakt"). */
export function notice(text) {
  return h("div", { class: "notice" }, icon("check"), h("p", { text }));
}

export function fullName(person) {
  return [person.firstName, person.lastName].filter(Boolean).join(" ");
}

export function initials(person) {
  return ((person.firstName || "").charAt(0) + (person.lastName || "").charAt(0)).toUpperCase() || "?";
}

/** A phone number fit for a tel: or sms: address (digits and a leading +). */
function dialable(phone) {
  return (phone || "").replace(/[^\d+]/g, "");
}

/** Call and SMS links for a person; the hidden name tells screen-reader users whom they call. */
export function callActions(person) {
  const number = dialable(person.phone);
  if (!number) return h("p", { class: "muted", text: t("contact.noPhone") });
  const who = h("span", { class: "sr-only", text: ` ${fullName(person)}` });
  return h(
    "div",
    { class: "actions" },
    linkButton(t("contact.call"), "phone", `tel:${number}`, { kind: "primary", extra: who }),
    linkButton(t("contact.sms"), "sms", `sms:${number}`, { extra: who.cloneNode(true) }),
  );
}

/** A card with initials, name, what the person is to me, and big call/SMS buttons. */
export function contactCard(person, roleLabel) {
  return h(
    "article",
    { class: "card contact" },
    h(
      "div",
      { class: "contact-head" },
      h("span", { class: "avatar", "aria-hidden": "true", text: initials(person) }),
      h("div", null, h("h3", { text: fullName(person) }), roleLabel && h("p", { class: "muted", text: roleLabel })),
    ),
    callActions(person),
  );
}

export function badge(active) {
  return h("span", {
    class: active ? "badge badge-active" : "badge badge-inactive",
    text: active ? t("person.active") : t("person.inactive"),
  });
}

export function loading() {
  return h("p", { class: "loading", role: "status", text: t("common.loading") });
}

/**
 * A button that asks "are you sure?" in place before it acts: the question and two buttons
 * replace it, focus moves to the question, and "No" puts the original button back.
 */
export function confirmButton({ label, iconName, kind = "danger", question, yes, onConfirm }) {
  const wrapper = h("div", { class: "confirm" });
  const start = button(label, iconName, () => {
    const text = h("p", { tabindex: "-1", class: "confirm-question", text: question });
    const panel = h(
      "div",
      { class: "confirm-panel" },
      text,
      h(
        "div",
        { class: "actions" },
        button(yes, iconName, async () => {
          await onConfirm();
        }, { kind }),
        button(t("common.cancel"), null, () => {
          wrapper.replaceChildren(start);
          start.focus();
        }),
      ),
    );
    wrapper.replaceChildren(panel);
    text.focus();
  }, { kind });
  wrapper.append(start);
  return wrapper;
}

/** Run an action from a button: guard double taps, show errors in the given alert area. */
export async function runAction(alert, action) {
  if (alert.dataset.busy) return;
  alert.dataset.busy = "1";
  showAlert(alert, null);
  try {
    await action();
  } catch (error) {
    if (error.status !== 401) showAlert(alert, error);
  } finally {
    delete alert.dataset.busy;
  }
}

/** Copy text; falls back to selecting it in `input` when the Clipboard API is not there (http). */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!input) return false;
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  }
}

/** Put a new view part in place of the old one and move focus to its heading. */
export function swapIn(container, node) {
  container.replaceChildren(node);
  const title = node.querySelector("h1, h2");
  if (title) {
    title.setAttribute("tabindex", "-1");
    title.focus();
    if (title.tagName === "H1") document.title = `${title.textContent} – Werkmaat`;
  }
}

/**
 * A "Lees voor" button that loads the reading code (readAloud.js) only when tapped, so screens that
 * offer it stay light. `build(say)` gets that module and returns the sentences to read
 * (e.g. `say.itemSentences(item)`). Null when the browser cannot speak.
 */
export function readAloudLazy(build) {
  if (!("speechSynthesis" in window && "SpeechSynthesisUtterance" in window)) return null;
  const el = h("button", { type: "button", class: "btn btn-secondary read-aloud", "data-no-read": true },
    h("span", { class: "icon-slot" }, icon("speaker")), h("span", { text: t("readAloud.start") }));
  el.addEventListener("click", async () => {
    const say = await import("./readAloud.js");
    say.toggleReading(el, () => build(say));
  });
  return el;
}
