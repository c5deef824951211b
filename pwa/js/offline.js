// Working without a connection: the last answers a worker saw (their schedule, who they are), the
// banner that says the screen shows an old copy, and the list of actions still waiting to be sent.
// The copies hold personal data: they are kept on this phone only and wiped at sign-out.

import { api } from "./api.js";
import { moment } from "./dates.js";
import { h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { dismiss, onOutbox, pending } from "./outbox.js";
import { announce, button } from "./ui.js";

const PREFIX = "werkmaat.copy.";

// ---- last seen copies ---------------------------------------------------------------------------

export function saveCopy(name, data) {
  if (data == null) return; // nothing to keep: the last good copy stays
  try {
    localStorage.setItem(PREFIX + name, JSON.stringify({ savedAt: new Date().toISOString(), data }));
  } catch {
    // Storage full or switched off: the app still works online.
  }
}

/** Change a kept copy in place (keeping when it was fetched), e.g. after a check-in went through. */
export function patchCopy(name, change) {
  const copy = readCopy(name);
  if (!copy) return;
  try {
    localStorage.setItem(PREFIX + name, JSON.stringify({ savedAt: copy.savedAt, data: change(copy.data) }));
  } catch {
    // As in saveCopy.
  }
}

export function readCopy(name) {
  try {
    const copy = JSON.parse(localStorage.getItem(PREFIX + name) || "null");
    // A copy without its data (kept by an older version from an answer cut off mid-way) is none.
    return copy && copy.data != null ? copy : null;
  } catch {
    return null;
  }
}

/** Wipe every copy (sign-out, session ended). */
export function clearCopies() {
  try {
    for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
  } catch {
    // Nothing stored.
  }
}

/**
 * GET from the API and keep a copy; without a connection, the copy.
 * Resolves { data, offline: false } or { data, offline: true, savedAt }.
 */
export async function fetchOrCopy(path, name) {
  try {
    const data = await api.get(path);
    saveCopy(name, data);
    return { data, offline: false };
  } catch (error) {
    const copy = error.status === 0 && readCopy(name);
    if (!copy) throw error;
    return { data: copy.data, offline: true, savedAt: copy.savedAt };
  }
}

/** "Je bent offline. Dit is wat je laatst zag." with when that was, and a retry button. */
export function offlineBanner(savedAt, retry) {
  return h(
    "div",
    { class: "banner" },
    icon("offline"),
    h(
      "div",
      null,
      h("p", { class: "banner-title", text: t("offline.banner") }),
      savedAt && h("p", { text: t("offline.savedAt", { when: moment(savedAt) }) }),
      retry && button(t("common.retry"), "refresh", retry),
    ),
  );
}

// ---- listeners that end with their screen -------------------------------------------------------

const watched = new Set();
let observer = null;

function sweep() {
  for (const entry of watched) {
    if (entry.node.isConnected) entry.seen = true;
    else if (entry.seen) {
      entry.stop();
      watched.delete(entry);
    }
  }
}

/** Call `stop` once `node` has been on the screen and is gone again (the screen was replaced). */
export function whileShown(node, stop) {
  watched.add({ node, stop, seen: node.isConnected });
  if (!observer) {
    observer = new MutationObserver(sweep);
    observer.observe(document.getElementById("main"), { childList: true, subtree: true });
  }
}

// ---- waiting actions ----------------------------------------------------------------------------

function entryText(entry) {
  const what = t(`offline.kind.${entry.kind}`);
  return entry.label ? `${what}: ${entry.label}` : what;
}

function entryItem(entry, redraw) {
  if (entry.state === "failed") {
    return h(
      "li",
      { class: "outbox-item outbox-failed" },
      icon("alert"),
      h(
        "div",
        null,
        h("p", { class: "outbox-what", text: entryText(entry) }),
        h("p", { text: t("offline.failed", { message: entry.message || t("error.general") }) }),
        button(t("offline.dismiss"), "check", async () => {
          await dismiss(entry.id);
          redraw();
        }, { extra: h("span", { class: "sr-only", text: ` ${entryText(entry)}` }) }),
      ),
    );
  }
  return h(
    "li",
    { class: "outbox-item" },
    icon("wait"),
    h(
      "div",
      null,
      h("p", { class: "outbox-what", text: entryText(entry) }),
      h("p", { text: t("offline.sending") }),
      h("p", { class: "muted", text: t("offline.madeAt", { when: moment(entry.createdAt) }) }),
    ),
  );
}

/**
 * The actions still waiting to be sent ("wordt verstuurd") and the ones the server refused.
 * Empty and hidden when there are none; redrawn when the outbox changes.
 */
export function outboxPanel() {
  const list = h("ul", { class: "plain-list stack" });
  const title = h("h2", { id: `outbox-${Math.random().toString(36).slice(2, 8)}`, text: t("offline.waitingTitle") });
  const panel = h("section", { class: "outbox", "aria-labelledby": title.id, hidden: true }, title, list);
  const draw = async () => {
    const entries = await pending();
    list.replaceChildren(...entries.map((e) => entryItem(e, draw)));
    panel.hidden = entries.length === 0;
  };
  const stop = onOutbox((change) => {
    draw();
    // Sent later, in the background: say so. A screen that sent at once says it itself.
    if (change.background && change.state === "sent") announce(t(`offline.sent.${change.kind}`));
    if (change.background && change.state === "failed") announce(t("offline.failed", { message: change.message }));
  });
  whileShown(panel, stop);
  draw();
  return panel;
}
