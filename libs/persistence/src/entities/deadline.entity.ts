import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type DeadlineStatus = 'armed' | 'fired' | 'cancelled';

/**
 * A step's deadline: the truth about when something falls due. Queue jobs only wake the
 * engine up; losing them loses nothing because this row remains.
 */
@Entity({ tableName: 'deadline' })
@Index({ name: 'deadline_armed_due_idx', expression: `create index "deadline_armed_due_idx" on "deadline" ("due_at") where "status" = 'armed'` })
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
}
