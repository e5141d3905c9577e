import { Migration } from '@mikro-orm/migrations';

/**
 * Refused events leave the case history: the refusal stays on its `case_event` row (status
 * `rejected`, code and reason), where the sender reads it, and the case view counts those rows.
 * The history rows earlier drains wrote for refusals repeat what those event rows hold, and are
 * deleted. The partial index serves the refused-event budget at acceptance (one actor's
 * refusals on one case within the last hour) and the case view's count and latest refusals.
 */
export class Migration20261124090000RefusedEvents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`delete from "case_history" where "kind" = 'rejected';`);
    this.addSql(
      `create index "case_event_refused_idx" on "case_event" ("case_id", ("actor" ->> 'sub'), "processed_at") where "status" = 'rejected';`,
    );
  }
}
