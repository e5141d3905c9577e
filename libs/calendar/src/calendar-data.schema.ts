import { z } from 'zod';
import { CalendarError, CalendarErrorCode } from './calendar-error';
import { CivilDateSchema, isWeekend, SUPPORTED_YEARS, yearOf } from './civil-date';

/**
 * One year of calendar data (`config/calendar/vn-YYYY.yaml`): what the Government fixed for the
 * year on top of the Labour Code's rules, and what provinces add. Everything is optional except
 * `year` and `source`; a year without data uses the computed defaults.
 */

/** A named date, e.g. `{ date: 2026-01-02, name: "Nghỉ hoán đổi Tết Dương lịch" }`. */
export const NamedDateSchema = z.strictObject({
  date: CivilDateSchema,
  name: z.string().min(1),
  nameEn: z.string().min(1).optional(),
});
export type NamedDate = z.infer<typeof NamedDateSchema>;

/** A day announced but not yet a day off, with the text that announced it. */
export const PendingDateSchema = z.strictObject({
  date: CivilDateSchema,
  name: z.string().min(1),
  nameEn: z.string().min(1).optional(),
  /** What announced it and what it still waits for. */
  source: z.string().min(1),
});
export type PendingDate = z.infer<typeof PendingDateSchema>;

/** Extra days off one province gives its public offices. */
export const ProvinceCalendarSchema = z.strictObject({
  source: z.string().min(1).optional(),
  daysOff: z.array(NamedDateSchema).default([]),
});
export type ProvinceCalendar = z.infer<typeof ProvinceCalendarSchema>;

const provinceCode = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a province code of letters, digits, "-" or "_"');

const CalendarDataShape = z.strictObject({
  year: z.number().int().min(SUPPORTED_YEARS.min).max(SUPPORTED_YEARS.max),
  /** Where the values come from (decision, notice, date) and what is uncertain. */
  source: z.string().min(1),
  /** The five statutory days of Tết the Prime Minister fixed; absent: last day of the lunar year + days 1–4. */
  tetDays: z.array(CivilDateSchema).length(5).optional(),
  /** The day beside 2/9 (YYYY-09-01 or YYYY-09-03); absent: the computed default. */
  nationalDayAdjacent: CivilDateSchema.optional(),
  /** The year's compensatory days off (nghỉ bù); when present they replace the computed ones entirely. */
  compensatoryDays: z.array(NamedDateSchema).optional(),
  /** Further days off for the whole country, e.g. the weekday given in a swap (hoán đổi). */
  daysOff: z.array(NamedDateSchema).default([]),
  /** Saturdays or Sundays worked instead (làm bù), making them working days. */
  workingDays: z.array(NamedDateSchema).default([]),
  /** Extra days off per province code. */
  provinces: z.record(provinceCode, ProvinceCalendarSchema).default({}),
  /**
   * Days announced as holidays but not yet law (e.g. a day the Government proposes to add to the
   * Labour Code): listed so that people see them, never counted as days off. Move one to `daysOff`
   * (or the statutory rules) once the text that makes it a day off is in force.
   */
  pending: z.array(PendingDateSchema).default([]),
});

/** One year of calendar data; cross-field checks run once every field is valid. */
export const CalendarDataSchema = CalendarDataShape.pipe(
  z.custom<z.output<typeof CalendarDataShape>>().superRefine((data, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    // A swap across New Year is split between the two years' files, so each file stays about its year.
    const inYear = (date: string, path: PropertyKey[]) => {
      if (yearOf(date) !== data.year) issue(path, `${date} is not in ${data.year}`);
    };
    const unique = (dates: readonly string[], path: PropertyKey[]) =>
      dates.forEach((date, i) => {
        if (dates.indexOf(date) !== i) issue([...path, i], `${date} is listed twice`);
      });

    data.tetDays?.forEach((date, i) => inYear(date, ['tetDays', i]));
    unique(data.tetDays ?? [], ['tetDays']);
    if (
      data.nationalDayAdjacent !== undefined &&
      ![`${data.year}-09-01`, `${data.year}-09-03`].includes(data.nationalDayAdjacent)
    ) {
      issue(['nationalDayAdjacent'], `must be ${data.year}-09-01 or ${data.year}-09-03 (the day before or after 2/9)`);
    }
    for (const key of ['compensatoryDays', 'daysOff', 'workingDays'] as const) {
      const entries = data[key] ?? [];
      entries.forEach((e, i) => inYear(e.date, [key, i, 'date']));
      unique(
        entries.map((e) => e.date),
        [key],
      );
    }
    data.pending.forEach((e, i) => inYear(e.date, ['pending', i, 'date']));
    const offDates = new Set(data.daysOff.map((e) => e.date));
    data.pending.forEach((e, i) => {
      if (offDates.has(e.date)) issue(['pending', i, 'date'], `${e.date} is also listed in daysOff`);
    });
    data.workingDays.forEach((e, i) => {
      if (!isWeekend(e.date))
        issue(['workingDays', i, 'date'], `${e.date} is not a Saturday or Sunday: weekdays are working days already`);
      if (offDates.has(e.date)) issue(['workingDays', i, 'date'], `${e.date} is also listed in daysOff`);
    });
    for (const [code, province] of Object.entries(data.provinces)) {
      province.daysOff.forEach((e, i) => inYear(e.date, ['provinces', code, 'daysOff', i, 'date']));
      unique(
        province.daysOff.map((e) => e.date),
        ['provinces', code, 'daysOff'],
      );
    }
  }),
);
export type CalendarData = z.infer<typeof CalendarDataSchema>;

/**
 * Validates one year of calendar data that the caller has already read and parsed (YAML, JSON).
 * `label` (e.g. the file name) prefixes every message; all problems are reported at once, each
 * with its JSON path, in a `CalendarError` with code `CALENDAR_INVALID_DATA`.
 */
export function parseCalendarData(value: unknown, label: string): CalendarData {
  const result = CalendarDataSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((i) =>
    // Point at each unknown key itself, where an admin looks for the typo.
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => `${label} ${jsonPath([...i.path, key])} unknown key "${key}"`)
      : [`${label} ${jsonPath(i.path)} ${i.message}`],
  );
  throw new CalendarError(CalendarErrorCode.InvalidData, `${label}: invalid calendar data`, issues);
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => {
    if (typeof seg === 'number') return `${acc}[${seg}]`;
    const key = String(seg);
    return /^[A-Za-z_$][\w$]*$/.test(key) ? `${acc}.${key}` : `${acc}[${JSON.stringify(key)}]`;
  }, '$');
}
