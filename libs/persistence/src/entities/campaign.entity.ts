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

  /**
   * The year the campaign's lists apply: its year plus its process's offset
   * (`config/poverty-rules/lists-year.yaml`); null until recorded (migration
   * Migration20261207100000PovertyStandard).
   */
  @Property({ type: 'integer', nullable: true })
  listsYear?: number | null;

  /** The national rule set its households are classified with: the one in force on 1 January of `listsYear`. */
  @Property({ type: 'text', nullable: true })
  ruleSetPeriod?: string | null;

  /** Why, in one sentence: "Rà soát định kỳ năm 2026: danh sách áp dụng năm 2027 → chuẩn nghèo 2026–2030, …". */
  @Property({ type: 'jsonb', nullable: true })
  ruleSetReason?: { vi: string; en: string } | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'text' })
  createdBy!: string;
}
