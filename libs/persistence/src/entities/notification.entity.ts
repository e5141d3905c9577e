import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** An in-app notification for a role at a unit (the inbox). */
@Entity({ tableName: 'notification' })
@Unique({ properties: ['dedupeKey'] })
@Index({ properties: ['unitCode', 'role', 'createdAt'] })
export class Notification {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** Makes delivery idempotent: the same cause never yields two notifications. */
  @Property({ type: 'text' })
  dedupeKey!: string;

  @Property({ type: 'text' })
  unitCode!: string;

  @Property({ type: 'text' })
  role!: string;

  @Property({ type: 'text' })
  template!: string;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'uuid', nullable: true })
  caseId?: string | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  readAt?: Date | null;
}
