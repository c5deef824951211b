// The impact report for coaches and admins: pick a period, see the figures as tiles and charts
// (readable without colour, with a table for each), download the CSV. No names anywhere.

import { api } from "../api.js";
import { barChart } from "../charts.js";
import { today } from "../dates.js";
import { h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { alertArea, button, heading, section, showAlert } from "../ui.js";

const UNITS = { hours: "impact.unit.hours", percent: "impact.unit.percent", months: "impact.unit.months", km: "impact.unit.km" };

/** First and last day of the month `back` months before the one that holds `day`. */
function monthRange(day, back) {
  const [y, m] = day.split("-").map(Number);
  const index = y * 12 + (m - 1) - back;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const mm = String(month).padStart(2, "0");
  return [`${year}-${mm}-01`, `${year}-${mm}-${String(last).padStart(2, "0")}`];
}

export function presets(day = today()) {
  const month = Number(day.slice(5, 7));
  const inQuarter = (month - 1) % 3;
  const [quarterStart] = monthRange(day, inQuarter + 3);
  const [, quarterEnd] = monthRange(day, inQuarter + 1);
  return {
    lastMonth: monthRange(day, 1),
    lastQuarter: [quarterStart, quarterEnd],
    thisYear: [`${day.slice(0, 4)}-01-01`, day],
  };
}

function query(period) {
  const params = new URLSearchParams({ from: period.from, to: period.to });
  if (period.organisationId) params.set("organisationId", period.organisationId);
  return params.toString();
}

function valueText(figure) {
  if (figure.suppressed || figure.value == null) return figure.display;
  return UNITS[figure.unit] ? t(UNITS[figure.unit], { n: figure.display }) : figure.display;
}

function tile(figure) {
  return h(
    "li",
    { class: "tile" },
    h("p", { class: "tile-value", text: valueText(figure) }),
    h("p", { class: "tile-label", text: t(`impact.figure.${figure.key}`) }),
    figure.suppressed && h("p", { class: "tile-note", text: t("impact.hidden") }),
  );
}

function hoursChart(figures) {
  const rows = ["plannedHours", "attendedHours", "trainingHours"]
    .map((key, i) => figures.find((f) => f.key === key) && { figure: figures.find((f) => f.key === key), fill: ["dots", "hatch", "solid"][i] })
    .filter(Boolean)
    .map(({ figure, fill }) => ({ label: t(`impact.figure.${figure.key}`), value: figure.value, display: valueText(figure), fill }));
  return barChart({ title: t("impact.chart.hours"), rows, tableLabels: [t("impact.table.what"), t("impact.table.value"), t("impact.table.show")] });
}

function breakdownChart(breakdown) {
  const rows = breakdown.rows.map((r) => ({ label: r.label, value: r.value, display: r.display, fill: "hatch" }));
  rows.push({ label: t("impact.total"), value: breakdown.total.value, display: breakdown.total.display, fill: "solid" });
  return barChart({
    title: t(`impact.chart.${breakdown.key}`),
    rows,
    tableLabels: [t(`impact.group.${breakdown.key}`), t("impact.table.people"), t("impact.table.show")],
  });
}

function results(report, period) {
  const figures = report.sections.flatMap((s) => s.figures);
  const breakdowns = report.sections.flatMap((s) => s.breakdowns);
  const csv = h(
    "a",
    { class: "btn btn-primary", href: `/api/reports/impact?${query(period)}&format=csv`, download: `impact-${period.from}-${period.to}.csv` },
    icon("send"),
    h("span", { text: t("impact.csv") }),
  );
  return [
    h("p", { class: "lead", text: t("impact.periodShown", { from: report.from, to: report.to }) }),
    h("ul", { class: "tiles plain-list", "aria-label": t("impact.tiles") }, figures.map(tile)),
    section(t("impact.charts"), h("div", { class: "charts" }, hoursChart(figures), breakdowns.map(breakdownChart))),
    h("p", { class: "muted", text: t("impact.rule") }),
    csv,
  ];
}

export async function impactView({ me }) {
  const organisations = me.organisation ? [] : await api.get("/api/organisations");
  const [first, last] = presets().lastMonth;
  const period = { from: first, to: last, organisationId: me.organisation ? null : organisations[0]?.id };
  const out = h("div", { class: "stack", "aria-live": "polite" });
  const alert = alertArea();
  const fromInput = h("input", { id: "impact-from", type: "date", name: "from", value: period.from });
  const toInput = h("input", { id: "impact-to", type: "date", name: "to", value: period.to });

  async function show() {
    showAlert(alert, null);
    try {
      const report = await api.get(`/api/reports/impact?${query(period)}`);
      out.replaceChildren(...results(report, period));
    } catch (error) {
      out.replaceChildren();
      showAlert(alert, error);
    }
  }
  function choose(from, to) {
    period.from = from;
    period.to = to;
    fromInput.value = from;
    toInput.value = to;
    show();
  }
  const presetButtons = Object.entries(presets()).map(([key, [from, to]]) =>
    button(t(`impact.preset.${key}`), "calendar", () => choose(from, to)),
  );
  const orgField = organisations.length
    ? h(
        "div",
        { class: "field" },
        h("label", { for: "impact-org", text: t("impact.organisation") }),
        h(
          "select",
          { id: "impact-org", onchange: (e) => { period.organisationId = e.target.value; show(); } },
          organisations.map((o) => h("option", { value: o.id, text: o.name })),
        ),
      )
    : null;
  const form = h(
    "form",
    { class: "period-form", onsubmit: (e) => { e.preventDefault(); choose(fromInput.value, toInput.value); } },
    orgField,
    h("div", { class: "actions" }, presetButtons),
    h("div", { class: "period-dates" },
      h("div", { class: "field" }, h("label", { for: "impact-from", text: t("impact.from") }), fromInput),
      h("div", { class: "field" }, h("label", { for: "impact-to", text: t("impact.to") }), toInput)),
    button(t("impact.show"), "check", null, { kind: "primary", type: "submit" }),
  );
  await show();
  return h("div", { class: "stack report-screen" }, heading(t("impact.title")), h("p", { class: "lead", text: t("impact.intro") }),
    section(t("impact.period"), form), alert, out);
}
