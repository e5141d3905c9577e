import { Migration } from '@mikro-orm/migrations';

/**
 * The poverty standard as the law runs it: a campaign records the year its lists apply and the
 * national rule set it classifies with, and why (`lists_year`, `rule_set_period`,
 * `rule_set_reason` {vi, en}); campaigns started before are given theirs when a process starts
 * (`CampaignsService.recordMissingRuleSets`, from config/poverty-rules/). A household keeps its
 * national classification (`classification`, `explanation`, `rule_set`: national reports) and,
 * where the province has its own lines for the lists year, a provincial one beside it
 * (`provincial_*`: the province's programmes); `low_income_workers` counts its workers at or below
 * the low-income line (Decree 30/2025/NĐ-CP).
 *
 * Before this, a province's own lines replaced the national ones: the rows classified that way
 * (`rule_set` like `2022-2025+24`) move to the provincial columns, and their national columns are
 * emptied: such a household shows as surveyed but not classified nationally until it is surveyed
 * again (its answers are kept).
 */
export class Migration20261207100000PovertyStandard extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "campaign" add column "lists_year" int null, add column "rule_set_period" text null, add column "rule_set_reason" jsonb null;`,
    );
    this.addSql(
      `alter table "household" add column "provincial_classification" text null, add column "provincial_explanation" jsonb null, add column "provincial_rule_set" text null, add column "low_income_workers" int null;`,
    );
    this.addSql(
      `update "household" set "provincial_classification" = "classification", "provincial_explanation" = "explanation", "provincial_rule_set" = "rule_set",
         "classification" = null, "explanation" = null, "rule_set" = null where "rule_set" like '%+%';`,
    );
  }
}
