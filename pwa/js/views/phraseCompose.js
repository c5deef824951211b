// "Kies een zin": the coach picks a ready sentence from the phrasebook, fills its slots (a time, a
// date, a place, a person, things to bring with their pictograms) and sees what each recipient will
// read, in their own language, before sending. The server renders the previews (and the real
// thing), so what the coach sees is what the worker gets.

import { api } from "../api.js";
import { h } from "../dom.js";
import { currentLanguage, direction, t } from "../i18n.js";
import { BRING, checks } from "./plan.js";

const SLOT_TYPES = { time: "time", date: "date", place: "text", person: "text" };

/** A phrase as the coach reads it in the list: "Morgen begin je om [uur] in [plaats]." */
export function phraseLabel(phrase) {
  const text = phrase.texts[currentLanguage()] || phrase.texts.nl;
  return text.replace(/\{(\w+)\}/g, (_, name) => `[${t(`phrases.inline.${name}`)}]`);
}

function slotField(name) {
  if (name === "items") {
    return checks({
      name: "slot_items",
      legend: t("phrases.slot.items"),
      className: "bring-checks",
      options: BRING.map((code) => ({ value: code, label: t(`bring.${code}`), icon: code })),
    });
  }
  const id = `phrase-slot-${name}`;
  const attrs = { id, name: `slot_${name}`, type: SLOT_TYPES[name] || "text", "aria-describedby": `${id}-error` };
  if (attrs.type === "text") Object.assign(attrs, { maxlength: "80", autocomplete: "off" });
  return h(
    "div",
    { class: "field", "data-field": `slot_${name}` },
    h("label", { for: id, text: t(`phrases.slot.${name}`) }),
    h("input", attrs),
    h("p", { id: `${id}-error`, class: "field-error", hidden: true }),
  );
}

/** One language's preview: its own name, the text in that language (with `lang` and `dir`, so it
 *  is read aloud and laid out right), the coach's Dutch note, and the mark when something is Dutch. */
function previewCard(p) {
  const names = p.recipients.length ? p.recipients.join(", ") : "";
  return h(
    "li",
    { class: "card phrase-preview", "data-language": p.language },
    h("h4", { lang: p.language, text: p.languageName }),
    names && h("p", { class: "muted", text: t("phrases.previewFor", { names }) }),
    h("p", { class: "phrase-preview-title", lang: p.titleLanguage, dir: direction(p.titleLanguage), text: p.title }),
    p.body && h("p", { lang: "nl", dir: "ltr", text: p.body }),
    p.mark && h("p", { class: "phrase-mark", lang: p.language, dir: direction(p.language), text: p.mark }),
  );
}

/**
 * The phrase part of the reminder form. `recipients()` gives {workerIds} / {groupId} /
 * {wholeCaseload} (or null while nobody is chosen); `note()` the coach's optional Dutch note.
 * Returns { el, preview, slotsEl, value(), missing(), refresh() }.
 */
export function phrasePicker({ phrases, recipients, note }) {
  const selectId = "phrase-choice";
  const select = h(
    "select",
    { id: selectId, name: "phraseId", "aria-describedby": `${selectId}-error` },
    h("option", { value: "", text: t("phrases.choose") }),
    phrases.map((p) => h("option", { value: p.id, text: phraseLabel(p) })),
  );
  const slotsEl = h("div", { class: "stack-s phrase-slots" });
  const status = h("p", { class: "muted", role: "status" });
  const list = h("ul", { class: "plain-list stack-s phrase-previews" });
  const preview = h("section", { class: "phrase-preview-area", "aria-labelledby": "phrase-preview-heading" },
    h("h3", { id: "phrase-preview-heading", text: t("phrases.preview") }), status, list);
  const el = h(
    "div",
    { class: "stack-s" },
    h(
      "div",
      { class: "field", "data-field": "phraseId" },
      h("label", { for: selectId, text: t("phrases.phrase") }),
      select,
      h("p", { id: `${selectId}-error`, class: "field-error", hidden: true }),
    ),
    slotsEl,
  );

  const chosen = () => phrases.find((p) => p.id === select.value) || null;

  const value = () => {
    const phrase = chosen();
    if (!phrase) return null;
    const slots = {};
    for (const name of phrase.slots) {
      if (name === "items") {
        slots.items = [...slotsEl.querySelectorAll('input[name="slot_items"]:checked')].map((box) => box.value);
      } else {
        const input = slotsEl.querySelector(`[name="slot_${name}"]`);
        slots[name] = input ? input.value.trim() : "";
      }
    }
    return { id: phrase.id, slots };
  };

  /** [[field, message]] for what is not filled in yet. */
  const missing = () => {
    const v = value();
    if (!v) return [["phraseId", t("phrases.needPhrase")]];
    return Object.entries(v.slots)
      .filter(([, slot]) => (Array.isArray(slot) ? !slot.length : !slot))
      .map(([name]) => [`slot_${name}`, t("phrases.needSlot")]);
  };

  let asked = 0;
  const refresh = async () => {
    const mine = ++asked;
    const v = value();
    const who = recipients();
    if (!v || missing().length) {
      list.replaceChildren();
      status.textContent = t("phrases.previewFill");
      return;
    }
    const body = { phrase: v, body: note(), ...(who || { languages: ["nl"] }) };
    try {
      const answer = await api.post("/api/reminders/preview", body);
      if (mine !== asked) return;
      const shown = who ? answer.previews : [answer.dutch];
      status.textContent = who ? t("phrases.previewCount", { count: shown.length }) : t("phrases.previewNobody");
      list.replaceChildren(...shown.map(previewCard));
    } catch (error) {
      if (mine !== asked) return;
      list.replaceChildren();
      status.textContent = (error.errors || []).map((e) => e.message).join(" ") || error.message;
    }
  };

  select.addEventListener("change", () => {
    const phrase = chosen();
    slotsEl.replaceChildren(...(phrase ? phrase.slots.map(slotField) : []));
    refresh();
  });
  return { el, preview, value, missing, refresh };
}
