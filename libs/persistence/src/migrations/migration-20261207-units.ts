import { Migration } from '@mikro-orm/migrations';

/**
 * Real administrative units. `admin_unit` gains the official unit type (`Tỉnh`, `Thành phố`,
 * `Xã`, `Phường`, `Đặc khu`, and for villages `Thôn`, `Tổ dân phố`, `Bản`, `Ấp`… as imported),
 * the English name, where the unit came from (`source`: the official list `vn-2026`, `demo`, or
 * an import), and retirement: a village merged into another is retired (`retired_at`) and points
 * to the village it merged into (`merged_into`), never deleted — its finished cases keep their
 * unit. Every unit existing before keeps its row: the new columns are empty, as for a unit whose
 * type nobody gave.
 *
 * `unit_change` is the history of imports: a unit created, renamed (name or type) or merged, with
 * before and after, when, who and from which file (name and sha256), grouped by import.
 * `unit_list` records which official list (file and hash) was loaded, so that a later start
 * whose database already holds it does nothing.
 */
export class Migration20261207110000Units extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "admin_unit" add column "unit_type" text null, add column "name_en" text null, add column "source" text null, add column "retired_at" timestamptz null, add column "merged_into" text null;`,
    );
    this.addSql(
      `create table "unit_change" ("id" bigserial primary key, "import_id" uuid not null, "unit_code" text not null, "province_code" text not null, "kind" text not null, "before" jsonb null, "after" jsonb null, "merged_into" text null, "at" timestamptz not null, "actor" jsonb not null, "file_name" text null, "file_sha256" text not null);`,
    );
    this.addSql(`create index "unit_change_unit_code_id_index" on "unit_change" ("unit_code", "id");`);
    this.addSql(`create index "unit_change_province_code_id_index" on "unit_change" ("province_code", "id");`);
    this.addSql(
      `create table "unit_list" ("name" text not null, "sha256" text not null, "units" int not null, "loaded_at" timestamptz not null, constraint "unit_list_pkey" primary key ("name"));`,
    );
  }
}
