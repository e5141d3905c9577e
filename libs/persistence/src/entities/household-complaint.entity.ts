import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type HouseholdComplaintStatus = 'open' | 'resolved';

/**
 * A complaint against one household's result during public posting (niêm yết), resolved by the
 * commune's re-check (phúc tra). `summary` and the resolution's note are free text that may name
 * people: shown only to the village's and its commune's officials.
 */
@Entity({ tableName: 'household_complaint' })
@Index({ properties: ['caseId', 'status'] })
export class HouseholdComplaint {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  caseId!: string;

  @Property({ type: 'text' })
  householdCode!: string;

  @Property({ type: 'text' })
  summary!: string;

  /** The actor who recorded it. */
  @Property({ type: 'jsonb' })
  filedBy!: Record<string, unknown>;

  @Property({ type: 'datetime' })
  filedAt!: Date;

  @Property({ type: 'text' })
  status!: HouseholdComplaintStatus;

  /** `{ outcome: 'upheld' | 'dismissed', note, survey?, from?, to? }`. */
  @Property({ type: 'jsonb', nullable: true })
  resolution?: Record<string, unknown> | null;

  @Property({ type: 'jsonb', nullable: true })
  resolvedBy?: Record<string, unknown> | null;

  @Property({ type: 'datetime', nullable: true })
  resolvedAt?: Date | null;
}
