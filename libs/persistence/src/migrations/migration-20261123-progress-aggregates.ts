import { Migration } from '@mikro-orm/migrations';

/**
 * Aggregates for the progress view, kept in the same transaction as every change:
 * - `open_deadline_counter (campaign, commune, due_date, open)`: deadlines not yet met (armed or
 *   overdue) by due date, maintained by statement-level triggers on `deadline` — so "overdue" and
 *   "due within 7 days" for any unit are sums over a few aggregate rows, whatever code path
 *   arms, moves or closes a deadline;
 * - `stage_counter_daily`: a daily copy of the stage counters, for progress over the season.
 */
export class Migration20261123180000ProgressAggregates extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "open_deadline_counter" ("campaign_id" uuid not null, "commune_code" text not null, "due_date" date not null, "open" int not null, constraint "open_deadline_counter_pkey" primary key ("campaign_id", "commune_code", "due_date"));`,
    );
    this.addSql(
      `create table "stage_counter_daily" ("campaign_id" uuid not null, "commune_code" text not null, "stage" int not null, "day" date not null, "reached" int not null, constraint "stage_counter_daily_pkey" primary key ("campaign_id", "day", "commune_code", "stage"));`,
    );
    // One statement per trigger firing; rows in key order so that concurrent transactions lock counters in the same order.
    this.addSql(`
      create function deadline_counter_after_insert() returns trigger language plpgsql as $$
      begin
        insert into open_deadline_counter (campaign_id, commune_code, due_date, open)
        select c.campaign_id, c.commune_code, n.due_date, count(*) from new_rows n join review_case c on c.id = n.case_id
        where n.status in ('armed', 'overdue') group by 1, 2, 3 order by 1, 2, 3
        on conflict (campaign_id, commune_code, due_date) do update set open = open_deadline_counter.open + excluded.open;
        return null;
      end $$;`);
    this.addSql(`
      create function deadline_counter_after_update() returns trigger language plpgsql as $$
      begin
        insert into open_deadline_counter (campaign_id, commune_code, due_date, open)
        select c.campaign_id, c.commune_code, x.due_date, sum(x.delta)::int from (
          select o.case_id, o.due_date, -1 as delta from old_rows o where o.status in ('armed', 'overdue')
          union all
          select n.case_id, n.due_date, 1 as delta from new_rows n where n.status in ('armed', 'overdue')
        ) x join review_case c on c.id = x.case_id
        group by 1, 2, 3 having sum(x.delta) <> 0 order by 1, 2, 3
        on conflict (campaign_id, commune_code, due_date) do update set open = open_deadline_counter.open + excluded.open;
        return null;
      end $$;`);
    this.addSql(`
      create function deadline_counter_after_delete() returns trigger language plpgsql as $$
      begin
        insert into open_deadline_counter (campaign_id, commune_code, due_date, open)
        select c.campaign_id, c.commune_code, o.due_date, -count(*) from old_rows o join review_case c on c.id = o.case_id
        where o.status in ('armed', 'overdue') group by 1, 2, 3 order by 1, 2, 3
        on conflict (campaign_id, commune_code, due_date) do update set open = open_deadline_counter.open + excluded.open;
        return null;
      end $$;`);
    this.addSql(
      `create trigger deadline_counter_insert after insert on deadline referencing new table as new_rows for each statement execute function deadline_counter_after_insert();`,
    );
    this.addSql(
      `create trigger deadline_counter_update after update on deadline referencing old table as old_rows new table as new_rows for each statement execute function deadline_counter_after_update();`,
    );
    this.addSql(
      `create trigger deadline_counter_delete after delete on deadline referencing old table as old_rows for each statement execute function deadline_counter_after_delete();`,
    );
    // Backfill what exists.
    this.addSql(`
      insert into open_deadline_counter (campaign_id, commune_code, due_date, open)
      select c.campaign_id, c.commune_code, d.due_date, count(*) from deadline d join review_case c on c.id = d.case_id
      where d.status in ('armed', 'overdue') group by 1, 2, 3;`);
  }
}
