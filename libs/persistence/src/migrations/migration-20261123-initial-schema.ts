import { Migration } from '@mikro-orm/migrations';

export class Migration20261123094225InitialSchema extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "admin_unit" ("code" text not null, "name" text not null, "level" text not null, "parent_code" text null, "path" text not null, "province_code" text not null, constraint "admin_unit_pkey" primary key ("code"));`,
    );
    this.addSql(`create index "admin_unit_path_idx" on "admin_unit" ("path" text_pattern_ops);`);
    this.addSql(`create index "admin_unit_parent_code_index" on "admin_unit" ("parent_code");`);

    this.addSql(
      `create table "campaign" ("id" uuid not null, "province_code" text not null, "year" int not null, "definition_id" text not null, "definition_key" text not null, "window_start" date not null, "window_end" date not null, "status" text not null, "case_count" int not null, "created_at" timestamptz not null, "created_by" text not null, constraint "campaign_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "campaign" add constraint "campaign_province_code_year_definition_id_unique" unique ("province_code", "year", "definition_id");`,
    );

    this.addSql(
      `create table "case_event" ("id" uuid not null, "case_id" uuid not null, "seq" int not null, "idempotency_key" text not null, "type" text not null, "payload" jsonb not null, "actor" jsonb not null, "status" text not null, "rejection_code" text null, "rejection_reason" text null, "received_at" timestamptz not null, "processed_at" timestamptz null, constraint "case_event_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "case_event_pending_idx" on "case_event" ("received_at") where "status" = 'pending';`);
    this.addSql(`alter table "case_event" add constraint "case_event_case_id_seq_unique" unique ("case_id", "seq");`);
    this.addSql(
      `alter table "case_event" add constraint "case_event_case_id_idempotency_key_unique" unique ("case_id", "idempotency_key");`,
    );

    this.addSql(
      `create table "case_history" ("id" bigserial primary key, "case_id" uuid not null, "at" timestamptz not null, "kind" text not null, "seq" int null, "event_type" text null, "actor" jsonb not null, "from_step" text null, "to_step" text null, "details" jsonb not null);`,
    );
    this.addSql(`create index "case_history_case_id_id_index" on "case_history" ("case_id", "id");`);

    this.addSql(
      `create table "deadline" ("id" uuid not null, "case_id" uuid not null, "step" text not null, "due_date" date not null, "due_at" timestamptz not null, "spec" jsonb not null, "status" text not null, "armed_at" timestamptz not null, "closed_at" timestamptz null, constraint "deadline_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "deadline_case_id_status_index" on "deadline" ("case_id", "status");`);
    this.addSql(`create index "deadline_armed_due_idx" on "deadline" ("due_at") where "status" = 'armed';`);

    this.addSql(
      `create table "definition_version" ("key" text not null, "definition_id" text not null, "version" int not null, "content_hash" text not null, "body" jsonb not null, "source_file" text not null, "province_code" text null, "effective_from" date null, "published_at" timestamptz not null, "published_by" text not null, constraint "definition_version_pkey" primary key ("key"));`,
    );
    this.addSql(
      `alter table "definition_version" add constraint "definition_version_definition_id_version_unique" unique ("definition_id", "version");`,
    );

    this.addSql(
      `create table "notification" ("id" uuid not null, "dedupe_key" text not null, "unit_code" text not null, "role" text not null, "template" text not null, "title" text not null, "body" text not null, "case_id" uuid null, "created_at" timestamptz not null, "read_at" timestamptz null, constraint "notification_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "notification_unit_code_role_created_at_index" on "notification" ("unit_code", "role", "created_at");`,
    );
    this.addSql(`alter table "notification" add constraint "notification_dedupe_key_unique" unique ("dedupe_key");`);

    this.addSql(
      `create table "progress_counter" ("campaign_id" uuid not null, "commune_code" text not null, "step" text not null, "current" int not null, constraint "progress_counter_pkey" primary key ("campaign_id", "commune_code", "step"));`,
    );

    this.addSql(
      `create table "review_case" ("id" uuid not null, "campaign_id" uuid not null, "village_code" text not null, "commune_code" text not null, "unit_path" text not null, "definition_key" text not null, "step" text not null, "status" text not null, "max_stage" int not null, "snapshot" jsonb not null, "accepted_seq" int not null, "applied_seq" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "review_case_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "review_case_unit_path_idx" on "review_case" ("unit_path" text_pattern_ops);`);
    this.addSql(`create index "review_case_commune_code_step_index" on "review_case" ("commune_code", "step");`);
    this.addSql(
      `alter table "review_case" add constraint "review_case_campaign_id_village_code_unique" unique ("campaign_id", "village_code");`,
    );

    this.addSql(
      `create table "stage_counter" ("campaign_id" uuid not null, "commune_code" text not null, "stage" int not null, "reached" int not null, constraint "stage_counter_pkey" primary key ("campaign_id", "commune_code", "stage"));`,
    );
  }
}
