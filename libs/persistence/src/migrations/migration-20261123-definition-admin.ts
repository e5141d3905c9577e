import { Migration } from '@mikro-orm/migrations';

/** Province admins publish and roll back definitions: source text, retirement, and an audit trail. */
export class Migration20261123130000DefinitionAdmin extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "definition_version" add column "source_text" text null, add column "retired_at" timestamptz null, add column "retired_by" text null, add column "retire_reason" text null;`,
    );
    this.addSql(
      `create table "definition_audit" ("id" bigserial primary key, "at" timestamptz not null, "action" text not null, "definition_id" text not null, "version" int not null, "province_code" text null, "actor" jsonb not null, "diff" text not null, "details" jsonb not null);`,
    );
    this.addSql(
      `create index "definition_audit_province_code_id_index" on "definition_audit" ("province_code", "id");`,
    );
  }
}
