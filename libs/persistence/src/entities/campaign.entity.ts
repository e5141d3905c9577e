import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** A province's review for one year, on one definition version, within one window. */
@Entity({ tableName: 'campaign' })
@Unique({ properties: ['provinceCode', 'year', 'definitionId'] })
export class Campaign {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  provinceCode!: string;

  @Property({ type: 'integer' })
  year!: number;

  @Property({ type: 'text' })
  definitionId!: string;

  /** The pinned definition version (`definition_version.key`). */
  @Property({ type: 'text' })
  definitionKey!: string;

  @Property({ type: 'date' })
  windowStart!: string;

  @Property({ type: 'date' })
  windowEnd!: string;

  @Property({ type: 'text' })
  status!: 'running' | 'closed';

  @Property({ type: 'integer' })
  caseCount!: number;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'text' })
  createdBy!: string;
}
