import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A village's review case (hồ sơ rà soát thôn). `snapshot` is the truth about its state; the
 * step and status columns repeat it for queries. `acceptedSeq`/`appliedSeq` order its events.
 */
@Entity({ tableName: 'review_case' })
@Unique({ properties: ['campaignId', 'villageCode'] })
@Index({ properties: ['communeCode', 'step'] })
export class ReviewCase {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  campaignId!: string;

  @Property({ type: 'text' })
  villageCode!: string;

  @Property({ type: 'text' })
  communeCode!: string;

  /** The village's unit path, copied so that scope checks need no join. */
  @Index({
    name: 'review_case_unit_path_idx',
    expression: 'create index "review_case_unit_path_idx" on "review_case" ("unit_path" text_pattern_ops)',
  })
  @Property({ type: 'text' })
  unitPath!: string;

  @Property({ type: 'text' })
  definitionKey!: string;

  @Property({ type: 'text' })
  step!: string;

  @Property({ type: 'text' })
  status!: 'active' | 'done';

  /** The highest procedure stage the case has reached (a completed case: one past the last). */
  @Property({ type: 'integer' })
  maxStage!: number;

  @Property({ type: 'jsonb' })
  snapshot!: Record<string, unknown>;

  /** Sequence number of the last accepted event. */
  @Property({ type: 'integer' })
  acceptedSeq!: number;

  /** Sequence number of the last event applied or rejected by the worker. */
  @Property({ type: 'integer' })
  appliedSeq!: number;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
