import { Migration } from '@mikro-orm/migrations';

/**
 * Notification delivery: subscriptions (e-mail or signed webhook per unit and role), the daily
 * digests per (unit, role, day), and one delivery row per (subscription, digest).
 */
export class Migration20261123150000NotificationDelivery extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "notification_subscription" ("id" uuid not null, "unit_code" text not null, "role" text not null, "channel" text not null, "address" text not null, "secret" text null, "created_at" timestamptz not null, "created_by" text not null, "active" boolean not null default true, "deactivated_at" timestamptz null, "deactivated_by" text null, constraint "notification_subscription_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "notification_subscription_active_idx" on "notification_subscription" ("unit_code", "role") where "active";`,
    );
    this.addSql(
      `create unique index "notification_subscription_active_unique" on "notification_subscription" ("unit_code", "role", "channel", "address") where "active";`,
    );

    this.addSql(
      `create table "notification_digest" ("key" text not null, "unit_code" text not null, "role" text not null, "digest_date" date not null, "period_start" timestamptz not null, "period_end" timestamptz not null, "notification_count" int not null, "subject" text not null, "body_text" text not null, "body_html" text not null, "groups" jsonb not null, "created_at" timestamptz not null, constraint "notification_digest_pkey" primary key ("key"));`,
    );
    this.addSql(
      `create index "notification_digest_unit_code_role_period_end_index" on "notification_digest" ("unit_code", "role", "period_end");`,
    );

    this.addSql(
      `create table "notification_delivery" ("id" uuid not null, "subscription_id" uuid not null, "digest_key" text not null, "notification_count" int not null, "subject" text not null, "body_text" text not null, "body_html" text null, "status" text not null, "attempts" int not null default 0, "last_error" text null, "created_at" timestamptz not null, "sent_at" timestamptz null, constraint "notification_delivery_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "notification_delivery" add constraint "notification_delivery_subscription_id_digest_key_unique" unique ("subscription_id", "digest_key");`,
    );
    this.addSql(
      `create index "notification_delivery_status_created_at_index" on "notification_delivery" ("status", "created_at");`,
    );
  }
}
