import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

export type CaseEventStatus = 'pending' | 'applied' | 'rejected';

/** An event accepted for a case: its inbox row and, once processed, its outcome. */
@Entity({ tableName: 'case_event' })
@Unique({ properties: ['caseId', 'idempotencyKey'] })
@Unique({ properties: ['caseId', 'seq'] })
@Index({
  name: 'case_event_pending_idx',
  expression: `create index "case_event_pending_idx" on "case_event" ("received_at") where "status" = 'pending'`,
})
/** One actor's refusals on one case by time: the refused-event budget, and the case view's refusals. */
@Index({
  name: 'case_event_refused_idx',
  expression: `create index "case_event_refused_idx" on "case_event" ("case_id", ("actor" ->> 'sub'), "processed_at") where "status" = 'rejected'`,
})
export class CaseEvent {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  caseId!: string;

  @Property({ type: 'integer' })
  seq!: number;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** `{ sub, role, unit }` of whoever sent it; `system` for deadlines. */
  @Property({ type: 'jsonb' })
  actor!: Record<string, unknown>;

  @Property({ type: 'text' })
  status!: CaseEventStatus;

  @Property({ type: 'text', nullable: true })
  rejectionCode?: string | null;

  @Property({ type: 'text', nullable: true })
  rejectionReason?: string | null;

  @Property({ type: 'datetime' })
  receivedAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  processedAt?: Date | null;
}
