// Message catalogues. Every word the user sees lives in /i18n/<language>.json.
// Dutch is the default; a language is added by adding a catalogue and listing it here.
//
// A phone loads only the part of the catalogue its screens use: `/catalogue/<language>/<part>.json`,
// where the part is the signed-in person's role, or "signedOut" (the server picks the keys the
// scripts of that part name: backend/shell.py). `usePart(role)` switches when someone signs in.

export const LANGUAGES = ["nl", "en", "fr", "ar", "tr", "pl", "ro", "uk"];
const DEFAULT = "nl";
const STORAGE_KEY = "werkmaat.language";
// Set when someone taps a language on the first screen: at sign-in that choice is saved to the person.
// Kept for this tab only (sessionStorage), so an old tap never overrides someone's language later.
const CHOSEN_KEY = "werkmaat.languageChosen";
const loaded = new Map();

// Each language named in itself, so people find their own even if they cannot read the page.
export const LANGUAGE_NAMES = {
  nl: "Nederlands", en: "English", fr: "Français", ar: "العربية", tr: "Türkçe", pl: "Polski", ro: "Română", uk: "Українська",
};
// Written from right to left: the whole page is mirrored (<html dir="rtl">, logical CSS properties).
const RIGHT_TO_LEFT = new Set(["ar"]);

// The locale of dates, times and numbers (Intl). Arabic keeps Western digits ("ar-u-nu-latn"): in
// Belgium the bus's line number, the timetable at the stop, the clock on the phone and phone numbers
// are all written 0-9, and a worker compares what the app says with those; Moroccan Arabic, the most
// common here, writes 0-9 as well. One kind of digit on every screen.
const LOCALES = {
  nl: "nl-BE", en: "en-GB", fr: "fr-BE", ar: "ar-u-nu-latn", tr: "tr-TR", pl: "pl-PL", ro: "ro-RO", uk: "uk-UA",
};

/** The Intl locale of a language (default: the current one): "nl-BE", "ar-u-nu-latn", ... */
export function locale(lang = language) {
  return LOCALES[lang] || LOCALES[DEFAULT];
}

/** "rtl" for a language written from right to left, else "ltr". */
export function direction(lang = language) {
  return RIGHT_TO_LEFT.has(lang) ? "rtl" : "ltr";
}

const PARTS = new Set(["signedOut", "worker", "buddy", "coach", "admin"]);

let language = DEFAULT;
let part = "signedOut";
let messages = {};

/** The language chosen on this device before (or Dutch). */
export function storedLanguage() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(value) ? value : DEFAULT;
  } catch {
    return DEFAULT;
  }
}

export function currentLanguage() {
  return language;
}

/** The language tapped on this device before signing in (then saved to the person), or null. */
export function chosenLanguage() {
  try {
    const value = sessionStorage.getItem(CHOSEN_KEY);
    return LANGUAGES.includes(value) ? value : null;
  } catch {
    return null;
  }
}

/** Remember (or, with null, forget) the language tapped before signing in. */
export function markChosen(lang) {
  try {
    if (lang) sessionStorage.setItem(CHOSEN_KEY, lang);
    else sessionStorage.removeItem(CHOSEN_KEY);
  } catch {
    // Private mode: the person's stored language is used at sign-in.
  }
}

/** The catalogue part in use: a role, or "signedOut". */
export function currentPart() {
  return part;
}

/** Use the catalogue part of a role (or "signedOut") in a language (default: the current one). */
export async function usePart(name, lang = language) {
  const next = PARTS.has(name) ? name : "signedOut";
  if (next === part && lang === language && loaded.has(`${language}/${part}`)) return;
  part = next;
  await setLanguage(lang);
}

async function fetchPart(key) {
  const response = await fetch(`/catalogue/${key}.json`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`catalogue ${key}: ${response.status}`);
  return response.json();
}

/** Load a catalogue (once) and make it the current language of the whole page. A language whose
 *  words cannot be had (not served, or offline and never kept) falls back to Dutch. */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) lang = DEFAULT;
  let key = `${lang}/${part}`;
  if (!loaded.has(key)) {
    try {
      loaded.set(key, await fetchPart(key));
    } catch (error) {
      if (lang === DEFAULT) throw error;
      lang = DEFAULT;
      key = `${lang}/${part}`;
      if (!loaded.has(key)) loaded.set(key, await fetchPart(key));
    }
  }
  language = lang;
  messages = loaded.get(key);
  document.documentElement.lang = lang;
  document.documentElement.dir = direction(lang);
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice just is not remembered.
  }
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
}

// A message whose wording depends on a number is an object of CLDR plural forms ("one", "few",
// "many", "other", ...: each language has its own set, see Intl.PluralRules). The number that picks
// the form is the first of these parameters that is given.
export const PLURAL_PARAMS = ["count", "n", "seats", "minutes", "seconds", "days", "hours", "months"];
const pluralRules = new Map();

function pluralForm(forms, params) {
  const name = PLURAL_PARAMS.find((p) => params && params[p] !== "" && params[p] != null && Number.isFinite(Number(params[p])));
  if (name === undefined) return forms.other;
  if (!pluralRules.has(language)) pluralRules.set(language, new Intl.PluralRules(locale()));
  return forms[pluralRules.get(language).select(Number(params[name]))] ?? forms.other;
}

/** Translate a key; "{name}" placeholders are filled from params; plural forms by the language's rules. */
export function t(key, params) {
  const entry = messages[key] ?? key;
  const text = typeof entry === "string" ? entry : pluralForm(entry, params);
  if (!params) return text;
  // Right to left, each filled-in value is isolated (U+2068 ... U+2069, "first strong"): a time, a
  // phone number, a line number or a code keeps its left-to-right order inside the Arabic sentence
  // ("08:15" never turns into "15:08", "0486 12 34 56" never into "56 34 12 0486"); Arabic words in
  // a value stay right to left.
  const isolate = direction() === "rtl";
  return text.replace(/\{(\w+)\}/g, (match, name) => {
    if (!(name in params)) return match;
    const value = String(params[name]);
    return isolate && value ? `\u2068${value}\u2069` : value;
  });
}

/** A text shown on its own that must read left to right in any language (a time range, a code):
 *  isolated in a right-to-left page (see t()). */
export function ltr(text) {
  return direction() === "rtl" && text ? `\u2066${text}\u2069` : String(text ?? "");
}

// A date and time, in the one style of the whole app ("vandaag om 08:02", "2 dec om 08:02"), always in
// Brussels time: see dates.js. Kept under this name for the screens that use it.
export { dateTime as formatDateTime } from "./dates.js";
