// Bar charts in SVG that read without colour: hatched or dotted bars with an outline, the value
// written beside every bar, the label above it, the chart's title as visible text above it (a
// <figcaption>: an SVG <title> is only a tooltip), a <title> and aria-label for screen readers,
// and a plain table with the same numbers (the caller shows it next to the chart).

import { h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";
const WIDTH = 320;
const ROW = 52;
const LABEL_WIDTH = 250; // bars leave room for their value text on the right

/** An SVG element (h() makes HTML elements only). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) if (value != null) el.setAttribute(key, String(value));
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

let counter = 0;

/** Fill patterns: "hatch" (diagonal lines), "dots", "solid"; each chart gets its own ids. */
function patterns(prefix) {
  const hatch = svg(
    "pattern",
    { id: `${prefix}-hatch`, width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
    svg("rect", { width: 8, height: 8, fill: "#ffffff" }),
    svg("line", { x1: 0, y1: 0, x2: 0, y2: 8, stroke: "#0a5c63", "stroke-width": 4 }),
  );
  const dots = svg(
    "pattern",
    { id: `${prefix}-dots`, width: 8, height: 8, patternUnits: "userSpaceOnUse" },
    svg("rect", { width: 8, height: 8, fill: "#ffffff" }),
    svg("circle", { cx: 4, cy: 4, r: 2, fill: "#1b1b1b" }),
  );
  return svg("defs", {}, hatch, dots);
}

/**
 * rows: [{ label, value (number or null when hidden), display, fill: "hatch"|"dots"|"solid" }].
 * Returns a <figure> with the SVG and a table alternative in a <details>.
 */
export function barChart({ title, rows, tableLabels }) {
  const prefix = `c${++counter}`;
  const max = Math.max(1, ...rows.map((r) => (typeof r.value === "number" ? r.value : 0)));
  const height = Math.max(ROW, rows.length * ROW);
  const titleId = `${prefix}-title`;
  const summary = rows.map((r) => `${r.label}: ${r.display}`).join("; ");
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-labelledby": titleId, "aria-label": `${title}. ${summary}`, class: "chart" },
    svg("title", { id: titleId }, `${title}. ${summary}`),
    patterns(prefix),
    rows.map((r, i) => {
      const y = i * ROW;
      const shown = typeof r.value === "number";
      const width = shown ? Math.max(2, (r.value / max) * LABEL_WIDTH) : 0;
      const fill = r.fill === "solid" ? "#0a5c63" : `url(#${prefix}-${r.fill || "hatch"})`;
      return svg(
        "g",
        {},
        svg("text", { x: 0, y: y + 16, class: "chart-label" }, r.label),
        shown && svg("rect", { x: 0, y: y + 22, width, height: 22, fill, stroke: "#1b1b1b", "stroke-width": 1.5 }),
        svg("text", { x: width + 6, y: y + 39, class: "chart-value" }, r.display),
      );
    }),
  );
  const table = h(
    "table",
    { class: "data-table" },
    h("caption", { text: title }),
    h("thead", null, h("tr", null, h("th", { scope: "col", text: tableLabels[0] }), h("th", { scope: "col", text: tableLabels[1] }))),
    h("tbody", null, rows.map((r) => h("tr", null, h("th", { scope: "row", text: r.label }), h("td", { text: r.display })))),
  );
  return h(
    "figure",
    { class: "chart-figure" },
    h("figcaption", { class: "chart-title", text: title }),
    chart,
    h("details", null, h("summary", { text: tableLabels[2] }), table),
  );
}
