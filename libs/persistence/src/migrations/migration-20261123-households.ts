import { Migration } from '@mikro-orm/migrations';

/**
 * A village case's household list: each household's identity (personal data), why it is on the
 * list, survey answers and classification with its explanation, meeting votes, certificate;
 * complaints against households during posting and their re-check; the recognition lock.
 */
export class Migration20261123170000Households extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "household" (
      "id" uuid not null primary key, "case_id" uuid not null, "code" text not null,
      "head_name" text not null, "id_number" text null, "address" text null, "member_count" int not null,
      "area" text not null, "source" text not null, "note" text null,
      "income_per_capita_monthly" bigint null, "deprivations" jsonb null, "surveyed_at" timestamptz null, "surveyed_by" text null,
      "classification" text null, "explanation" jsonb null, "rule_set" text null,
      "agree_votes" int null, "present_votes" int null, "voted_at" timestamptz null,
      "certificate_number" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`create unique index "household_case_id_code_unique" on "household" ("case_id", lower("code"));`);
    this.addSql(`create table "household_complaint" (
      "id" uuid not null primary key, "case_id" uuid not null, "household_code" text not null, "summary" text not null,
      "filed_by" jsonb not null, "filed_at" timestamptz not null, "status" text not null,
      "resolution" jsonb null, "resolved_by" jsonb null, "resolved_at" timestamptz null);`);
    this.addSql(
      `create index "household_complaint_case_id_status_index" on "household_complaint" ("case_id", "status");`,
    );
    this.addSql(`alter table "review_case" add column "households_locked_at" timestamptz null;`);
  }
}
