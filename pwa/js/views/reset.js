// Passwords: the page a reset link opens ("#/reset/<token>"), and the link as the admin sees it
// right after making it (like an invite: shown once, to hand over in person or by phone).

import { api } from "../api.js";
import { h } from "../dom.js";
import { field, form } from "../form.js";
import { formatDateTime, t } from "../i18n.js";
import { announce, button, copyText, heading, section } from "../ui.js";

// The token leaves the address bar (and the history) at once; the form keeps it here.
let pendingToken = null;

export async function resetView(ctx) {
  if (ctx.params.token) {
    pendingToken = ctx.params.token;
    history.replaceState(null, "", `${location.pathname}${location.search}#/reset`);
  }
  const token = pendingToken;
  if (!token) {
    return h("div", { class: "stack" }, heading(t("reset.title")), h("p", { class: "lead", text: t("reset.noToken") }));
  }
  return h(
    "div",
    { class: "stack" },
    heading(t("reset.title")),
    h("p", { class: "lead", text: t("reset.intro") }),
    form({
      fields: [
        field({
          name: "password",
          label: t("reset.newPassword"),
          hint: t("password.rules"),
          type: "password",
          required: true,
          attrs: { autocomplete: "new-password", minlength: "12" },
        }),
      ],
      submitLabel: t("reset.submit"),
      submitIcon: "check",
      onSubmit: async (_, el) => {
        // Not trimmed: spaces can be part of a password.
        const me = await api.post("/api/auth/reset", { token, password: el.elements.password.value });
        pendingToken = null;
        ctx.signIn(me);
      },
    }),
  );
}

/** The reset link for the admin: copy it and hand it over; it works once, for 24 hours. */
export function resetPanel(person, reset, onDone) {
  const linkId = `reset-link-${reset.id}`;
  const link = h("input", { id: linkId, type: "text", readonly: true, class: "link-input", spellcheck: "false" });
  link.value = reset.url;
  return h(
    "div",
    { class: "stack invite" },
    heading(t("reset.panelTitle", { name: person.firstName })),
    h("p", { class: "lead", text: t("reset.panelIntro", { name: person.firstName }) }),
    section(
      t("reset.linkTitle"),
      h("div", { class: "field" }, h("label", { for: linkId, text: t("reset.linkLabel") }), link),
      button(t("invite.copy"), "copy", async () => {
        const ok = await copyText(reset.url, link);
        announce(ok ? t("invite.copied") : t("invite.copyFailed"));
      }),
    ),
    h("p", { class: "notice-line", text: t("reset.expires", { date: formatDateTime(reset.expiresAt) }) }),
    button(t("invite.done"), "check", onDone, { kind: "primary" }),
  );
}

/** "Change my password" on the settings screen of a coach or admin. */
export function passwordSection() {
  return section(
    t("password.title"),
    h("p", { text: t("password.help") }),
    form({
      fields: [
        field({ name: "currentPassword", label: t("password.current"), type: "password", required: true,
          attrs: { autocomplete: "current-password" } }),
        field({ name: "newPassword", label: t("password.new"), hint: t("password.rules"), type: "password",
          required: true, attrs: { autocomplete: "new-password", minlength: "12" } }),
      ],
      submitLabel: t("password.submit"),
      submitIcon: "check",
      onSubmit: async (_, el) => {
        await api.post("/api/me/password", {
          currentPassword: el.elements.currentPassword.value,
          newPassword: el.elements.newPassword.value,
        });
        el.reset();
        announce(t("password.changed"));
        el.parentElement.querySelector(".password-done").hidden = false;
      },
    }),
    h("p", { class: "notice-line password-done", hidden: true, text: t("password.changed") }),
  );
}
