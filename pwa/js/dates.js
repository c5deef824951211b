// Days and times as the worker reads them, always in Brussels time, whatever the phone's zone.
// The server sends each item's local day ("2025-06-02") and clock times ("08:00") ready to show.

import { currentLanguage, t } from "./i18n.js";

const ZONE = "Europe/Brussels";

function locale() {
  return currentLanguage() === "nl" ? "nl-BE" : "en-GB";
}

/** A day ("2025-06-02") as a Date at noon UTC, so formatting it never slips into another day. */
function noon(day) {
  return new Date(`${day}T12:00:00Z`);
}

/** Today's date in Brussels, as "YYYY-MM-DD". */
export function today(now = new Date()) {
  // Swedish writes dates as YYYY-MM-DD: the ISO form, in the Brussels zone.
  return new Intl.DateTimeFormat("sv-SE", { timeZone: ZONE }).format(now);
}

/** The day `count` days after `day` ("YYYY-MM-DD"). */
export function addDays(day, count) {
  const date = noon(day);
  date.setUTCDate(date.getUTCDate() + count);
  return date.toISOString().slice(0, 10);
}

/** The Monday of the week that holds `day`. */
export function mondayOf(day) {
  const weekday = (noon(day).getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  return addDays(day, -weekday);
}

/** "maandag 2 juni"; "Vandaag" and "Morgen" for the nearest days when `near` is set. */
export function dayName(day, { near = true } = {}) {
  const base = today();
  if (near && day === base) return t("week.today");
  if (near && day === addDays(base, 1)) return t("week.tomorrow");
  return new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(noon(day));
}

/** "2 jun": short, for lists. */
export function shortDay(day) {
  return new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", timeZone: "UTC" }).format(noon(day));
}

/** The clock time of an instant in Brussels: "08:02". */
export function clock(iso) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", timeZone: ZONE }).format(new Date(iso));
}

/** "vandaag om 08:02" or "2 jun om 08:02": when something was saved or sent. */
export function moment(iso) {
  const day = today(new Date(iso));
  const when = day === today() ? t("week.today").toLowerCase() : shortDay(day);
  return t("week.at", { day: when, time: clock(iso) });
}

/** One style for a date and time everywhere: "vandaag om 08:02", "2 dec om 08:02", and the year
 *  too when it is not this year ("2 dec 2025 om 08:02"). Empty for no date. */
export function dateTime(iso) {
  if (!iso) return "";
  const day = today(new Date(iso));
  if (day === today() || day.slice(0, 4) === today().slice(0, 4)) return moment(iso);
  const when = new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(noon(day));
  return t("week.at", { day: when, time: clock(iso) });
}

// ---- numbers ------------------------------------------------------------------------------------

/** A number as the language writes it: "0,7" in Dutch, "0.7" in English (`digits` after the comma). */
export function number(value, digits = 1) {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** Kilometres: "0,7 km" / "0.7 km". */
export function km(value, digits = 1) {
  return `${number(value, digits)} km`;
}

// ---- spoken ---------------------------------------------------------------------------------------

/** A clock time ("07:15") as it is said aloud: "7 uur 15", "8 uur"; in English "7:15", "8 o'clock". */
export function spokenTime(hhmm) {
  const [hours, minutes] = String(hhmm).split(":").map((part) => parseInt(part, 10));
  if (Number.isNaN(hours)) return String(hhmm);
  if (currentLanguage() === "nl") return minutes ? `${hours} uur ${minutes}` : `${hours} uur`;
  return minutes ? `${hours}:${String(minutes).padStart(2, "0")}` : `${hours} o'clock`;
}

/** The clock time of an instant in Brussels, as said aloud. */
export function spokenClock(iso) {
  return spokenTime(clock(iso));
}
