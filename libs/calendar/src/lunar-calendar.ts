import { CalendarError, CalendarErrorCode } from './calendar-error';
import {
  checkYear,
  civilDateFromEpochDay,
  epochDayOf,
  parseCivilDate,
  VIETNAM_UTC_OFFSET_HOURS,
  yearOf,
  type CivilDate,
} from './civil-date';

/**
 * The Vietnamese lunisolar calendar (âm lịch), computed with Hồ Ngọc Đức's algorithm
 * (https://www.informatik.uni-leipzig.de/~duc/amlich/): astronomical new moons and
 * solar terms after Meeus, "Astronomical Algorithms", evaluated at local midnight of UTC+7.
 * The time zone matters: with China's UTC+8, Tết 1985 falls a month later (20/2 instead of
 * 21/1) and Tết 2007 a day later, so a Chinese table gives wrong Vietnamese holidays.
 */

/** A lunar date; `leap` marks the intercalary month (tháng nhuận) that repeats `month`. */
export interface LunarDate {
  /** The lunar year, named after the solar year in which its first month begins. */
  year: number;
  month: number;
  day: number;
  leap: boolean;
}

const SYNODIC_MONTH = 29.530588853;
// Julian day number of 1970-01-01, to move between our epoch days and the astronomers' JDN.
const JDN_OF_EPOCH_DAY_0 = 2_440_588;
// JDN (and its fractional form) of the reference new moon of 1900-01-01 the series counts from.
const JDN_1900_NEW_MOON = 2_415_021;
const JD_1900_NEW_MOON = 2_415_021.076998695;
const DEG = Math.PI / 180;

/** The lunar date of a civil date (UTC+7 unless `utcOffsetHours` says otherwise, e.g. 8 to compare with China). */
export function solarToLunar(date: CivilDate, utcOffsetHours: number = VIETNAM_UTC_OFFSET_HOURS): LunarDate {
  const dayNumber = epochDayOf(parseCivilDate(date)) + JDN_OF_EPOCH_DAY_0;
  const solarYear = yearOf(date);
  const k = Math.floor((dayNumber - JD_1900_NEW_MOON) / SYNODIC_MONTH);
  let monthStart = newMoonDay(k + 1, utcOffsetHours);
  if (monthStart > dayNumber) monthStart = newMoonDay(k, utcOffsetHours);

  // Months are counted from month 11, the one holding the winter solstice.
  let a11 = month11Start(solarYear, utcOffsetHours);
  let b11 = a11;
  let year: number;
  if (a11 >= monthStart) {
    year = solarYear;
    a11 = month11Start(solarYear - 1, utcOffsetHours);
  } else {
    year = solarYear + 1;
    b11 = month11Start(solarYear + 1, utcOffsetHours);
  }
  const day = dayNumber - monthStart + 1;
  const diff = Math.floor((monthStart - a11) / 29);
  let leap = false;
  let month = diff + 11;
  // 13 new moons between two months 11 (more than 365 days): the year has a leap month.
  if (b11 - a11 > 365) {
    const leapDiff = leapMonthOffset(a11, utcOffsetHours);
    if (diff >= leapDiff) {
      month = diff + 10;
      leap = diff === leapDiff;
    }
  }
  if (month > 12) month -= 12;
  if (month >= 11 && diff < 4) year -= 1;
  return { year, month, day, leap };
}

/**
 * The civil date of a lunar date. Throws `CalendarError` when the lunar date does not exist:
 * day 30 of a 29-day month, or `leap` set for a month that is not repeated that year.
 */
export function lunarToSolar(lunar: LunarDate, utcOffsetHours: number = VIETNAM_UTC_OFFSET_HOURS): CivilDate {
  const { year, month, day, leap } = lunar;
  checkYear(year);
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(day) || day < 1 || day > 30) {
    throw invalid(lunar);
  }
  const [a11, b11] =
    month < 11
      ? [month11Start(year - 1, utcOffsetHours), month11Start(year, utcOffsetHours)]
      : [month11Start(year, utcOffsetHours), month11Start(year + 1, utcOffsetHours)];
  let offset = month - 11;
  if (offset < 0) offset += 12;
  if (b11 - a11 > 365) {
    const leapOffset = leapMonthOffset(a11, utcOffsetHours);
    let leapMonth = leapOffset - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (leap && month !== leapMonth) throw invalid(lunar);
    if (leap || offset >= leapOffset) offset += 1;
  } else if (leap) {
    throw invalid(lunar);
  }
  const k = Math.floor(0.5 + (a11 - JD_1900_NEW_MOON) / SYNODIC_MONTH);
  const monthStart = newMoonDay(k + offset, utcOffsetHours);
  const result = civilDateFromEpochDay(monthStart + day - 1 - JDN_OF_EPOCH_DAY_0);
  // Day 30 of a 29-day month lands on day 1 of the next: catch it by converting back.
  const back = solarToLunar(result, utcOffsetHours);
  if (back.day !== day || back.month !== month || back.leap !== leap) throw invalid(lunar);
  return result;
}

