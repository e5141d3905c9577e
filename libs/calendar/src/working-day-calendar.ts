import { CalendarError, CalendarErrorCode } from './calendar-error';
import type { CalendarData, NamedDate, PendingDate } from './calendar-data.schema';
import {
  checkYear,
  civilDateOf,
  endOfDayInstant,
  isWeekend,
  parseCivilDate,
  plusDays,
  yearOf,
  type CivilDate,
} from './civil-date';
import { compensatoryDaysOff, statutoryHolidays, type DayOff } from './holiday-rules';

/** A campaign's window, both ends inclusive (e.g. 1 September – 14 December). */
export interface CampaignWindow {
  start: CivilDate;
  end: CivilDate;
}

export interface WorkingDayCalendarOptions {
  /** Yearly data, at most one object per year (validated with `parseCalendarData`); other years use the defaults. */
  data?: readonly CalendarData[];
  /** Province code whose extra days off apply (a key of `provinces` in the yearly data). */
  province?: string;
}

interface YearPlan {
  daysOff: ReadonlyMap<CivilDate, DayOff>;
  workedWeekendDays: ReadonlyMap<CivilDate, NamedDate>;
}

/**
 * Working days of Vietnamese public offices: Monday to Friday, minus the statutory holidays, their
 * compensatory days and the year's adjustments (plus a province's extra days off), plus the
 * weekend days the year's data turns into working days.
 *
 * Counting follows the Civil Code 2015 (Bộ luật Dân sự 91/2015/QH13): a period starts on the day
 * after the event (Art. 147(2)), so "N working days after D" never counts D itself; a period whose
 * last day is a day off ends at the end of the next working day (Art. 148(5)).
 *
 * Immutable: to take a new decision into account (a holiday added mid-season), build a new
 * calendar with `withData` and recompute the deadlines that are armed.
 */
const MEMO_LIMIT = 20_000;

function remember<K, V>(memo: Map<K, V>, key: K, value: V): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}

export class WorkingDayCalendar {
  readonly province: string | undefined;
  private readonly dataByYear: ReadonlyMap<number, CalendarData>;
  private readonly plans = new Map<number, YearPlan>();
  /**
   * Answers already computed (the calendar is immutable): a season asks the same few hundred
   * days and periods again for every village, and each fresh answer re-parses date strings.
   * Bounded: emptied when it reaches MEMO_LIMIT entries.
   */
  private readonly workingDays = new Map<CivilDate, boolean>();
  private readonly periods = new Map<string, CivilDate>();

  /** Throws `CalendarError` when two data objects share a year or a year's data contradicts itself. */
  constructor(options: WorkingDayCalendarOptions = {}) {
    this.province = options.province;
    const byYear = new Map<number, CalendarData>();
    for (const data of options.data ?? []) {
      if (byYear.has(data.year)) {
        throw new CalendarError(CalendarErrorCode.InvalidData, `calendar data for ${data.year} is given twice`);
      }
      byYear.set(data.year, data);
    }
    this.dataByYear = byYear;
    // Build every year that has data now, so contradictions fail at boot rather than at a deadline.
    for (const year of byYear.keys()) this.plan(year);
  }

  /** A new calendar with `data` replacing (or adding) the data of its year. */
  withData(data: CalendarData): WorkingDayCalendar {
    const others = [...this.dataByYear.values()].filter((d) => d.year !== data.year);
    return new WorkingDayCalendar({ data: [...others, data], province: this.province });
  }

  isWorkingDay(date: CivilDate): boolean {
    const known = this.workingDays.get(date);
    if (known !== undefined) return known;
    const plan = this.plan(yearOf(parseCivilDate(date)));
    const working = !plan.daysOff.has(date) && (!isWeekend(date) || plan.workedWeekendDays.has(date));
    remember(this.workingDays, date, working);
    return working;
  }

