// The admin's phrasebook of one organisation ("#/organisations/<id>/phrases"): its own sentences
// with slots, in Dutch and in the languages someone translated them to. A worker whose language has
// no translation reads the Dutch, marked "written in Dutch" in their language. The standard phrases
// (every language) are listed below, to see what is there already.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { form } from "../form.js";
import { LANGUAGE_NAMES, LANGUAGES, direction, t } from "../i18n.js";
import { announce, confirmButton, heading, linkButton, section } from "../ui.js";

const SLOTS = ["time", "date", "place", "person", "items"];

function textField(lang, value, n) {
  const id = `phrase-${lang}-${n}`;
  const label = lang === "nl" ? t("phrases.dutch") : `${LANGUAGE_NAMES[lang]} ${t("form.optional")}`;
  const input = h("input", {
    id, name: lang, type: "text", maxlength: "200", autocomplete: "off", lang, dir: direction(lang),
    required: lang === "nl", "aria-describedby": `${id}-error`,
  });
  input.value = value || "";
  return h(
    "div",
    { class: "field", "data-field": lang },
    h("label", { for: id, lang: lang === "nl" ? null : lang, text: label }),
    input,
    h("p", { id: `${id}-error`, class: "field-error", hidden: true }),
  );
}

let forms = 0;

/** The texts of a phrase (Dutch required, the others optional), sent as {texts: {lang: text}}. */
function phraseForm({ phrase, submitLabel, onSave }) {
  const n = ++forms;
  return form({
    fields: [
      h("p", { class: "hint", text: t("phrases.slotsHint", { slots: SLOTS.map((s) => `{${s}}`).join(" ") }) }),
      LANGUAGES.map((lang) => textField(lang, phrase?.texts[lang], n)),
    ],
    submitLabel,
    submitIcon: phrase ? "check" : "plus",
    onSubmit: async (values) => {
      const texts = Object.fromEntries(LANGUAGES.filter((lang) => values[lang]).map((lang) => [lang, values[lang]]));
      try {
        await onSave({ texts });
      } catch (error) {
        // "texts.pl" is the Polish field here.
        for (const e of error.errors || []) e.field = String(e.field || "").replace(/^texts\./, "");
        throw error;
      }
    },
  });
}

function missingLanguages(phrase) {
  return LANGUAGES.filter((lang) => !phrase.languages.includes(lang));
}

function phraseCard(phrase, { base, refresh }) {
  const missing = missingLanguages(phrase);
  const edit = phraseForm({
    phrase,
    submitLabel: t("phrases.save"),
    onSave: async (body) => {
      await api.put(`${base}/${encodeURIComponent(phrase.id)}`, body);
      announce(t("phrases.saved"));
      refresh();
    },
  });
  return h(
    "li",
    { class: "card" },
    h("h3", { lang: "nl", text: phrase.texts.nl }),
    h("p", { class: "muted", text: t("phrases.languages", { languages: phrase.languages.map((l) => LANGUAGE_NAMES[l]).join(", ") }) }),
    missing.length > 0 && h("p", { class: "muted", text: t("phrases.fallback", { languages: missing.map((l) => LANGUAGE_NAMES[l]).join(", ") }) }),
    h("details", { class: "fold" }, h("summary", { class: "btn" }, icon("edit"), h("span", { text: t("phrases.edit") }), h("span", { class: "sr-only", text: `: ${phrase.texts.nl}` })), edit),
    confirmButton({
      label: t("phrases.remove"),
      iconName: "cancel",
      question: t("phrases.removeQuestion", { text: phrase.texts.nl }),
      yes: t("phrases.removeYes"),
      onConfirm: async () => {
        await api.del(`${base}/${encodeURIComponent(phrase.id)}`);
        announce(t("phrases.removed"));
        refresh();
      },
    }),
  );
}

export async function phrasesView(ctx) {
  const id = encodeURIComponent(ctx.params.id);
  const base = `/api/organisations/${id}/phrases`;
  const [organisations, phrases] = await Promise.all([api.get("/api/organisations"), api.get(`/api/phrases?organisationId=${id}`)]);
  const organisation = organisations.find((o) => String(o.id) === ctx.params.id) || { name: t("org.unknown") };
  const own = phrases.filter((p) => !p.standard);
  const standard = phrases.filter((p) => p.standard);
  const add = phraseForm({
    submitLabel: t("phrases.add"),
    onSave: async (body) => {
      await api.post(base, body);
      announce(t("phrases.added"));
      ctx.refresh();
    },
  });
  return h(
    "div",
    { class: "stack" },
    linkButton(t("common.back"), "back", `#/organisations/${id}`, { kind: "plain" }),
    heading(t("phrases.title", { name: organisation.name })),
    h("p", { class: "lead", text: t("phrases.intro") }),
    section(
      t("phrases.own"),
      own.length
        ? h("ul", { class: "plain-list stack" }, own.map((p) => phraseCard(p, { base, refresh: ctx.refresh })))
        : h("p", { class: "muted", text: t("phrases.noneOwn") }),
      h("details", { class: "fold" }, h("summary", { class: "btn btn-primary" }, icon("plus"), h("span", { text: t("phrases.new") })), add),
    ),
    section(
      t("phrases.standard"),
      h("p", { class: "muted", text: t("phrases.standardIntro") }),
      h("ul", { class: "plain-list" }, standard.map((p) => h("li", { lang: "nl", text: p.texts.nl }))),
    ),
  );
}
