// Days and times as the worker reads them, always in Brussels time, whatever the phone's zone.
// The server sends each item's local day ("2025-06-02") and clock times ("08:00") ready to show.

import { currentLanguage, locale, t } from "./i18n.js";

const ZONE = "Europe/Brussels";

// A formatter is costly to make (tens of milliseconds on a cheap phone for the first one with a time
// zone) and the Home formats a few dozen dates: each one is made once per language and kept.
const formatters = new Map();

function formatter(lang, options) {
  const key = lang + JSON.stringify(options);
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(lang, options);
    formatters.set(key, found);
  }
  return found;
}

/** A day ("2025-06-02") as a Date at noon UTC, so formatting it never slips into another day. */
function noon(day) {
  return new Date(`${day}T12:00:00Z`);
}

const HOUR_MS = 60 * 60 * 1000;

/** 01:00 UTC on the last Sunday of a month (0-based): when Belgian clocks change. */
function lastSunday(year, month) {
  const day = new Date(Date.UTC(year, month + 1, 0, 1)); // the month's last day, 01:00 UTC
  day.setUTCDate(day.getUTCDate() - day.getUTCDay());
  return day.getTime();
}

/**
 * Today's date in Brussels, as "YYYY-MM-DD". Worked out from the EU rule (UTC+1, and UTC+2 from the
 * last Sunday of March to the last Sunday of October, both at 01:00 UTC), not with Intl: the first
 * date formatter a page makes costs 30 to 140 ms of a phone's main thread (ICU loads its data), and
 * the Home needs today's date before it can draw anything. tests/browser/test_dates.py checks it
 * against Intl across the clock changes.
 */
export function today(now = new Date()) {
  const at = now.getTime();
  const year = now.getUTCFullYear();
  const summer = at >= lastSunday(year, 2) && at < lastSunday(year, 9);
  return new Date(at + (summer ? 2 : 1) * HOUR_MS).toISOString().slice(0, 10);
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
  return formatter(locale(), { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(noon(day));
}

/** "2 jun": short, for lists. */
export function shortDay(day) {
  return formatter(locale(), { day: "numeric", month: "short", timeZone: "UTC" }).format(noon(day));
}

/** The clock time of an instant in Brussels: "08:02". */
export function clock(iso) {
  // Always 24 hours ("17:05", as on the timetable at the stop), also in languages that default to 12.
  return formatter(locale(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: ZONE }).format(new Date(iso));
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
  const when = formatter(locale(), { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(noon(day));
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

/** A clock time ("07:15") as it is said aloud: "7 uur 15", "8 uur"; in English "7:15", "8 o'clock";
 *  in the other languages "7:15", "8:00", which each voice reads as a time in its own language. */
export function spokenTime(hhmm) {
  const [hours, minutes] = String(hhmm).split(":").map((part) => parseInt(part, 10));
  if (Number.isNaN(hours)) return String(hhmm);
  const lang = currentLanguage();
  if (lang === "nl") return minutes ? `${hours} uur ${minutes}` : `${hours} uur`;
  if (lang === "en" && !minutes) return `${hours} o'clock`;
  return `${hours}:${String(minutes || 0).padStart(2, "0")}`;
}

/** The clock time of an instant in Brussels, as said aloud. */
export function spokenClock(iso) {
  return spokenTime(clock(iso));
}
