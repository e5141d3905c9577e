import { civilDate, isoWeekday, plusDays, type CivilDate } from './civil-date';
import { lunarToSolar, solarToLunar } from './lunar-calendar';

/** Why a day is off: the law itself, its compensation rule, the year's adjustments, or a province. */
export type DayOffKind = 'statutory' | 'compensatory' | 'adjustment' | 'provincial';

/** One day off that is not a plain weekend, with its Vietnamese name (English beside it when known). */
export interface DayOff {
  date: CivilDate;
  name: string;
  nameEn?: string;
  kind: DayOffKind;
}

/** Choices the Government makes each year inside the Labour Code's frame. */
export interface StatutoryChoices {
  /** The five days of Tết, replacing the default (last day of the lunar year and days 1–4). */
  tetDays?: readonly CivilDate[];
  /** The day beside 2/9 (1/9 or 3/9), replacing `defaultNationalDayAdjacent`. */
  nationalDayAdjacent?: CivilDate;
}

/** Day 1 of month 1 of the lunar year that begins in `year` (Tết). */
export function tetDate(year: number): CivilDate {
  return lunarToSolar({ year, month: 1, day: 1, leap: false });
}

/**
 * The five statutory days of Tết when the year's data does not fix them: the last day of the old
 * lunar year (29 or 30 tháng Chạp) and days 1–4 of the new one, a split used in recent years. The
 * Prime Minister decides the actual days each year (Art. 112(3)), so the year's data may replace them.
 */
export function defaultTetDays(year: number): CivilDate[] {
  const first = tetDate(year);
  return [-1, 0, 1, 2, 3].map((offset) => plusDays(first, offset));
}

/**
 * The day beside Quốc khánh when the year's data does not fix it: 1/9 when it is a Monday or a
 * Friday (the break then joins a weekend), otherwise 3/9. This gives the days chosen in 2023 (1/9,
 * a Friday), 2024 (3/9, 2/9 being a Monday) and 2025 (1/9, a Monday) as we recall them; the Prime
 * Minister decides each year (Art. 112(3)), so the year's data may replace it.
 */
export function defaultNationalDayAdjacent(year: number): CivilDate {
  const sept1 = civilDate(year, 9, 1);
  const weekday = isoWeekday(sept1);
  return weekday === 1 || weekday === 5 ? sept1 : civilDate(year, 9, 3);
}

/** Public holidays of Labour Code 2019 (Bộ luật Lao động 45/2019/QH14), Art. 112(1), for one year, sorted. */
export function statutoryHolidays(year: number, choices: StatutoryChoices = {}): DayOff[] {
  const tetDays = choices.tetDays ?? defaultTetDays(year);
  const days: DayOff[] = [
    statutory(civilDate(year, 1, 1), 'Tết Dương lịch', "New Year's Day"),
    ...tetDays.map((date) => statutory(date, `Tết Nguyên Đán (${lunarDayLabel(date)})`, 'Lunar New Year')),
    statutory(
      lunarToSolar({ year, month: 3, day: 10, leap: false }),
      'Giỗ Tổ Hùng Vương',
      "Hung Kings' Commemoration Day",
    ),
    statutory(civilDate(year, 4, 30), 'Ngày Chiến thắng', 'Reunification Day'),
    statutory(civilDate(year, 5, 1), 'Ngày Quốc tế Lao động', 'International Labour Day'),
    statutory(civilDate(year, 9, 2), 'Quốc khánh', 'National Day'),
    statutory(
      choices.nationalDayAdjacent ?? defaultNationalDayAdjacent(year),
      'Quốc khánh (ngày liền kề)',
      'National Day (adjacent day)',
    ),
  ];
  return days.sort((a, b) => compare(a.date, b.date));
}

/**
 * Art. 111(3): a holiday that falls on the weekly rest day is made up on the next working day(s).
 * Each holiday on a rest day takes the first following day that is neither a rest day nor taken
 * (by another holiday, a day off of the year's data, or an earlier compensatory day).
 */
export function compensatoryDaysOff(
  holidays: readonly DayOff[],
  isRestDay: (date: CivilDate) => boolean,
  isTaken: (date: CivilDate) => boolean,
): DayOff[] {
  const given = new Set<CivilDate>();
  const result: DayOff[] = [];
  for (const holiday of [...holidays].sort((a, b) => compare(a.date, b.date))) {
    if (!isRestDay(holiday.date)) continue;
    let date = plusDays(holiday.date, 1);
    while (isRestDay(date) || isTaken(date) || given.has(date)) date = plusDays(date, 1);
    given.add(date);
    result.push({
      date,
      name: `Nghỉ bù ${holiday.name}`,
      nameEn: holiday.nameEn ? `Compensatory day off: ${holiday.nameEn}` : undefined,
      kind: 'compensatory',
    });
  }
  return result;
}

function statutory(date: CivilDate, name: string, nameEn: string): DayOff {
  return { date, name, nameEn, kind: 'statutory' };
}

// "29 tháng Chạp", "mùng 1 tháng Giêng": lets an admin check the Tết days against a printed calendar.
function lunarDayLabel(date: CivilDate): string {
  const { day, month, leap } = solarToLunar(date);
  const dayText = day <= 10 ? `mùng ${day}` : String(day);
  const monthText = month === 1 ? 'tháng Giêng' : month === 12 ? 'tháng Chạp' : `tháng ${month}${leap ? ' nhuận' : ''}`;
  return `${dayText} ${monthText}`;
}

function compare(a: CivilDate, b: CivilDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
