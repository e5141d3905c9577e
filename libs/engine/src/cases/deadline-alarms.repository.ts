import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { CaseSnapshot, ResolvedDeadline } from '@rasoat/workflow-core';
import type { Alarm } from '../deadlines';
import { sql } from '../infrastructure';
import { lockCases } from './case-lock';

/** A deadline whose next alarm is due, with what its notice needs of its case and village. */
export interface DueAlarmRow {
  id: string;
  case_id: string;
  step: string;
  due_date: string;
  status: string;
  alarms: Alarm[];
  next_alarm: number;
  case_status: string;
  case_step: string;
  regions: Record<string, string> | null;
  definition_key: string;
  unit_path: string;
  village_code: string;
  village_name: string | null;
}

/** Where a rung deadline stands after its pass: its status, its next alarm, and when it closed (steps already left). */
export interface RungDeadlineUpdate {
  id: string;
  status: string;
  next_alarm: number;
  next_alarm_at: string | null;
  closed_at: string | null;
}

/** A case row locked before its onDue deadlines. */
export interface OnDueCaseRow {
  id: string;
  status: string;
  snapshot: CaseSnapshot;
}

/** A deadline locked to send its onDue event. */
export interface OnDueDeadlineRow {
  id: string;
  case_id: string;
  step: string;
  due_date: string;
  spec: ResolvedDeadline;
  alarms: Alarm[];
  next_alarm: number;
  /** As PostgreSQL writes a timestamptz (the driver does not parse it). */
  next_alarm_at: string | null;
}

/**
 * The SQL of ringing deadline alarms and sending onDue events: due deadlines locked in batches
 * (`for update skip locked`, so two workers never wait for each other), their rows updated with
 * one statement per batch, and the case locks, case rows and deadlines of an onDue batch locked
 * in that order, each in id order (the engine's order). The `tx` methods run in the transaction
 * of `transaction`.
 */
@Injectable()
export class DeadlineAlarmsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Runs `work` in one transaction. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(work);
  }

  /** The transaction commits without waiting for the WAL flush. */
  async commitAsynchronously(tx: EntityManager): Promise<void> {
    await sql(tx, 'set local synchronous_commit = off');
  }

  /** Locks up to `limit` deadlines whose next alarm (not an onDue event) is due at `now`, soonest first, skipping rows locked elsewhere. */
  lockDue(tx: EntityManager, now: Date, limit: number): Promise<DueAlarmRow[]> {
    return sql<DueAlarmRow>(
      tx,
      `select d.id, d.case_id, d.step, d.due_date::text as due_date, d.status, d.alarms, d.next_alarm,
                c.status as case_status, c.step as case_step, c.snapshot -> 'regions' as regions, c.definition_key, c.unit_path, c.village_code, u.name as village_name
         from deadline d join review_case c on c.id = d.case_id left join admin_unit u on u.code = c.village_code
         where d.next_alarm_at <= ? and (d.alarms -> d.next_alarm ->> 'kind') <> 'event'
         order by d.next_alarm_at limit ? for update of d skip locked`,
      [now, limit],
    );
  }

  /** Writes the rung deadlines' status and next alarm in one statement (`closed_at` only where given). */
  async updateRung(tx: EntityManager, updates: readonly RungDeadlineUpdate[]): Promise<void> {
    await sql(
      tx,
      `update deadline d set status = x.status, next_alarm = x.next_alarm, next_alarm_at = x.next_alarm_at, closed_at = coalesce(x.closed_at, d.closed_at)
         from jsonb_to_recordset(?::jsonb) as x(id uuid, status text, next_alarm int, next_alarm_at timestamptz, closed_at timestamptz)
         where d.id = x.id`,
      [JSON.stringify(updates)],
    );
  }

  /** The ids of up to 5,000 deadlines whose onDue event is due at `now`, soonest first. */
  async dueEvents(now: Date): Promise<string[]> {
    const rows = await this.em
      .fork()
      .execute<{ id: string }[]>(
        `select id from deadline where next_alarm_at <= ? and (alarms -> next_alarm ->> 'kind') = 'event' order by next_alarm_at limit 5000`,
        [now],
      );
    return rows.map((r) => r.id);
  }

  /** The deadlines of `ids` that exist, with their case. */
  casesOf(tx: EntityManager, ids: readonly string[]): Promise<{ id: string; case_id: string }[]> {
    return sql<{ id: string; case_id: string }>(
      tx,
      `select id, case_id from deadline where id = any(string_to_array(?, ',')::uuid[])`,
      [ids.join(',')],
    );
  }

  /** The case locks (`lockCases`), in id order. */
  lockCases(tx: EntityManager, caseIds: readonly string[]): Promise<void> {
    return lockCases(tx, caseIds);
  }

  /** Locks the case rows, in id order. */
  lockCaseRows(tx: EntityManager, caseIds: readonly string[]): Promise<OnDueCaseRow[]> {
    return sql<OnDueCaseRow>(
      tx,
      `select id, status, snapshot from review_case where id = any(string_to_array(?, ',')::uuid[]) order by id for update`,
      [caseIds.join(',')],
    );
  }

  /** Locks the deadline rows, in id order. */
  lockDeadlines(tx: EntityManager, ids: readonly string[]): Promise<OnDueDeadlineRow[]> {
    return sql<OnDueDeadlineRow>(
      tx,
      `select id, case_id, step, due_date::text as due_date, spec, alarms, next_alarm, next_alarm_at from deadline
       where id = any(string_to_array(?, ',')::uuid[]) order by id for update`,
      [ids.join(',')],
    );
  }

  /** Cancels deadlines of steps already left: closed at `now`, nothing left to ring. */
  async cancel(tx: EntityManager, ids: readonly string[], now: Date): Promise<void> {
    await sql(
      tx,
      `update deadline set status = 'cancelled', closed_at = ?, next_alarm_at = null where id = any(string_to_array(?, ',')::uuid[])`,
      [now, ids.join(',')],
    );
  }

  /** Marks deadlines whose onDue event was sent: fired and closed at `now`, past their event alarm. */
  async markFired(tx: EntityManager, ids: readonly string[], now: Date): Promise<void> {
    await sql(
      tx,
      `update deadline set status = 'fired', closed_at = ?, next_alarm = next_alarm + 1, next_alarm_at = null where id = any(string_to_array(?, ',')::uuid[])`,
      [now, ids.join(',')],
    );
  }
}