function invalid(lunar: LunarDate): CalendarError {
  const text = `${lunar.day}/${lunar.month}${lunar.leap ? ' (leap)' : ''}/${lunar.year}`;
  return new CalendarError(CalendarErrorCode.InvalidLunarDate, `lunar date ${text} does not exist`);
}

/** JDN of the local day of the k-th new moon after the one of 1900-01-01. */
function newMoonDay(k: number, utcOffsetHours: number): number {
  return Math.floor(newMoonJulianDate(k) + 0.5 + utcOffsetHours / 24);
}

// Mean new moon plus its main periodic terms (Meeus), accurate to a few minutes: enough for
// dates, except for a new moon within minutes of local midnight.
function newMoonJulianDate(k: number): number {
  const t = k / 1236.85;
  const t2 = t * t;
  const t3 = t2 * t;
  const mean =
    2415020.75933 +
    29.53058868 * k +
    0.0001178 * t2 -
    0.000000155 * t3 +
    0.00033 * sin(166.56 + 132.87 * t - 0.009173 * t2);
  const m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3; // sun's mean anomaly
  const mp = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3; // moon's mean anomaly
  const f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3; // moon's argument of latitude
  const correction =
    (0.1734 - 0.000393 * t) * sin(m) +
    0.0021 * sin(2 * m) -
    0.4068 * sin(mp) +
    0.0161 * sin(2 * mp) -
    0.0004 * sin(3 * mp) +
    0.0104 * sin(2 * f) -
    0.0051 * sin(m + mp) -
    0.0074 * sin(m - mp) +
    0.0004 * sin(2 * f + m) -
    0.0004 * sin(2 * f - m) -
    0.0006 * sin(2 * f + mp) +
    0.001 * sin(2 * f - mp) +
    0.0005 * sin(2 * mp + m);
  // ΔT: the difference between terrestrial and universal time, in days.
  const deltaT =
    t < -11
      ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
      : -0.000278 + 0.000265 * t + 0.000262 * t2;
  return mean + correction - deltaT;
}

/** Which 30° sector (0–11) of ecliptic longitude the sun is in at local midnight starting day `jdn`. */
function sunLongitudeSector(jdn: number, utcOffsetHours: number): number {
  const t = (jdn - 0.5 - utcOffsetHours / 24 - 2451545.0) / 36525;
  const t2 = t * t;
  const m = 357.5291 + 35999.0503 * t - 0.0001559 * t2 - 0.00000048 * t * t2; // sun's mean anomaly
  const meanLongitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  const center =
    (1.9146 - 0.004817 * t - 0.000014 * t2) * sin(m) + (0.019993 - 0.000101 * t) * sin(2 * m) + 0.00029 * sin(3 * m);
  let l = (meanLongitude + center) * DEG;
  l -= 2 * Math.PI * Math.floor(l / (2 * Math.PI));
  return Math.floor((l / Math.PI) * 6);
}

/** JDN of the first day of lunar month 11 (the month of the winter solstice) around the end of `solarYear`. */
function month11Start(solarYear: number, utcOffsetHours: number): number {
  const dec31 = epochDayOf(`${String(solarYear).padStart(4, '0')}-12-31`) + JDN_OF_EPOCH_DAY_0;
  const k = Math.floor((dec31 - JDN_1900_NEW_MOON) / SYNODIC_MONTH);
  const nm = newMoonDay(k, utcOffsetHours);
  // A new moon after the solstice (sun past 270°) starts month 12: month 11 began one moon earlier.
  return sunLongitudeSector(nm, utcOffsetHours) >= 9 ? newMoonDay(k - 1, utcOffsetHours) : nm;
}

/** Index (after month 11) of the leap month: the first month that contains no major solar term. */
function leapMonthOffset(a11: number, utcOffsetHours: number): number {
  const k = Math.floor((a11 - JD_1900_NEW_MOON) / SYNODIC_MONTH + 0.5);
  let i = 1;
  let arc = sunLongitudeSector(newMoonDay(k + i, utcOffsetHours), utcOffsetHours);
  let last: number;
  do {
    last = arc;
    i++;
    arc = sunLongitudeSector(newMoonDay(k + i, utcOffsetHours), utcOffsetHours);
  } while (arc !== last && i < 14);
  return i - 1;
}

function sin(degrees: number): number {
  return Math.sin(degrees * DEG);
}
