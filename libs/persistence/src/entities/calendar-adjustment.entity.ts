import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A day off (or a worked Saturday) added by an admin during a season, nationally or for one province. */
@Entity({ tableName: 'calendar_adjustment' })
export class CalendarAdjustmentRow {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  /** Null for the whole country. */
  @Property({ type: 'text', nullable: true })
  provinceCode?: string | null;

  @Property({ type: 'date' })
  date!: string;

  @Property({ type: 'text' })
  kind!: 'day_off' | 'working_day';

  @Property({ type: 'text' })
  name!: string;

  /** The decision or notice it comes from. */
  @Property({ type: 'text' })
  source!: string;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
