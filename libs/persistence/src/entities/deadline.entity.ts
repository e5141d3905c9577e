import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * `armed` → `overdue` (due passed, step not done; escalations may follow) → `closed` (step left
 * late); `armed` → `cancelled` (step left in time); `fired` (an onDue event was sent).
 */
export type DeadlineStatus = 'armed' | 'overdue' | 'fired' | 'cancelled' | 'closed';

/**
 * A step's deadline: the truth about when something falls due. Queue jobs only wake the
 * engine up; losing them loses nothing because this row remains.
 */
@Entity({ tableName: 'deadline' })
@Index({
  name: 'deadline_next_alarm_idx',
  expression: `create index "deadline_next_alarm_idx" on "deadline" ("next_alarm_at") where "next_alarm_at" is not null`,
})
@Index({ properties: ['caseId', 'status'] })
export class Deadline {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  caseId!: string;

  @Property({ type: 'text' })
  step!: string;

  /** The civil due date in Asia/Ho_Chi_Minh. */
  @Property({ type: 'date' })
  dueDate!: string;

  /** End of the due date, +07:00. */
  @Property({ type: 'datetime' })
  dueAt!: Date;

  /** The rule that produced `dueDate` and the reminders/escalation declared with it. */
  @Property({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  @Property({ type: 'text' })
  status!: DeadlineStatus;

  @Property({ type: 'datetime' })
  armedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  closedAt?: Date | null;

  /** The alarm plan: reminders, due, escalations or the onDue event, in time order. */
  @Property({ type: 'jsonb' })
  alarms!: { at: string; kind: string; level: number }[];

  /** Index in `alarms` of the next alarm to ring. */
  @Property({ type: 'integer' })
  nextAlarm!: number;

  /** The calendar version (newest `calendar_adjustment` id) the due date was computed with. */
  @Property({ type: 'integer' })
  calendarVersion!: number;

  /** When the next alarm rings; null when none is left (or the step was left). */
  @Property({ type: 'datetime', nullable: true })
  nextAlarmAt?: Date | null;
}
