import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DeadlineScheduler } from '../deadlines';
import { sql } from '../infrastructure';
import type { CaseChanges } from './case-changes';

/**
 * Writes a CaseChanges inside the caller's transaction with one statement per table (event
 * outcomes, history, deadlines closed and armed, notifications, per-commune counters), however many
 * cases and events it holds. Queue wake-ups are the caller's post-commit work
 * (`changes.wakeUps()`): never before the commit, or a crash could lose them.
 */
@Injectable()
export class CaseEffectWriter {
  constructor(private readonly deadlines: DeadlineScheduler) {}

  /** Writes everything collected, one statement per table (none for an empty table). */
  async write(tx: EntityManager, changes: CaseChanges): Promise<void> {
    const now = changes.now;
    if (changes.events.length > 0) {
      await sql(
        tx,
        `update case_event e set status = x.status, rejection_code = x.code, rejection_reason = x.reason, processed_at = ?
         from jsonb_to_recordset(?::jsonb) as x(id uuid, status text, code text, reason text) where e.id = x.id`,
        [now, JSON.stringify(changes.events)],
      );
    }
    if (changes.history.length > 0) {
      await sql(
        tx,
        `insert into case_history (case_id, at, kind, seq, event_type, actor, from_step, to_step, details)
         select x.case_id, ?, x.kind, x.seq, x.event_type, x.actor, x.from_step, x.to_step, x.details
         from jsonb_to_recordset(?::jsonb) as x(case_id uuid, kind text, seq int, event_type text, actor jsonb, from_step text, to_step text, details jsonb)`,
        [
          now,
          JSON.stringify(
            changes.history.map((h) => ({
              case_id: h.caseId,
              kind: h.kind,
              seq: h.seq ?? null,
              event_type: h.eventType ?? null,
              actor: h.actor,
              from_step: h.fromStep ?? null,
              to_step: h.toStep ?? null,
              details: h.details ?? {},
            })),
          ),
        ],
      );
    }
    if (changes.closedSteps.length > 0) {
      // The step was left: an armed deadline is cancelled, an overdue one closed (met late); no alarm rings any more.
      await sql(
        tx,
        `update deadline d set status = case when d.status = 'overdue' then 'closed' else 'cancelled' end, closed_at = ?, next_alarm_at = null
         from (select distinct * from jsonb_to_recordset(?::jsonb) as x(case_id uuid, step text)) x
         where d.case_id = x.case_id and d.step = x.step and d.status in ('armed', 'overdue')`,
        [now, JSON.stringify(changes.closedSteps.map((c) => ({ case_id: c.caseId, step: c.step })))],
      );
    }
    if (changes.deadlines.length > 0) {
      await sql(
        tx,
        `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, closed_at, alarms, next_alarm, next_alarm_at, calendar_version)
         select x.id, x.case_id, x.step, x.due_date, x.due_at, x.spec, x.status, ?, x.closed_at, x.alarms, 0, x.next_alarm_at, ?
         from jsonb_to_recordset(?::jsonb) as x(id uuid, case_id uuid, step text, due_date date, due_at timestamptz, spec jsonb, status text, closed_at timestamptz, alarms jsonb, next_alarm_at timestamptz)`,
        [
          now,
          this.deadlines.calendarVersion,
          JSON.stringify(
            changes.deadlines.map((d) => ({
              id: d.id,
              case_id: d.caseId,
              step: d.step,
              due_date: d.dueDate,
              due_at: d.dueAt,
              spec: d.spec,
              status: d.status,
              closed_at: d.status === 'cancelled' ? now : null,
              alarms: d.alarms,
              next_alarm_at: d.status === 'armed' ? d.firstAlarmAt : null,
            })),
          ),
        ],
      );
    }
    if (changes.notifications.length > 0) {
      await sql(
        tx,
        `insert into notification (id, dedupe_key, unit_code, role, template, title, body, case_id, created_at)
         select gen_random_uuid(), x.dedupe_key, x.unit_code, x.role, x.template, x.title, x.body, x.case_id, ?
         from jsonb_to_recordset(?::jsonb) as x(dedupe_key text, unit_code text, role text, template text, title text, body text, case_id uuid)
         on conflict (dedupe_key) do nothing`,
        [
          now,
          JSON.stringify(
            changes.notifications.map((n) => ({
              dedupe_key: n.dedupeKey,
              unit_code: n.unitCode,
              role: n.role,
              template: n.template,
              title: n.title,
              body: n.body,
              case_id: n.caseId,
            })),
          ),
        ],
      );
    }
    // Counter rows in key order, so that concurrent transactions moving cases in opposite
    // directions (survey → meeting and meeting → survey) cannot deadlock on them.
    if (changes.counters.size > 0) {
      await sql(
        tx,
        `insert into progress_counter (campaign_id, commune_code, step, current)
         select x.campaign_id, x.commune_code, x.step, x.delta from jsonb_to_recordset(?::jsonb) as x(campaign_id uuid, commune_code text, step text, delta int)
         order by 1, 2, 3
         on conflict (campaign_id, commune_code, step) do update set current = progress_counter.current + excluded.current`,
        [
          JSON.stringify(
            keyed(changes.counters, (campaign_id, commune_code, step, delta) => ({
              campaign_id,
              commune_code,
              step,
              delta,
            })),
          ),
        ],
      );
    }
    if (changes.stages.size > 0) {
      await sql(
        tx,
        `insert into stage_counter (campaign_id, commune_code, stage, reached)
         select x.campaign_id, x.commune_code, x.stage, x.reached from jsonb_to_recordset(?::jsonb) as x(campaign_id uuid, commune_code text, stage int, reached int)
         order by 1, 2, 3
         on conflict (campaign_id, commune_code, stage) do update set reached = stage_counter.reached + excluded.reached`,
        [
          JSON.stringify(
            keyed(changes.stages, (campaign_id, commune_code, stage, reached) => ({
              campaign_id,
              commune_code,
              stage: Number(stage),
              reached,
            })),
          ),
        ],
      );
    }
  }
}

function keyed<T>(
  map: Map<string, number>,
  row: (campaignId: string, communeCode: string, key: string, value: number) => T,
): T[] {
  return [...map.entries()].map(([k, value]) => {
    const [campaignId, communeCode, key] = k.split('|');
    return row(campaignId, communeCode, key, value);
  });
}
