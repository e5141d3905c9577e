import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** `household`: a change to the case's household list (codes only in `details`, never personal data). */
export type HistoryKind =
  'started' | 'transition' | 'event' | 'completed' | 'deadline' | 'migrated' | 'household' | 'corrected';

/**
 * Append-only audit trail of a case: who did what, when, and what it changed. A refused event
 * changes nothing and is not in it: its `case_event` row holds the refusal.
 */
@Entity({ tableName: 'case_history' })
@Index({ properties: ['caseId', 'id'] })
export class CaseHistory {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  caseId!: string;

  @Property({ type: 'datetime' })
  at!: Date;

  @Property({ type: 'text' })
  kind!: HistoryKind;

  /** The event's sequence number, when an event caused the entry. */
  @Property({ type: 'integer', nullable: true })
  seq?: number | null;

  @Property({ type: 'text', nullable: true })
  eventType?: string | null;

  @Property({ type: 'jsonb' })
  actor!: Record<string, unknown>;

  @Property({ type: 'text', nullable: true })
  fromStep?: string | null;

  @Property({ type: 'text', nullable: true })
  toStep?: string | null;

  @Property({ type: 'jsonb' })
  details!: Record<string, unknown>;
}
