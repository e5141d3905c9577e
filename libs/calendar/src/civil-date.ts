import { z } from 'zod';
import { CalendarError, CalendarErrorCode } from './calendar-error';

/**
 * A civil (wall-calendar) date in Vietnam, `YYYY-MM-DD`. Strings compare in date order, so
 * `<` and `sort()` on them are correct once validated.
 */
export type CivilDate = string;

/** Vietnam has used UTC+7 all year, without daylight saving, since 1975. */
export const VIETNAM_UTC_OFFSET_HOURS = 7;

/** Years the calendar computes; the lunar algorithm and the statutory rules are trusted inside it. */
export const SUPPORTED_YEARS = { min: 1900, max: 2199 } as const;

const MS_PER_DAY = 86_400_000;
const OFFSET_MS = VIETNAM_UTC_OFFSET_HOURS * 3_600_000;
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a well-formed `YYYY-MM-DD` that exists in the Gregorian calendar (no 2026-02-30). */
export function isCivilDate(value: string): boolean {
  const m = PATTERN.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = utcMidnight(year, month, day);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** Zod schema of a civil date, for schemas of data files and rules. */
export const CivilDateSchema = z
  .string()
  .regex(PATTERN, { message: 'must be a civil date YYYY-MM-DD', abort: true })
  .refine(isCivilDate, 'is not a date of the calendar');

/** Returns `value` if it is a valid civil date inside the supported years; throws `CalendarError` otherwise. */
export function parseCivilDate(value: string): CivilDate {
  if (!isCivilDate(value))
    throw new CalendarError(CalendarErrorCode.InvalidDate, `"${value}" is not a civil date YYYY-MM-DD`);
  checkYear(yearOf(value));
  return value;
}

/** Throws `CalendarError` (out of range) for a year the calendar does not compute. */
export function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < SUPPORTED_YEARS.min || year > SUPPORTED_YEARS.max) {
    throw new CalendarError(
      CalendarErrorCode.OutOfRange,
      `year ${year} is outside the supported years ${SUPPORTED_YEARS.min}–${SUPPORTED_YEARS.max}`,
    );
  }
}

export function yearOf(date: CivilDate): number {
  return Number(date.slice(0, 4));
}

export function civilDate(year: number, month: number, day: number): CivilDate {
  return civilDateFromEpochDay(Math.round(utcMidnight(year, month, day).getTime() / MS_PER_DAY));
}

/** Days since 1970-01-01: the integer day number the arithmetic works on. */
export function epochDayOf(date: CivilDate): number {
  return Math.round(
    utcMidnight(yearOf(date), Number(date.slice(5, 7)), Number(date.slice(8, 10))).getTime() / MS_PER_DAY,
  );
}

export function civilDateFromEpochDay(epochDay: number): CivilDate {
  const d = new Date(epochDay * MS_PER_DAY);
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** `date` plus `days` calendar days (negative goes back). */
export function plusDays(date: CivilDate, days: number): CivilDate {
  return civilDateFromEpochDay(epochDayOf(date) + days);
}

/** ISO weekday: 1 = Monday … 6 = Saturday, 7 = Sunday. */
export function isoWeekday(date: CivilDate): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((epochDayOf(date) + 3) % 7) + 7) % 7) + 1;
}

export function isWeekend(date: CivilDate): boolean {
  return isoWeekday(date) >= 6;
}

/** The civil date in Asia/Ho_Chi_Minh of an instant, whatever the host's time zone. */
export function civilDateOf(instant: Date): CivilDate {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new CalendarError(CalendarErrorCode.InvalidInstant, 'invalid Date (NaN)');
  return civilDateFromEpochDay(Math.floor((ms + OFFSET_MS) / MS_PER_DAY));
}

/** A civil date as Vietnamese write it, day first: `2026-11-23` → `23/11/2026`. */
export function dmy(date: CivilDate): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** The last millisecond of a civil date in Vietnam: `date`T23:59:59.999+07:00. */
export function endOfDayInstant(date: CivilDate): Date {
  return new Date((epochDayOf(parseCivilDate(date)) + 1) * MS_PER_DAY - OFFSET_MS - 1);
}

// setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
function utcMidnight(year: number, month: number, day: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d;
}
