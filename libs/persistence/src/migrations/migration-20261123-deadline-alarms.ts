import { Migration } from '@mikro-orm/migrations';

/**
 * Deadlines carry their alarm plan (reminders, due, escalations, onDue event) and the instant
 * of the next alarm; one partial index finds every alarm that is due, whatever its kind.
 */
export class Migration20261123140000DeadlineAlarms extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "deadline" add column "alarms" jsonb not null default '[]', add column "next_alarm" int not null default 0, add column "next_alarm_at" timestamptz null;`,
    );
    this.addSql(
      `update "deadline" set "alarms" = jsonb_build_array(jsonb_build_object('at', to_char("due_at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'kind', case when "spec" ? 'onDue' then 'event' else 'due' end, 'level', 0)), "next_alarm_at" = "due_at" where "status" = 'armed';`,
    );
    this.addSql(
      `create index "deadline_next_alarm_idx" on "deadline" ("next_alarm_at") where "next_alarm_at" is not null;`,
    );
    this.addSql(`drop index if exists "deadline_armed_due_idx";`);
  }
}
