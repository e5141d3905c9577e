import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type SubscriptionChannel = 'email' | 'webhook';

/**
 * Where the notifications of a (unit, role) are delivered besides the in-app inbox: an e-mail
 * address or an https webhook (signed with `secret`). Deleting one deactivates it, so that the
 * deliveries already made keep their subscription.
 */
@Entity({ tableName: 'notification_subscription' })
@Index({
  name: 'notification_subscription_active_idx',
  expression: `create index "notification_subscription_active_idx" on "notification_subscription" ("unit_code", "role") where "active"`,
})
@Index({
  name: 'notification_subscription_active_unique',
  expression: `create unique index "notification_subscription_active_unique" on "notification_subscription" ("unit_code", "role", "channel", "address") where "active"`,
})
export class NotificationSubscription {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  unitCode!: string;

  @Property({ type: 'text' })
  role!: string;

  @Property({ type: 'text' })
  channel!: SubscriptionChannel;

  /** An e-mail address, or the webhook's https URL. */
  @Property({ type: 'text' })
  address!: string;

  /** The webhook's HMAC-SHA256 key; null for e-mail. */
  @Property({ type: 'text', nullable: true, hidden: true })
  secret?: string | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'boolean', default: true })
  active!: boolean;

  @Property({ type: 'datetime', nullable: true })
  deactivatedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  deactivatedBy?: string | null;
}
