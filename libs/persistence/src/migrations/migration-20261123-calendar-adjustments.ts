import { Migration } from '@mikro-orm/migrations';

/**
 * Days off (or worked Saturdays) that admins add while a season runs, on top of
 * `config/calendar/`; each deadline records the calendar version it was computed with, so that
 * the sweeper recomputes the ones computed before a change.
 */
export class Migration20261123160000CalendarAdjustments extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "calendar_adjustment" ("id" serial primary key, "province_code" text null, "date" date not null, "kind" text not null, "name" text not null, "source" text not null, "created_by" text not null, "created_at" timestamptz not null);`,
    );
    this.addSql(
      `create unique index "calendar_adjustment_scope_date_unique" on "calendar_adjustment" (coalesce("province_code", ''), "date");`,
    );
    this.addSql(`alter table "deadline" add column "calendar_version" int not null default 0;`);
    this.addSql(
      `create index "deadline_calendar_version_idx" on "deadline" ("calendar_version") where "next_alarm_at" is not null;`,
    );
  }
}
