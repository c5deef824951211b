// Signing in: workers and buddies type the code from their coach (or open the invite link);
// coaches and admins use e-mail and password.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { field, form } from "../form.js";
import { currentLanguage, direction, LANGUAGE_NAMES, LANGUAGES, t } from "../i18n.js";
import { clearCopies } from "../offline.js";
import { alertArea, heading, linkButton, showAlert } from "../ui.js";

/** A big button for each language, named in itself (no flags: a language is not a country), to
 *  switch the language of the page: on the first screen, before anyone is signed in, and in Settings. */
export function languageSwitch(onChoose) {
  return h(
    "div",
    { class: "language-switch", role: "group", "aria-label": t("language.choose") },
    h("span", { class: "language-switch-icon" }, icon("globe")),
    h(
      "div",
      { class: "language-buttons" },
      LANGUAGES.map((lang) =>
        h("button", {
          type: "button",
          class: "btn btn-secondary",
          lang,
          dir: direction(lang),
          "data-lang": lang,
          "aria-pressed": String(lang === currentLanguage()),
          text: LANGUAGE_NAMES[lang],
          onclick: () => onChoose(lang),
        }),
      ),
    ),
  );
}

/**
 * Was this phone signed out by the coach? The server says so to the holder of the old session cookie
 * only (401 "device_revoked"); then the kept copies of the old screens are wiped too.
 */
async function revokedHere() {
  try {
    const response = await fetch("/api/me", { credentials: "same-origin", headers: { Accept: "application/json", "Accept-Language": currentLanguage() } });
    if (response.status !== 401) return false;
    const body = await response.json();
    return body && body.code === "device_revoked";
  } catch {
    return false;
  }
}

export async function codeView(ctx) {
  const alert = alertArea();
  if (ctx.flash && ctx.flash.error) {
    showAlert(alert, ctx.flash.error, [t("signin.linkFailed")]);
  } else if (await revokedHere()) {
    clearCopies();
    showAlert(alert, t("signin.deviceRevoked"));
  } else if (ctx.flash && ctx.flash.message) {
    showAlert(alert, ctx.flash.message);
  }
  return h(
    "div",
    { class: "stack" },
    languageSwitch(ctx.chooseLanguage),
    heading(t("signin.title")),
    h("p", { class: "lead", text: t("signin.codeIntro") }),
    alert,
    form({
      fields: [
        field({
          name: "code",
          label: t("signin.codeLabel"),
          hint: t("signin.codeHint"),
          required: true,
          attrs: {
            class: "code-input",
            autocomplete: "one-time-code",
            autocapitalize: "characters",
            autocorrect: "off",
            spellcheck: "false",
            maxlength: "32",
          },
        }),
      ],
      submitLabel: t("signin.codeSubmit"),
      submitIcon: "code",
      onSubmit: async ({ code }) => {
        // Sent as typed: the server ignores case, spaces and dashes.
        ctx.signIn(await api.post("/api/auth/invite", { code }));
      },
    }),
    h(
      "div",
      { class: "other-way" },
      h("p", { text: t("signin.coachQuestion") }),
      linkButton(t("signin.coachLink"), "user", "#/login"),
    ),
  );
}

export async function loginView(ctx) {
  return h(
    "div",
    { class: "stack" },
    linkButton(t("common.back"), "back", "#/", { kind: "plain" }),
    heading(t("login.title")),
    form({
      fields: [
        field({ name: "email", label: t("login.email"), type: "email", required: true, attrs: { autocomplete: "username", inputmode: "email" } }),
        field({ name: "password", label: t("login.password"), type: "password", required: true, attrs: { autocomplete: "current-password" } }),
      ],
      submitLabel: t("login.submit"),
      submitIcon: "user",
      onSubmit: async ({ email }, el) => {
        // The password is not trimmed: spaces can be part of it.
        const raw = el.elements.password.value;
        ctx.signIn(await api.post("/api/auth/login", { email, password: raw }));
      },
    }),
  );
}