  /** Every day off of `year` that is not a plain weekend day (holidays on a weekend included), sorted by date. */
  holidays(year: number): DayOff[] {
    return [...this.plan(year).daysOff.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
  }

  /** Days of `year` announced but not yet days off (`pending` in the year's data), sorted: never counted. */
  pendingDays(year: number): PendingDate[] {
    return [...(this.dataByYear.get(year)?.pending ?? [])].sort((a, b) => (a.date < b.date ? -1 : 1));
  }

  /** Saturdays and Sundays of `year` that the year's data makes working days (làm bù), sorted. */
  workedWeekendDays(year: number): NamedDate[] {
    return [...this.plan(year).workedWeekendDays.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
  }

  /**
   * The n-th working day after `date` (n > 0), or before it (n < 0); `date` itself never counts.
   * n = 0 returns `date` when it is a working day, else the next working day (Civil Code Art. 148(5)).
   */
  addWorkingDays(date: CivilDate, n: number): CivilDate {
    if (!Number.isInteger(n))
      throw new CalendarError(CalendarErrorCode.InvalidArgument, `working days must be an integer, got ${n}`);
    const key = `${date}|${n}`;
    const known = this.periods.get(key);
    if (known !== undefined) return known;
    let current = parseCivilDate(date);
    if (n === 0) {
      current = this.isWorkingDay(current) ? current : this.nextWorkingDay(current);
    } else {
      const step = Math.sign(n);
      for (let remaining = Math.abs(n); remaining > 0;) {
        current = plusDays(current, step);
        if (this.isWorkingDay(current)) remaining--;
      }
    }
    remember(this.periods, key, current);
    return current;
  }

  /** `date` plus n calendar days (n may be negative); no working-day adjustment. */
  addCalendarDays(date: CivilDate, n: number): CivilDate {
    if (!Number.isInteger(n))
      throw new CalendarError(CalendarErrorCode.InvalidArgument, `calendar days must be an integer, got ${n}`);
    const result = plusDays(parseCivilDate(date), n);
    checkYear(yearOf(result));
    return result;
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: CivilDate): CivilDate {
    return this.addWorkingDays(date, 1);
  }

  /** "The earlier of": the earliest of the given dates. */
  earliest(...dates: CivilDate[]): CivilDate {
    if (dates.length === 0)
      throw new CalendarError(CalendarErrorCode.InvalidArgument, 'earliest() needs at least one date');
    return dates.map(parseCivilDate).reduce((min, d) => (d < min ? d : min));
  }

  /** The instant `date`T23:59:59.999+07:00, when a deadline on that date falls due. */
  endOfDayInstant(date: CivilDate): Date {
    return endOfDayInstant(date);
  }

  /** The civil date in Asia/Ho_Chi_Minh of an instant. */
  civilDateOf(instant: Date): CivilDate {
    return civilDateOf(instant);
  }

  /** The last day of a campaign window (inclusive: work is due by the end of that day, even if it is a day off). */
  windowEnd(window: CampaignWindow): CivilDate {
    const start = parseCivilDate(window.start);
    const end = parseCivilDate(window.end);
    if (end < start)
      throw new CalendarError(CalendarErrorCode.InvalidArgument, `window ends (${end}) before it starts (${start})`);
    return end;
  }

  /** When to remind: `workingDaysBefore` working days before `dueDate`. */
  reminderDate(dueDate: CivilDate, reminder: { workingDaysBefore: number }): CivilDate {
    return this.addWorkingDays(dueDate, -reminder.workingDaysBefore);
  }

  private plan(year: number): YearPlan {
    const cached = this.plans.get(year);
    if (cached) return cached;
    checkYear(year);
    const plan = buildYearPlan(year, this.dataByYear.get(year), this.province);
    this.plans.set(year, plan);
    return plan;
  }
}

function buildYearPlan(year: number, data: CalendarData | undefined, province: string | undefined): YearPlan {
  const workedWeekendDays = new Map((data?.workingDays ?? []).map((e) => [e.date, e]));
  const statutory = statutoryHolidays(year, { tetDays: data?.tetDays, nationalDayAdjacent: data?.nationalDayAdjacent });
  const adjustments: DayOff[] = (data?.daysOff ?? []).map((e) => ({ ...e, kind: 'adjustment' }));
  const taken = new Set([...statutory, ...adjustments].map((d) => d.date));
  const isRestDay = (date: CivilDate) => isWeekend(date) && !workedWeekendDays.has(date);
  // Holidays sit far from 31 December, so a compensatory day never spills into the next year.
  const compensatory: DayOff[] = data?.compensatoryDays
    ? data.compensatoryDays.map((e) => ({ ...e, kind: 'compensatory' }))
    : compensatoryDaysOff(statutory, isRestDay, (date) => taken.has(date));
  const provinceData = province === undefined ? undefined : data?.provinces[province];
  const provincial: DayOff[] = (provinceData?.daysOff ?? []).map((e) => ({ ...e, kind: 'provincial' }));

  // The first reason listed for a date wins: the law before the year's adjustments before a province.
  const daysOff = new Map<CivilDate, DayOff>();
  for (const day of [...statutory, ...compensatory, ...adjustments, ...provincial]) {
    if (!daysOff.has(day.date)) daysOff.set(day.date, day);
  }
  const clashes = [...workedWeekendDays.keys()].filter((date) => daysOff.has(date));
  if (clashes.length > 0) {
    throw new CalendarError(
      CalendarErrorCode.InvalidData,
      `calendar data ${year}: a day cannot be both worked and off`,
      clashes.map((date) => `workingDays ${date} is also a day off (${daysOff.get(date)?.name})`),
    );
  }
  return { daysOff, workedWeekendDays };
}
