// Hash routes: "#/home", "#/people/<id>", "#/settings". The path part of the address stays "/",
// so the server and the service worker only ever see one page.

/** The current route path, e.g. "/people/42" ("/" when there is none). */
export function currentPath() {
  // A query after the route ("#/caseload?flagged=true") is for the view, not for matching.
  const hash = location.hash.replace(/^#/, "").split("?")[0];
  return hash.startsWith("/") ? hash : "/";
}

/** Find the first pattern ("/people/:id") that fits the path; returns [value, params] or null. */
export function match(table, path) {
  const parts = path.split("/").filter(Boolean);
  for (const [pattern, value] of table) {
    const want = pattern.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    const fits = want.every((piece, i) => {
      if (piece.startsWith(":")) {
        params[piece.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return piece === parts[i];
    });
    if (fits) return [value, params];
  }
  return null;
}

/** Go to a route. Going to the route we are on re-renders it (hashchange would not fire). */
export function navigate(path, { replace = false } = {}) {
  const target = `#${path}`;
  if (location.hash === target) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else if (replace) {
    history.replaceState(null, "", `${location.pathname === "/welkom" ? "/" : location.pathname}${location.search}${target}`);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = target;
  }
}

export function onRouteChange(listener) {
  window.addEventListener("hashchange", () => {
    // In-page anchors such as the skip link ("#main") are not routes.
    if (location.hash && !location.hash.startsWith("#/")) return;
    listener();
  });
}
