// "Lees voor": the phone reads aloud in the person's language, for those who read little or little
// Dutch. It reads the meaning, not the buttons: sentences built from the data ("Morgen om 8 uur werk
// je in Atelier Genk-Zuid. Neem je veiligheidsschoenen mee. De bus vertrekt om 7 uur 15."), and the
// coach's own words on Berichten. Screens without such sentences read their visible text.
// Uses the browser's own speech (speechSynthesis): nothing leaves the phone. Without it the button
// is simply not there.

import { addDays, dayName, spokenClock, spokenTime, today } from "./dates.js";
import { h, icon } from "./dom.js";
import { currentLanguage, LANGUAGE_NAMES, t } from "./i18n.js";

// The language tag of the voice: the region a worker here most likely has a voice for first.
const VOICE_LANG = { nl: "nl-BE", en: "en-GB", fr: "fr-BE", ar: "ar", tr: "tr-TR", pl: "pl-PL", ro: "ro-RO", uk: "uk-UA" };
let stopListening = false;

function supported() {
  return "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;
}

/** The visible text of `root`, block by block, leaving out what is marked data-no-read. */
function screenText(root) {
  const lines = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      lines.push(node.textContent);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE || node.hasAttribute("data-no-read") || node.hidden) return;
    // Screen-reader-only words repeat what the screen already says ("Bel" ... "Jan").
    if (node.classList.contains("sr-only")) return;
    if (node.getAttribute("aria-hidden") === "true") return;
    const tag = node.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || tag === "SCRIPT") return;
    const style = getComputedStyle(node);
    if (style.display === "none" || style.visibility === "hidden") return;
    const block = style.display !== "inline";
    if (block) lines.push("\n");
    for (const child of node.childNodes) walk(child);
    if (block) lines.push("\n");
  };
  walk(root);
  // Each block becomes a sentence, so the voice pauses between them.
  return lines
    .join("")
    .split(/\n+/)
    .map((line) => line.replace(/\s+/g, " ").trim())
    .filter(Boolean)
    .map((line) => (/[.!?:]$/.test(line) ? line : `${line}.`))
    .join(" ");
}

/** "nl-BE" for "nl_BE" or "NL-be": how phones write a voice's language varies. */
function tagOf(voice) {
  return String(voice.lang || "").replace(/_/g, "-").toLowerCase();
}

/** The phone's voices; Chrome fills the list a moment after the page asks (voiceschanged). */
let waitedForVoices = false;
function voices() {
  const now = speechSynthesis.getVoices() || [];
  if (now.length || waitedForVoices) return Promise.resolve(now);
  return new Promise((resolve) => {
    const done = () => {
      waitedForVoices = true;
      resolve(speechSynthesis.getVoices() || []);
    };
    const timer = setTimeout(done, 800);
    speechSynthesis.addEventListener?.("voiceschanged", () => {
      clearTimeout(timer);
      done();
    }, { once: true });
  });
}

/** A voice for `lang` ("nl-BE"): that exact language and region, else any voice of the language
 *  ("nl-NL" for "nl-BE"), else null. */
function pickVoice(list, lang) {
  const wanted = lang.toLowerCase();
  const base = wanted.split("-")[0];
  const ofLanguage = list.filter((v) => tagOf(v) === base || tagOf(v).startsWith(`${base}-`));
  return ofLanguage.find((v) => tagOf(v) === wanted) || ofLanguage.find((v) => v.localService) || ofLanguage[0] || null;
}

/** Under the button: this phone cannot read this language aloud, and how to add a voice. */
function showNoVoice(el) {
  let note = el.nextElementSibling;
  if (!note || !note.classList.contains("read-aloud-note")) {
    note = h("div", { class: "read-aloud-note notice", role: "status", "data-no-read": true });
    el.after(note);
  }
  const language = LANGUAGE_NAMES[currentLanguage()] || currentLanguage();
  note.replaceChildren(
    h(
      "div",
      null,
      h("p", null, h("strong", { text: t("readAloud.noVoice", { language }) })),
      h("p", { text: t("readAloud.noVoiceHint", { language }) }),
    ),
  );
  note.hidden = false;
}

