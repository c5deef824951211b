// "Meldingen" on the coach's home: sick and late reports nobody has marked as seen yet,
// each with a "Gezien" button.

import { api } from "../api.js";
import { moment, shortDay } from "../dates.js";
import { h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { alertArea, announce, button, runAction } from "../ui.js";

/** "is ziek: 2 jun" / "is ziek: 2 jun – 5 jun" / "komt 15 minuten te laat". */
export function reportText(report) {
  if (report.kind === "late") return t("report.coach.late", { minutes: report.minutesLate });
  const days = report.firstDay === report.lastDay ? shortDay(report.firstDay) : `${shortDay(report.firstDay)} – ${shortDay(report.lastDay)}`;
  return t("report.coach.sick", { days });
}

function reportItem(report, onSeen) {
  const who = report.personName || t("report.coach.someone");
  return h(
    "li",
    { class: "card report", "data-report": report.id },
    h(
      "div",
      { class: "report-head" },
      icon(report.kind === "late" ? "clock" : "sick"),
      h(
        "h3",
        null,
        h("a", { href: `#/people/${encodeURIComponent(report.personId)}`, text: who }),
        " ",
        h("span", { class: "report-what", text: reportText(report) }),
      ),
    ),
    report.note && h("p", { class: "item-note", text: `“${report.note}”` }),
    h("p", { class: "muted", text: t("report.coach.madeAt", { when: moment(report.createdAt) }) }),
    button(t("report.coach.seen"), "eye", () => onSeen(report), {
      extra: h("span", { class: "sr-only", text: ` ${who}` }),
    }),
  );
}

/** The "Meldingen" section: unseen reports, newest first; "Gezien" takes one off the list. */
export function reportsSection(reports) {
  const id = "reports-title";
  const title = h("h2", { id, tabindex: "-1", text: t("report.coach.title", { count: reports.length }) });
  const alert = alertArea();
  const list = h("ul", { class: "plain-list stack" });
  const empty = h("p", { class: "muted", text: t("report.coach.none") });
  let left = [...reports];

  const draw = () => {
    title.textContent = t("report.coach.title", { count: left.length });
    list.replaceChildren(...left.map((r) => reportItem(r, onSeen)));
    list.hidden = !left.length;
    empty.hidden = left.length > 0;
  };
  const onSeen = (report) =>
    runAction(alert, async () => {
      await api.post(`/api/reports/${encodeURIComponent(report.id)}/seen`);
      left = left.filter((r) => r.id !== report.id);
      draw();
      // The button is gone: focus goes back to the section's heading.
      title.focus();
      announce(t("report.coach.marked"));
    });
  draw();
  return h("section", { class: "section reports", "aria-labelledby": id }, title, alert, empty, list);
}
