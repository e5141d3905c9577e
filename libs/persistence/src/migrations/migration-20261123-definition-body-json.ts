import { Migration } from '@mikro-orm/migrations';

/** Definition bodies as json, not jsonb: jsonb reorders keys, and the order of steps is what admins wrote. */
export class Migration20261123190000DefinitionBodyJson extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "definition_version" alter column "body" type json using "body"::json;`);
  }
}
