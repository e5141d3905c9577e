import { Injectable } from '@nestjs/common';
import {
  parseCalendarData,
  resolveDeadline,
  WorkingDayCalendar,
  type CalendarData,
  type ResolvedDue,
} from '@rasoat/calendar';
import type { ResolvedDeadlineRule } from '@rasoat/workflow-core';
import { CALENDAR_DATA_DIR, loadCalendarData } from './calendar-data.loader';

export interface DeadlineInputs {
  /** The case's milestones (ISO instants), e.g. `{ listing: …, campaignStart: … }`. */
  milestones: Record<string, string>;
  /** The step the deadline belongs to: its entry instant is the `stepEntered` milestone. */
  step: string;
  window: { start: string; end: string };
  provinceCode: string;
}

/** A day an admin added at run time (table `calendar_adjustment`), on top of `config/calendar/`. */
export interface CalendarAdjustment {
  provinceCode: string | null;
  date: string;
  kind: 'day_off' | 'working_day';
  name: string;
}

/**
 * Turns a definition's deadline rule into a civil due date on the province's working-day
 * calendar: the yearly files under `config/calendar/` plus the days admins added at run time.
 * `version` is the id of the newest adjustment applied; deadlines record the version they were
 * computed with, so that the sweeper recomputes those computed on an older calendar.
 */
@Injectable()
export class DeadlineCalculator {
  private calendars = new Map<string, WorkingDayCalendar>();
  readonly files: CalendarData[];
  private data: CalendarData[];
  version = 0;

  constructor() {
    this.files = loadCalendarData(CALENDAR_DATA_DIR);
    this.data = this.files;
  }

  /** Applies the run-time adjustments (all of them, as of `version`). Throws CalendarError when they clash with the files. */
  apply(adjustments: readonly CalendarAdjustment[], version: number): void {
    this.data = mergeAdjustments(this.files, adjustments);
    this.calendars = new Map();
    this.version = version;
  }

  calendarFor(provinceCode: string): WorkingDayCalendar {
    let calendar = this.calendars.get(provinceCode);
    if (!calendar) {
      calendar = new WorkingDayCalendar({ data: this.data, province: provinceCode });
      this.calendars.set(provinceCode, calendar);
    }
    return calendar;
  }

  resolve(rule: ResolvedDeadlineRule, inputs: DeadlineInputs): ResolvedDue {
    const milestones: Record<string, Date> = {};
    for (const [name, iso] of Object.entries(inputs.milestones)) milestones[name] = new Date(iso);
    if (inputs.milestones[inputs.step]) milestones.stepEntered = new Date(inputs.milestones[inputs.step]);
    milestones.campaignStart ??= new Date(`${inputs.window.start}T00:00:00+07:00`);
    return resolveDeadline(inCampaignYear(rule, inputs.window), {
      calendar: this.calendarFor(inputs.provinceCode),
      milestones,
      window: inputs.window,
    });
  }
}

/** Places recurring `MM-DD` dates in the campaign window: the first such date on or after the window start. */
export function inCampaignYear(
  rule: ResolvedDeadlineRule,
  window: { start: string; end: string },
): ResolvedDeadlineRule {
  if (rule.kind === 'earliest') return { ...rule, of: rule.of.map((r) => inCampaignYear(r, window)) };
  if (rule.kind !== 'date' || rule.date.length !== 5) return rule;
  const year = Number(window.start.slice(0, 4));
  const date = `${year}-${rule.date}`;
  return { kind: 'date', date: date >= window.start ? date : `${year + 1}-${rule.date}` };
}

/** The yearly data with admins' adjustments merged in (a year without a file gets one). */
export function mergeAdjustments(
  files: readonly CalendarData[],
  adjustments: readonly CalendarAdjustment[],
): CalendarData[] {
  const byYear = new Map(files.map((d) => [d.year, structuredClone(d)]));
  for (const a of adjustments) {
    const year = Number(a.date.slice(0, 4));
    let data = byYear.get(year);
    if (!data) {
      data = parseCalendarData(
        { year, source: 'Điều chỉnh của quản trị / admin adjustments' },
        `calendar_adjustment ${year}`,
      );
      byYear.set(year, data);
    }
    const day = { date: a.date, name: a.name };
    if (a.provinceCode) {
      data.provinces[a.provinceCode] ??= { daysOff: [] };
      data.provinces[a.provinceCode].daysOff.push(day);
    } else if (a.kind === 'day_off') data.daysOff.push(day);
    else data.workingDays.push(day);
  }
  return [...byYear.values()].map((d) => parseCalendarData(d, `calendar ${d.year} with adjustments`));
}
