// Message catalogues. Every word the user sees lives in /i18n/<language>.json.
// Dutch is the default; a language is added by adding a catalogue and listing it here.
//
// A phone loads only the part of the catalogue its screens use: `/catalogue/<language>/<part>.json`,
// where the part is the signed-in person's role, or "signedOut" (the server picks the keys the
// scripts of that part name: backend/shell.py). `usePart(role)` switches when someone signs in.

export const LANGUAGES = ["nl", "en"];
const DEFAULT = "nl";
const STORAGE_KEY = "werkmaat.language";
const loaded = new Map();

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

/** Load a catalogue (once) and make it the current language of the whole page. */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) lang = DEFAULT;
  const key = `${lang}/${part}`;
  if (!loaded.has(key)) {
    const response = await fetch(`/catalogue/${key}.json`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`catalogue ${key}: ${response.status}`);
    loaded.set(key, await response.json());
  }
  language = lang;
  messages = loaded.get(key);
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

// A date and time, in the one style of the whole app ("vandaag om 08:02", "2 dec om 08:02"), always in
// Brussels time: see dates.js. Kept under this name for the screens that use it.
export { dateTime as formatDateTime } from "./dates.js";