function hideNoVoice(el) {
  const note = el.nextElementSibling;
  if (note && note.classList.contains("read-aloud-note")) note.hidden = true;
}

// ---- sentences from the data ----------------------------------------------------------------------

/** "veiligheidsschoenen, werkkleren en balpen": the words of the list, as said in a sentence. */
function spokenList(words) {
  const clean = words.map((w) => w.replace(/\s*\(.*?\)\s*/g, " ").trim().toLowerCase()).filter(Boolean);
  if (clean.length < 2) return clean.join("");
  return `${clean.slice(0, -1).join(", ")} ${t("say.and")} ${clean[clean.length - 1]}`;
}

/** "Morgen", "Vandaag", "Op maandag 7 december": how a day starts a spoken sentence. */
function spokenDay(day) {
  if (day === today() || day === addDays(today(), 1)) return dayName(day);
  return t("say.onDay", { day: dayName(day, { near: false }) });
}

/** Where an item is, said after "werk je": "in Atelier Genk-Zuid" (or "op Stationsplein 1"). */
function spokenPlace(place) {
  if (!place) return "";
  if (place.name) return ` ${t("say.inPlace", { place: place.name })}`;
  if (place.address) return ` ${t("say.atAddress", { place: place.address })}`;
  return "";
}

const KINDS = new Set(["shift", "training", "intake", "coach_meeting"]);

/**
 * What one item means, in sentences: when, what and where; what to bring; whom to ask; the coach's
 * note; and how to get there (`ride`: the confirmed ride; `journey`: the first way by bus/tram/train).
 * `now`: the item is on now. `brief`: only the first sentence (for lists such as the week).
 */
export function itemSentences(item, { ride = null, journey = null, now = false, brief = false } = {}) {
  const kind = KINDS.has(item.kind) ? item.kind : "shift";
  const place = spokenPlace(item.place);
  const start = spokenTime(item.localStart);
  const end = spokenTime(item.localEnd);
  if (item.cancelled) return [t("say.cancelled", { day: spokenDay(item.localDate), time: start, title: item.title })];
  if (item.absence) return [t(`say.absence.${item.absence}`, { day: spokenDay(item.localDate), title: item.title })];
  const lines = [now
    ? t(`say.now.${kind}`, { place, end })
    : t(`say.when.${kind}`, { day: spokenDay(item.localDate), time: start, place })];
  if (brief) return lines;
  if (item.bring && item.bring.length) lines.push(t("say.bring", { things: spokenList(item.bring.map((c) => t(`bring.${c}`))) }));
  if (item.contactName) lines.push(t("say.askFor", { name: item.contactName }));
  if (item.note) lines.push(t("say.note", { note: item.note }));
  if (ride && ride.status === "confirmed") {
    const where = ride.pickup && (ride.pickup.name || ride.pickup.address);
    lines.push(t(where ? "say.rideAt" : "say.ride", { name: ride.driverFirstName, time: spokenClock(ride.pickupAt), place: where }));
  } else if (journey) {
    const leg = (journey.legs || []).find((l) => l.kind !== "walk");
    if (leg) lines.push(t("say.transit", { mode: t(`commute.mode.${leg.mode || "bus"}`), time: spokenClock(leg.departure) }));
    lines.push(...legNoteSentences(journey));
  }
  return lines;
}

/** What the way to work asks of the worker, as the screen "Hoe geraak ik op het werk?" says it:
 *  a bus every N minutes (no timetable), stay seated where the bus goes on as another line, phone
 *  first or ask the driver to stop. */
