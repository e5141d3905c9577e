import { CalendarError, CalendarErrorCode } from './calendar-error';
import { parseCivilDate, type CivilDate } from './civil-date';
import type { DeadlineRule } from './deadline-rule.schema';
import type { CampaignWindow, WorkingDayCalendar } from './working-day-calendar';

/** What a rule is resolved against. */
export interface DeadlineContext {
  calendar: WorkingDayCalendar;
  /** Instants of the case's milestones by name, e.g. `{ stepEntered, campaignStart, survey }`. */
  milestones: Readonly<Record<string, Date>>;
  /** The campaign window; required only by `windowEnd` rules. */
  window?: CampaignWindow;
}

/** A resolved deadline: the civil due date and the instant it falls due (end of that day, +07:00). */
export interface ResolvedDue {
  dueDate: CivilDate;
  dueAt: Date;
}

/**
 * Resolves a deadline rule to its due date and instant.
 * - `workingDays`: the N-th working day after the milestone's civil date (that date not counted;
 *   N = 0 gives that date, or the next working day if it is a day off).
 * - `calendarDays`: N calendar days after the milestone's date; a result on a day off moves to the
 *   next working day (Civil Code Art. 148(5)).
 * - `date` and `windowEnd`: exactly that civil date, even on a day off, because an administrative
 *   plan that names a date means that date.
 * - `earliest`: the earliest of its rules.
 * Throws `CalendarError` (`CALENDAR_UNKNOWN_MILESTONE`, `CALENDAR_INVALID_DEADLINE_RULE`) naming the problem.
 */
export function resolveDeadline(rule: DeadlineRule, ctx: DeadlineContext): ResolvedDue {
  const dueDate = dueDateOf(rule, ctx);
  return { dueDate, dueAt: ctx.calendar.endOfDayInstant(dueDate) };
}

function dueDateOf(rule: DeadlineRule, ctx: DeadlineContext): CivilDate {
  const { calendar } = ctx;
  switch (rule.kind) {
    case 'workingDays':
      return calendar.addWorkingDays(milestoneDate(rule.from, ctx), dayCount(rule.days, rule.kind));
    case 'calendarDays': {
      const last = calendar.addCalendarDays(milestoneDate(rule.from, ctx), dayCount(rule.days, rule.kind));
      return calendar.addWorkingDays(last, 0);
    }
    case 'date':
      return parseCivilDate(rule.date);
    case 'windowEnd':
      if (!ctx.window)
        throw new CalendarError(
          CalendarErrorCode.InvalidDeadlineRule,
          'a windowEnd deadline needs the campaign window',
        );
      return calendar.windowEnd(ctx.window);
    case 'earliest':
      if (rule.of.length === 0)
        throw new CalendarError(CalendarErrorCode.InvalidDeadlineRule, 'an earliest deadline needs at least one rule');
      return calendar.earliest(...rule.of.map((r) => dueDateOf(r, ctx)));
  }
}

function milestoneDate(name: string, ctx: DeadlineContext): CivilDate {
  const instant = Object.hasOwn(ctx.milestones, name) ? ctx.milestones[name] : undefined;
  if (!instant) {
    const known = Object.keys(ctx.milestones).sort().join(', ') || 'none';
    throw new CalendarError(CalendarErrorCode.UnknownMilestone, `unknown milestone "${name}" (known: ${known})`);
  }
  return ctx.calendar.civilDateOf(instant);
}

function dayCount(days: number, kind: string): number {
  if (!Number.isInteger(days) || days < 0) {
    throw new CalendarError(
      CalendarErrorCode.InvalidDeadlineRule,
      `${kind}: days must be a non-negative integer, got ${days}`,
    );
  }
  return days;
}
