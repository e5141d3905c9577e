import { Migration } from '@mikro-orm/migrations';

/**
 * A version's last day for new campaigns (`effectiveTo`, e.g. 2025-06-30 on the procedure with a
 * district step), beside `effective_from`, so that the version in effect on a date is read from
 * the columns. A version published with it in its body gets it copied.
 */
export class Migration20261207090000DefinitionEffectiveTo extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "definition_version" add column "effective_to" date null;`);
    this.addSql(
      `update "definition_version" set "effective_to" = ("body" ->> 'effectiveTo')::date where "body" ->> 'effectiveTo' is not null;`,
    );
  }
}