export function legNoteSentences(journey) {
  const lines = [];
  for (const leg of (journey && journey.legs) || []) {
    if (leg.kind === "walk") continue;
    const mode = t(`commute.mode.${leg.mode || "bus"}`);
    if (leg.staySeated) {
      lines.push(t("commute.note.staySeated", { mode, line: leg.line }));
      continue;
    }
    if (leg.headwayMinutes) {
      lines.push(t("commute.note.headway", { mode, minutes: leg.headwayMinutes, time: spokenClock(leg.departure) }));
    }
    if (leg.pickup === "phone_agency" || leg.pickup === "ask_driver") {
      lines.push(t(`commute.note.pickup.${leg.pickup}`, { mode, stop: leg.fromName }));
    }
    if (leg.dropOff === "phone_agency" || leg.dropOff === "ask_driver") {
      lines.push(t(`commute.note.dropOff.${leg.dropOff}`, { mode, stop: leg.toName }));
    }
  }
  return lines;
}

/** "Je werk van 8 uur tot 16 uur is gedaan.": the items of today that are over. */
export function doneSentences(items) {
  return items.map((item) => t(`say.done.${KINDS.has(item.kind) ? item.kind : "shift"}`, {
    start: spokenTime(item.localStart), end: spokenTime(item.localEnd),
  }));
}

/** A message of the inbox as the coach wrote it: the title, then the coach's own words. */
export function messageSentences(entry) {
  return [entry.title, entry.body].filter(Boolean).map((line) => (/[.!?:]$/.test(line.trim()) ? line.trim() : `${line.trim()}.`));
}

// ---- the button -----------------------------------------------------------------------------------

/**
 * A "Lees voor" button; pressed again, it stops. `source()` gives what to read: sentences (an array
 * of strings, built from the data) or a node whose visible text is read. Returns null when the
 * browser cannot speak.
 */
export function readAloudButton(source) {
  if (!supported()) return null;
  const el = h("button", { type: "button", class: "btn btn-secondary read-aloud", "data-no-read": true },
    h("span", { class: "icon-slot" }, icon("speaker")), h("span", { text: t("readAloud.start") }));
  el.addEventListener("click", () => toggleReading(el, source));
  return el;
}

/** Show on a "Lees voor" button whether it is speaking (its word and icon). */
function showSpeaking(el, speaking) {
  el.querySelector("span:not(.icon-slot)").textContent = speaking ? t("readAloud.stop") : t("readAloud.start");
  el.querySelector(".icon-slot").replaceChildren(icon(speaking ? "stop" : "speaker"));
}

/**
 * The "Lees voor" button's tap (also for the light button of ui.js, which loads this module on the
 * first tap): stop when speaking, else read `source()` (sentences, or a node's visible text).
 */
export async function toggleReading(el, source) {
  if (!stopListening) {
    // Leaving the screen stops the voice.
    stopListening = true;
    window.addEventListener("hashchange", () => speechSynthesis.cancel());
  }
  if (speechSynthesis.speaking || speechSynthesis.pending) {
    speechSynthesis.cancel();
    showSpeaking(el, false);
    return;
  }
  const what = source();
  // Bidi marks around times and numbers (i18n.js, right-to-left) are for the eye, not the voice.
  const text = (Array.isArray(what) ? what.filter(Boolean).join(" ") : what ? screenText(what) : "").replace(/[\u2066-\u2069]/g, "");
  if (!text) return;
  // The voice speaks the language the sentences were built in (also for the coach's words). A phone
  // without a voice for it would read Arabic with a Dutch voice: instead it says so, and how to add one.
  const lang = VOICE_LANG[currentLanguage()] || "nl-BE";
  const list = await voices();
  const voice = pickVoice(list, lang);
  if (list.length && !voice) {
    showNoVoice(el);
    return;
  }
  hideNoVoice(el);
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = lang;
  if (voice) utterance.voice = voice;
  utterance.rate = 0.9; // a little slower than usual: easier to follow
  utterance.onend = () => showSpeaking(el, false);
  utterance.onerror = (event) => {
    showSpeaking(el, false);
    // The phone gave no list of voices and then had none for this language.
    if (event && (event.error === "language-unavailable" || event.error === "voice-unavailable")) showNoVoice(el);
  };
  speechSynthesis.cancel();
  speechSynthesis.speak(utterance);
  showSpeaking(el, true);
}
