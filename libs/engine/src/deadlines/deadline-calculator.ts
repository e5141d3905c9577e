import { Injectable } from '@nestjs/common';
import { resolveDeadline, WorkingDayCalendar, type CalendarData, type ResolvedDue } from '@rasoat/calendar';
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

/** Turns a definition's deadline rule into a civil due date on the province's working-day calendar. */
@Injectable()
export class DeadlineCalculator {
  private readonly calendars = new Map<string, WorkingDayCalendar>();
  private readonly data: CalendarData[];

  constructor() {
    this.data = loadCalendarData(CALENDAR_DATA_DIR);
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
    return resolveDeadline(inCampaignYear(rule, inputs.window), { calendar: this.calendarFor(inputs.provinceCode), milestones, window: inputs.window });
  }
}

/** Places recurring `MM-DD` dates in the campaign window: the first such date on or after the window start. */
export function inCampaignYear(rule: ResolvedDeadlineRule, window: { start: string; end: string }): ResolvedDeadlineRule {
  if (rule.kind === 'earliest') return { ...rule, of: rule.of.map((r) => inCampaignYear(r, window)) };
  if (rule.kind !== 'date' || rule.date.length !== 5) return rule;
  const year = Number(window.start.slice(0, 4));
  const date = `${year}-${rule.date}`;
  return { kind: 'date', date: date >= window.start ? date : `${year + 1}-${rule.date}` };
}
