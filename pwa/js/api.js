// The one way the app talks to the backend: JSON over fetch, same-origin cookies, the CSRF
// header on every change, and the user's language so error messages come back in it.

import { currentLanguage, t } from "./i18n.js";

const CSRF_COOKIE = "werkmaat_csrf";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** An answer from the server that is not a success, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || (status === 0 ? t("error.offline") : t("error.general")));
    this.status = status;
    this.errors = (body && Array.isArray(body.errors) && body.errors) || [];
    this.retryAfter = body && Number(body.retryAfter) > 0 ? Number(body.retryAfter) : 0;
  }
}

function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

async function csrfToken() {
  let token = readCookie(CSRF_COOKIE);
  if (!token) {
    // The server sets the cookie on any GET; /api/config is the cheapest one.
    await request("GET", "/api/config");
    token = readCookie(CSRF_COOKIE);
  }
  return token;
}

/**
 * Send a request; resolves to the parsed JSON (or null for 204), rejects with ApiError.
 * `headers` adds headers (the offline outbox sends its Idempotency-Key); `timeout` (ms) gives up
 * on a connection that hangs, which then counts as no answer (status 0).
 */
export async function request(method, path, body, { headers: extra, timeout } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": currentLanguage(), ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // Read when sending, not when the action was made: the cookie may have changed since.
  if (UNSAFE.has(method)) headers["X-CSRF-Token"] = await csrfToken();

  let response;
  const controller = timeout ? new AbortController() : null;
  const timer = controller && setTimeout(() => controller.abort(), timeout);
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller ? controller.signal : undefined,
    });
  } catch {
    throw new ApiError(0, null);
  } finally {
    clearTimeout(timer);
  }

  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      // A success whose body did not arrive whole (the page reloading for a new version, the
      // connection dropping mid-answer) is no answer: as if the connection had failed, so the caller
      // keeps its copy or its queued action instead of taking (and keeping) null.
      if (response.ok) throw new ApiError(0, null);
    }
  }
  if (response.ok) return data;

  const error = new ApiError(response.status, data);
  if (response.status === 401 && !path.startsWith("/api/auth/")) {
    // The session ended (expired, revoked on another device, deactivated): the app shows sign-in.
    window.dispatchEvent(new CustomEvent("werkmaat:unauthorized"));
  }
  throw error;
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body = {}) => request("POST", path, body),
  patch: (path, body) => request("PATCH", path, body),
  put: (path, body) => request("PUT", path, body),
  del: (path) => request("DELETE", path),
};
