import type { WorkingDayCalendar } from '@rasoat/calendar';
import type { ResolvedDeadline } from '@rasoat/workflow-core';

/**
 * What a deadline will do, and when:
 * - `reminder`: tell the step's role N working days before the due date (08:00 local);
 * - `due`: at the due instant, tell the role the step is overdue;
 * - `escalation` level L: tell the committee L levels above the responsible unit — level 1 at
 *   the due instant, then one level higher every N working days (08:00 local), until the step
 *   is done or the levels run out;
 * - `event`: at the due instant, send the step's `onDue` system event to the case.
 */
export type AlarmKind = 'reminder' | 'due' | 'escalation' | 'event';

export interface Alarm {
  /** ISO instant. */
  at: string;
  kind: AlarmKind;
  /** Escalation level (1 = parent unit); 0 otherwise; for reminders, the working days before. */
  level: number;
}

/** Morning alarms ring at 08:00 in Asia/Ho_Chi_Minh (01:00 UTC): office hours, not midnight. */
export function morningOf(date: string): Date {
  return new Date(`${date}T08:00:00+07:00`);
}

/**
 * The alarms of one deadline, in time order. Reminders already in the past when the deadline
 * is armed are dropped (no burst of stale reminders); due, event and escalations are kept.
 */
export function planAlarms(
  spec: ResolvedDeadline,
  due: { dueDate: string; dueAt: Date },
  calendar: WorkingDayCalendar,
  now: Date,
): Alarm[] {
  const alarms: Alarm[] = [];
  for (const r of spec.reminders ?? []) {
    const at = morningOf(calendar.reminderDate(due.dueDate, r));
    if (at.getTime() > now.getTime() && at.getTime() < due.dueAt.getTime())
      alarms.push({ at: at.toISOString(), kind: 'reminder', level: r.workingDaysBefore });
  }
  if (spec.onDue) {
    alarms.push({ at: due.dueAt.toISOString(), kind: 'event', level: 0 });
  } else {
    alarms.push({ at: due.dueAt.toISOString(), kind: 'due', level: 0 });
    const esc = spec.escalation;
    if (esc) {
      for (let level = 1; level <= esc.maxLevels; level++) {
        const at =
          level === 1 ? due.dueAt : morningOf(calendar.addWorkingDays(due.dueDate, esc.everyWorkingDays * (level - 1)));
        alarms.push({ at: at.toISOString(), kind: 'escalation', level });
      }
    }
  }
  return alarms.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
