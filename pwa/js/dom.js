// Small DOM helpers. Everything is built with createElement and textContent, never innerHTML,
// so text from the server (names, addresses) can never become markup.

/**
 * Create an element.
 * props: "class" sets className, "text" sets textContent, functions under "on<event>" become
 * listeners, `true` becomes an empty attribute, null/undefined/false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Append children: nodes, strings, numbers, (nested) arrays; null and false are skipped. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// Icon outlines on a 24x24 grid, drawn with a 2px round stroke in the text colour.
const ICONS = {
  home: "M3 11 12 3l9 8M5 9.5V21h5v-6h4v6h5V9.5",
  settings: "M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1M13 6a2 2 0 1 0 4 0 2 2 0 1 0-4 0M7 12a2 2 0 1 0 4 0 2 2 0 1 0-4 0M15 18a2 2 0 1 0 4 0 2 2 0 1 0-4 0",
  phone: "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z",
  sms: "M4 5h16v11H9l-5 4zM8.5 10.5h.01M12 10.5h.01M15.5 10.5h.01",
  route: "M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11zM9.5 10a2.5 2.5 0 1 0 5 0 2.5 2.5 0 1 0-5 0",
  plus: "M12 5v14M5 12h14",
  copy: "M9 9h11v11H9zM5 15H4V4h11v1",
  check: "M5 12l5 5 9-10",
  logout: "M10 4H5v16h5M15 8l4 4-4 4M19 12H9",
  back: "M19 12H5M11 6l-6 6 6 6",
  user: "M8 8a4 4 0 1 0 8 0 4 4 0 1 0-8 0M4 21a8 8 0 0 1 16 0",
  users: "M5.5 7.5a3.5 3.5 0 1 0 7 0 3.5 3.5 0 1 0-7 0M2 20a7 7 0 0 1 14 0M16 4a3.5 3.5 0 0 1 0 7M18 14a6 6 0 0 1 4 6",
  globe: "M3 12a9 9 0 1 0 18 0 9 9 0 1 0-18 0M3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18",
  device: "M7 3h10v18H7zM11 18h2",
  code: "M3 7h18v10H3zM7.5 12h.01M12 12h.01M16.5 12h.01",
  building: "M4 21V5h10v16M14 9h6v12M3 21h18M8 9h2M8 13h2M8 17h2",
  alert: "M12 3 2 20h20zM12 10v4M12 17h.01",
  power: "M12 3v8M6.3 6.3a8 8 0 1 0 11.4 0",
  send: "M3 6h18v12H3zM3 6l9 7 9-7",
  calendar: "M4 6h16v14H4zM4 10h16M8 3v4M16 3v4",
  refresh: "M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5",
  edit: "M4 20h4L19 9l-4-4L4 16zM13 7l4 4",
  // The worker's week: kinds of item, states, and things to bring.
  shift: "M3 8h18v12H3zM8 8V5h8v3M3 13h18",
  training: "M12 6c-2-2-5-2-8-2v14c3 0 6 0 8 2 2-2 5-2 8-2V4c-3 0-6 0-8 2zM12 6v14",
  intake: "M8 3h8v3H8zM6 4.5H5V21h14V4.5h-1M8 11h8M8 15h5",
  coach_meeting: "M3 4h12v9H7l-4 3zM18 8h3v11l-4-3h-7v-3",
  clock: "M3 12a9 9 0 1 0 18 0 9 9 0 1 0-18 0M12 7v5l3 3",
  sick: "M10 13.5V5a2 2 0 1 1 4 0v8.5a4 4 0 1 1-4 0zM12 9v8",
  cancel: "M6 6l12 12M18 6 6 18",
  speaker: "M4 9h4l5-4v14l-5-4H4zM16.5 9a4 4 0 0 1 0 6M19 6.5a8 8 0 0 1 0 11",
  stop: "M6 6h12v12H6z",
  offline: "M3 3l18 18M8.5 16.5a5 5 0 0 1 7 0M5 12.5a10 10 0 0 1 4.5-2.6M14.5 10a10 10 0 0 1 4.5 2.5M2 9a15 15 0 0 1 4-2.6M11 5a15 15 0 0 1 11 4M12 20h.01",
  wait: "M7 3h10M7 21h10M8 3c0 5 8 5 8 9s-8 4-8 9M16 3c0 5-8 5-8 9s8 4 8 9",
  link: "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
  eye: "M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zM9 12a3 3 0 1 0 6 0 3 3 0 1 0-6 0",
  safety_shoes: "M4 4h7v7l7 3a3 3 0 0 1 3 3v3H4zM4 17h17M8 8h3",
  work_clothes: "M8 3 3 6l2 5 2-1v11h10V10l2 1 2-5-5-3a4 4 0 0 1-8 0z",
  id_card: "M3 5h18v14H3zM6 10a2 2 0 1 0 4 0 2 2 0 1 0-4 0M5 16a3 3 0 0 1 6 0M13 10h5M13 14h4",
  lunch: "M12 7c-3-2-8-1-8 5s4 9 6 9c1 0 1.5-.5 2-.5s1 .5 2 .5c2 0 6-3 6-9s-5-7-8-5zM12 7c0-2 1-4 3-4",
  drink: "M10 2h4v3l2 3v13H8V8l2-3zM8 12h8",
  gloves: "M7 21h9l3-6V8a1.5 1.5 0 0 0-3 0v4V5a1.5 1.5 0 0 0-3 0v6V4a1.5 1.5 0 0 0-3 0v7V6a1.5 1.5 0 0 0-3 0v9l-2-2a1.5 1.5 0 0 0-2 2z",
  helmet: "M2 18h20v2H2zM4 18v-2a8 8 0 0 1 16 0v2M10 8V5h4v3",
  documents: "M6 3h8l4 4v14H6zM14 3v4h4M9 12h6M9 16h6",
  bank_card: "M3 6h18v12H3zM3 10h18M6 15h4",
  pen: "M4 20l1-5L16 4l4 4L9 19zM14 6l4 4",
  // Notifications and the inbox.
  bell: "M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0",
  bellOff: "M3 3l18 18M8.5 5.5A6 6 0 0 1 18 11v4M6 11v5l-2 2h12M10 20a2 2 0 0 0 4 0",
  inbox: "M3 13l3-8h12l3 8v6H3zM3 13h5l1 3h6l1-3h5",
  // Impact report and audit log.
  chart: "M4 20V4M4 20h16M8 16v-5M12 16V8M16 16v-7",
  log: "M6 3h12v18H6zM9 8h6M9 12h6M9 16h4",
  // the way to work
  walk: "M13 4a1.5 1.5 0 1 0 0 .01M10 21l2-6 3 3v3M9 12l1-4 4 1 2 3 3 1M10 8l-3 2-1 3",
  bus: "M5 4h14v13H5zM5 11h14M8 20v-3M16 20v-3M8 14h.01M16 14h.01",
  tram: "M6 6h12v11H6zM6 12h12M9 20l1-3M15 20l-1-3M9 3h6",
  train: "M6 4h12v12H6zM6 10h12M8 20l2-4M16 20l-2-4M9 13h.01M15 13h.01",
  // Quick replies and "Ik heb hulp nodig" (views/quickReplies.js, views/help.js).
  question: "M3 12a9 9 0 1 0 18 0 9 9 0 1 0-18 0M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14M12 17h.01",
  car: "M5 11l2-5h10l2 5M3 11h18v6H3zM6 17v2M18 17v2M7 14h.01M17 14h.01",
  heart: "M12 20s-8-5-8-11a4.5 4.5 0 0 1 8-2.8A4.5 4.5 0 0 1 20 9c0 6-8 11-8 11z",
  lifebuoy: "M3 12a9 9 0 1 0 18 0 9 9 0 1 0-18 0M8 12a4 4 0 1 0 8 0 4 4 0 1 0-8 0M5.6 5.6l3.6 3.6M14.8 14.8l3.6 3.6M18.4 5.6l-3.6 3.6M9.2 14.8l-3.6 3.6",
  stopSign: "M12 3v18M8 21h8M8 4h8v6H8z",
};

const SVG_NS = "http://www.w3.org/2000/svg";
// Icons that point along the line of reading ("back", "out"): mirrored in a right-to-left language
// (css: [dir="rtl"] .icon-dir). The others (a clock, a bus) look the same either way.
const DIRECTIONAL = new Set(["back", "logout"]);

/** An inline SVG icon, hidden from screen readers: the word beside it carries the meaning. */
export function icon(name) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", DIRECTIONAL.has(name) ? "icon icon-dir" : "icon");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name] || ICONS.alert);
  svg.append(path);
  return svg;
}
