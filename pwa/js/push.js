// Web Push on this device: can it work here, turning it on and off, and keeping the server's
// copy of the subscription fresh on every start (push services renew and expire them).
//
// Permission is only ever asked from a tap on "Meldingen aanzetten", never on load: a prompt out
// of nowhere gets "Block", and a blocked site cannot ask again.

import { api } from "./api.js";

// "on" once the person turned push on in this browser, "off" after "Meldingen uitzetten".
const FLAG = "werkmaat.push";
// The service worker reads the CSRF token from here when it must re-subscribe on its own
// (pushsubscriptionchange): it cannot read cookies. sw.js opens the same database.
const DB_NAME = "werkmaat-push";
const STORE = "values";

/** iPhone or iPad (iPadOS says it is a Mac, but a Mac has no touch screen). */
export function isIos() {
  return /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

/**
 * "ok": push can work here. "ios-install": Safari on iPhone/iPad only offers push to an app on
 * the home screen. "unsupported": this browser cannot (the inbox still has every message).
 */
export function pushSupport() {
  if ("serviceWorker" in navigator && "PushManager" in window && "Notification" in window) return "ok";
  if (isIos() && navigator.standalone !== true) return "ios-install";
  return "unsupported";
}

/** "granted", "denied" or "default" (not asked yet). */
export function permission() {
  return "Notification" in window ? Notification.permission : "denied";
}

function flag(value) {
  try {
    if (value === undefined) return localStorage.getItem(FLAG);
    localStorage.setItem(FLAG, value);
  } catch {
    // Private mode: push still works, the choice is just not remembered.
  }
  return value;
}

/** The service worker registration; rejects instead of waiting forever when there is none. */
function registration() {
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise((resolve, reject) => setTimeout(() => reject(new Error("no service worker")), 10000)),
  ]);
}

/** The browser's subscription on this device, or null. Does not wait for the service worker. */
export async function currentSubscription() {
  if (pushSupport() !== "ok") return null;
  const reg = await navigator.serviceWorker.getRegistration();
  return reg ? reg.pushManager.getSubscription() : null;
}

/** The VAPID public key arrives as base64url; subscribe() wants the raw bytes. */
export function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function sameKey(subscription, key) {
  const current = subscription.options && subscription.options.applicationServerKey;
  if (!current) return true;
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}

/** Subscribe (or reuse the subscription) with the server's key and send it to the server. */
async function subscribeAndSend() {
  const reg = await registration();
  const config = await api.get("/api/push/config");
  const key = keyBytes(config.publicKey);
  let subscription = await reg.pushManager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    // Made with another key (the server's key changed): the push service would refuse our sends.
    await subscription.unsubscribe().catch(() => false);
    subscription = null;
  }
  if (!subscription) subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await api.post("/api/push/subscriptions", subscription.toJSON());
  await rememberCsrf().catch(() => {});
  return subscription;
}

/**
 * "Meldingen aanzetten". Must run straight from a tap: Safari only shows the question during
 * the user's gesture, so requestPermission comes before anything that waits.
 * Resolves to the permission ("granted", "denied", "default").
 */
export async function enablePush() {
  const answer = await Notification.requestPermission();
  if (answer !== "granted") return answer;
  await subscribeAndSend();
  flag("on");
  return answer;
}

/** "Meldingen uitzetten": the server forgets this device, then the browser drops the subscription. */
export async function disablePush() {
  const subscription = await currentSubscription();
  if (subscription) {
    await api.post("/api/push/subscriptions/remove", { endpoint: subscription.endpoint });
    await subscription.unsubscribe().catch(() => false);
  }
  flag("off");
}

/**
 * On every start, signed in: send the subscription again (the server may have dropped it, or
 * the push service renewed it), or make a new one when the browser lost it. Quiet on failure:
 * the next start tries again.
 */
export async function renewPush() {
  if (pushSupport() !== "ok" || permission() !== "granted" || flag() === "off") return;
  const existing = await currentSubscription();
  if (!existing && flag() !== "on") return;
  await subscribeAndSend();
}

// ---- the CSRF token for the service worker -----------------------------------------------------

function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Keep the current CSRF cookie where the service worker can read it. */
async function rememberCsrf() {
  const token = readCookie("werkmaat_csrf");
  if (!token) return;
  const db = await openDb();
  try {
    await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(token, "csrf");
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}
