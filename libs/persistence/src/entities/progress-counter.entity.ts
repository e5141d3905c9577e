import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * How many cases of a campaign are in each step, per commune. Changed in the same
 * transaction as every transition; progress for any unit is a sum over its communes, so no
 * request ever counts cases, and no single hot row serialises a whole province.
 */
@Entity({ tableName: 'progress_counter' })
export class ProgressCounter {
  @PrimaryKey({ type: 'uuid' })
  campaignId!: string;

  @PrimaryKey({ type: 'text' })
  communeCode!: string;

  @PrimaryKey({ type: 'text' })
  step!: string;

  /** Cases currently in the step. */
  @Property({ type: 'integer' })
  current!: number;
}

/**
 * How many cases of a campaign have reached each procedure stage (the legal step number),
 * per commune. "Finished step 2" is the count that reached stage 3 or completed.
 */
@Entity({ tableName: 'stage_counter' })
export class StageCounter {
  @PrimaryKey({ type: 'uuid' })
  campaignId!: string;

  @PrimaryKey({ type: 'text' })
  communeCode!: string;

  @PrimaryKey({ type: 'integer' })
  stage!: number;

  @Property({ type: 'integer' })
  reached!: number;
}
