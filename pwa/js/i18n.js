// Message catalogues. Every word the user sees lives in /i18n/<language>.json.
// Dutch is the default; a language is added by adding a catalogue and listing it here.

export const LANGUAGES = ["nl", "en"];
const DEFAULT = "nl";
const STORAGE_KEY = "werkmaat.language";
const loaded = new Map();

let language = DEFAULT;
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

/** Load a catalogue (once) and make it the current language of the whole page. */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) lang = DEFAULT;
  if (!loaded.has(lang)) {
    const response = await fetch(`/i18n/${lang}.json`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`catalogue ${lang}: ${response.status}`);
    loaded.set(lang, await response.json());
  }
  language = lang;
  messages = loaded.get(lang);
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice just is not remembered.
  }
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
}

/** Translate a key; "{name}" placeholders are filled from params. */
export function t(key, params) {
  const text = messages[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

/** Locale for Intl formatting: Belgian Dutch, or British English (day before month). */
function locale() {
  return language === "nl" ? "nl-BE" : "en-GB";
}

/** A date and time as people in Flanders read it, always in Brussels time. */
export function formatDateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "Europe/Brussels",
  }).format(new Date(iso));
}
