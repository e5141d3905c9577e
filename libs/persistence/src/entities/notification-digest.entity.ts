import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** One group of a digest: the notifications of one template, step and due date. */
export interface DigestGroup {
  template: string;
  title: string;
  step: string | null;
  stepLabel: string | null;
  dueDate: string | null;
  count: number;
  unread: number;
  villages: number;
  /** The first villages (up to `notifications.digestMaxItems`), with a link to each case. */
  items: { caseId: string | null; villageCode: string | null; villageName: string | null; url: string | null }[];
}

/**
 * The daily digest of one (unit, role): what its notifications of one civil day (or since its
 * previous digest) add up to. `periodEnd` is the watermark the next digest starts from; the
 * key (`digest:<unit>:<role>:<YYYY-MM-DD>`) makes building it again a no-op.
 */
@Entity({ tableName: 'notification_digest' })
@Index({ properties: ['unitCode', 'role', 'periodEnd'] })
export class NotificationDigest {
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  unitCode!: string;

  @Property({ type: 'text' })
  role!: string;

  /** The civil day (Asia/Ho_Chi_Minh) the digest is named after. */
  @Property({ type: 'date' })
  digestDate!: string;

  @Property({ type: 'datetime' })
  periodStart!: Date;

  @Property({ type: 'datetime' })
  periodEnd!: Date;

  @Property({ type: 'integer' })
  notificationCount!: number;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text' })
  bodyText!: string;

  @Property({ type: 'text' })
  bodyHtml!: string;

  @Property({ type: 'jsonb' })
  groups!: DigestGroup[];

  @Property({ type: 'datetime' })
  createdAt!: Date;
}
