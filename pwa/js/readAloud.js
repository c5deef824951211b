// "Lees voor": the phone reads the screen aloud in the person's language, for those who read
// little or little Dutch. Uses the browser's own speech (speechSynthesis): nothing leaves the phone.
// Without it the button is simply not there.

import { h, icon } from "./dom.js";
import { currentLanguage, t } from "./i18n.js";

const VOICE_LANG = { nl: "nl-BE", en: "en-GB" };
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

function pickVoice(lang) {
  const voices = speechSynthesis.getVoices();
  return voices.find((v) => v.lang === lang) || voices.find((v) => v.lang.startsWith(lang.slice(0, 2))) || null;
}

/**
 * A "Lees voor" button that reads `root()` (the screen's main content); pressed again, it stops.
 * Returns null when the browser cannot speak.
 */
export function readAloudButton(root) {
  if (!supported()) return null;
  if (!stopListening) {
    // Leaving the screen stops the voice.
    stopListening = true;
    window.addEventListener("hashchange", () => speechSynthesis.cancel());
  }
  const label = h("span", { text: t("readAloud.start") });
  const symbol = h("span", { class: "icon-slot" }, icon("speaker"));
  const el = h("button", { type: "button", class: "btn btn-secondary read-aloud", "data-no-read": true }, symbol, label);
  const show = (speaking) => {
    label.textContent = speaking ? t("readAloud.stop") : t("readAloud.start");
    symbol.replaceChildren(icon(speaking ? "stop" : "speaker"));
  };
  el.addEventListener("click", () => {
    if (speechSynthesis.speaking || speechSynthesis.pending) {
      speechSynthesis.cancel();
      show(false);
      return;
    }
    const text = screenText(root());
    if (!text) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = VOICE_LANG[currentLanguage()] || "nl-BE";
    const voice = pickVoice(utterance.lang);
    if (voice) utterance.voice = voice;
    utterance.rate = 0.9; // a little slower than usual: easier to follow
    utterance.onend = utterance.onerror = () => show(false);
    speechSynthesis.cancel();
    speechSynthesis.speak(utterance);
    show(true);
  });
  return el;
}
