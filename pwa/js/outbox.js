// The outbox: what a worker does ("Ik ben er", "Ik ben ziek", "Ik kom te laat") is stored on the
// phone first and sent after. Without a connection the action waits in IndexedDB and goes out when
// the connection returns (the `online` event, the next app start, a retry timer).
//
// Exactly once: every action gets its own UUID, sent as the Idempotency-Key header each time it is
// tried. If the server did the action but the answer was lost, trying again returns the first
// answer instead of a second report.
//
// What happens to an answer:
//   2xx                    done: removed;
//   no answer, 5xx         kept and tried again later;
//   409 with Retry-After   the same key is still being handled: kept and tried again later;
//   401                    kept: it is sent once this person is signed in again;
//   other 4xx              the server will never accept it (a 409 without Retry-After says the action
//                          conflicts with how things are, e.g. a check-in after the shift ended):
//                          kept only to show its message.
//
// The moment that counts: an action queued with `timed: true` ("Ik ben er") is sent with the moment
// it was tapped (`tappedAt`, when it was stored) and the moment it is sent (`sentAt`), both from the
// phone's clock. The server uses only the time between the two, so a phone whose clock is off still
// checks in at the right moment, and a worker who taps at 07:58 without signal is on time.

import { request } from "./api.js";

const DB_NAME = "werkmaat";
const STORE = "outbox";
const RETRY_MS = 15_000;
const SEND_TIMEOUT_MS = 20_000;
const EVENT = "werkmaat:outbox";

let person = null;
let retryTimer = null;
let started = false;

// ---- storage: IndexedDB, or memory when the browser has none (private mode) -----------------------

let dbPromise = null;
const memory = new Map();

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve) => {
      try {
        const open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "id" });
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => resolve(null);
      } catch {
        resolve(null);
      }
    });
  }
  return dbPromise;
}

/** Run one request on the store; resolves with its result once the transaction is written. */
async function store(mode, use) {
  const db = await openDb();
  if (!db) return use(null);
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = use(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req ? req.result : undefined);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

// Whether this browser ever stored an action: set just before the first one is stored, never
// cleared. Until then the outbox is known to be empty without opening IndexedDB or taking the tabs'
// lock: on a phone that has never queued anything (every first start) the Home draws without
// waiting for either (opening the database the first time takes a phone 100 ms or more).
const USED = "werkmaat.outbox.used";

function everUsed() {
  try {
    return localStorage.getItem(USED) === "1";
  } catch {
    return true; // no localStorage: ask the database
  }
}

function markUsed() {
  try {
    localStorage.setItem(USED, "1");
  } catch {
    // Nothing to note: everUsed() then always asks the database.
  }
}

const all = () => (everUsed() ? store("readonly", (s) => (s ? s.getAll() : { result: [...memory.values()] })) : Promise.resolve([]));
const get = (id) => store("readonly", (s) => (s ? s.get(id) : { result: memory.get(id) }));
const put = (entry) => {
  markUsed();
  return store("readwrite", (s) => (s ? s.put(entry) : (memory.set(entry.id, entry), null)));
};
const remove = (id) => store("readwrite", (s) => (s ? s.delete(id) : (memory.delete(id), null)));

// ---- sending ----------------------------------------------------------------------------------------

function emit(detail) {
  window.dispatchEvent(new CustomEvent(EVENT, { detail }));
}

/** One tab sends at a time, so two open tabs do not both try the same action at once. */
function exclusive(task) {
  return navigator.locks ? navigator.locks.request("werkmaat-outbox", task) : task();
}

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const retryable = (error) =>
  error.status === 0 || error.status >= 500 || error.status === 401 || (error.status === 409 && error.retryAfter > 0);

/** The body as sent now: a timed action carries when it was tapped and when it is sent. */
function bodyOf(entry) {
  if (!entry.timed) return entry.body;
  return { ...entry.body, tappedAt: entry.createdAt, sentAt: new Date().toISOString() };
}

/** Try one stored action; returns { state: "sent" | "waiting" | "failed", data, error } and emits it. */
async function attempt(id, background = true) {
  const entry = await get(id);
  // Another tab may have sent it meanwhile.
  if (!entry || entry.state !== "waiting") return { state: entry ? entry.state : "sent" };
  try {
    const data = await request(entry.method, entry.path, bodyOf(entry), {
      headers: { "Idempotency-Key": entry.id },
      timeout: SEND_TIMEOUT_MS,
    });
    await remove(entry.id);
    emit({ id: entry.id, kind: entry.kind, state: "sent", data, background });
    return { state: "sent", data };
  } catch (error) {
    if (retryable(error)) {
      emit({ id: entry.id, kind: entry.kind, state: "waiting", background });
      return { state: "waiting", error };
    }
    await put({ ...entry, state: "failed", message: error.message, errors: error.errors });
    emit({ id: entry.id, kind: entry.kind, state: "failed", message: error.message, background });
    return { state: "failed", error };
  }
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => flush(), RETRY_MS);
}

/** Send every waiting action of the signed-in person, oldest first; stop at the first that cannot go. */
export async function flush() {
  if (!person || !everUsed()) return;
  clearTimeout(retryTimer);
  let waiting = false;
  await exclusive(async () => {
    const entries = (await all()).filter((e) => e.personId === person && e.state === "waiting");
    entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const entry of entries) {
      const result = await attempt(entry.id);
      if (result.state === "waiting") {
        waiting = true;
        break;
      }
    }
  });
  if (waiting) scheduleRetry();
}

/**
 * Store an action, then try to send it at once. `timed`: send when it was tapped (see the top).
 * Resolves { state: "sent", data } or { state: "waiting", id }; rejects with the ApiError of a
 * refusal (400, 403, 404, 409) so the form can show it under the field. A refused action is not kept:
 * the person is looking at the form and can fix it.
 */
export async function queue({ kind, path, body = {}, itemId = null, label = "", timed = false }) {
  const entry = {
    id: newId(),
    personId: person,
    kind,
    method: "POST",
    path,
    body,
    itemId,
    label,
    timed,
    state: "waiting",
    createdAt: new Date().toISOString(),
  };
  await put(entry);
  emit({ id: entry.id, kind, state: "queued" });
  const result = await exclusive(() => attempt(entry.id, false));
  if (result.state === "failed") {
    await remove(entry.id);
    emit({ id: entry.id, kind, state: "dismissed" });
    throw result.error;
  }
  if (result.state === "waiting") {
    scheduleRetry();
    return { state: "waiting", id: entry.id };
  }
  return result;
}

/** The signed-in person's actions that are waiting or were refused, oldest first. */
export async function pending() {
  if (!person) return [];
  const entries = (await all()).filter((e) => e.personId === person);
  return entries.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Forget a refused action once its message was read. */
export async function dismiss(id) {
  await remove(id);
  emit({ id, state: "dismissed" });
}

/** Listen to what happens in the outbox; returns a function that stops listening. */
export function onOutbox(listener) {
  const handler = (event) => listener(event.detail);
  window.addEventListener(EVENT, handler);
  return () => window.removeEventListener(EVENT, handler);
}

/** Whose actions to send (null when signed out); sends what was waiting from before. */
export function startOutbox(personId) {
  person = personId || null;
  if (!started) {
    started = true;
    window.addEventListener("online", () => flush());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") flush();
    });
  }
  if (person) flush();
  else clearTimeout(retryTimer);
}
