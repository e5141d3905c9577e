import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** `pending` → `sent`, or → `dead` after the last failed attempt (the dead letter). */
export type DeliveryStatus = 'pending' | 'sent' | 'dead';

/**
 * One message to one subscription: a digest sent by e-mail or webhook. Unique per
 * (subscription, digest), so building a digest twice delivers it once; a job for a sent row
 * does nothing. The e-mail's Message-ID and the webhook's `X-Rasoat-Delivery` carry `id`, so
 * a receiver recognises a resend after a crash.
 */
@Entity({ tableName: 'notification_delivery' })
@Unique({ properties: ['subscriptionId', 'digestKey'] })
@Index({ properties: ['status', 'createdAt'] })
export class NotificationDelivery {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  subscriptionId!: string;

  @Property({ type: 'text' })
  digestKey!: string;

  @Property({ type: 'integer' })
  notificationCount!: number;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text' })
  bodyText!: string;

  @Property({ type: 'text', nullable: true })
  bodyHtml?: string | null;

  @Property({ type: 'text' })
  status!: DeliveryStatus;

  @Property({ type: 'integer', default: 0 })
  attempts!: number;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  sentAt?: Date | null;
}
