import { Migration } from '@mikro-orm/migrations';

/**
 * The demo season (libs/season, `npm start`): one row per demo province and year, written
 * `playing` before the season is played in virtual time and `done` when it has been, so that a
 * restart — or several processes starting at once — never plays it twice, and a start that
 * stopped midway is recognised (its campaign is removed and the season played again).
 */
export class Migration20261207120000DemoSeason extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "demo_season" ("province_code" text not null, "year" int not null, "campaign_id" uuid null, "definition_key" text not null, "seed" bigint not null, "status" text not null, "played_until" timestamptz null, "started_at" timestamptz not null, "finished_at" timestamptz null, "summary" jsonb null, constraint "demo_season_pkey" primary key ("province_code", "year"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "demo_season";');
  }
}
