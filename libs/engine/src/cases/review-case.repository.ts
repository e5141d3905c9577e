import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../infrastructure';
import { lockCases } from './case-lock';

/** Where a case sits and its pinned definition version: what acceptance checks an event against. */
export interface CaseLocationRow {
  id: string;
  unit_path: string;
  definition_key: string;
}

/** A case as the drain reads it, with its campaign's window and province. */
export interface CaseToDrainRow {
  id: string;
  campaign_id: string;
  village_code: string;
  commune_code: string;
  unit_path: string;
  definition_key: string;
  step: string;
  max_stage: number;
  snapshot: unknown;
  applied_seq: number;
  window_start: string;
  window_end: string;
  province_code: string;
}

/** A drained case's new state; `locked` sets `households_locked_at` unless it is set already. */
export interface DrainedCaseRow {
  id: string;
  snapshot: unknown;
  step: string;
  status: string;
  applied_seq: number;
  max_stage: number;
  locked: boolean;
}

/**
 * The SQL of the case rows (`review_case`) on the hot path: acceptance numbers events on them, the
 * drain reads and updates them, and both lock them in id order. Statements that send large JSON
 * take their parameters apart from the text (`sql`). Runs on the entity manager it is given: a
 * transaction's, or a fork.
 */
@Injectable()
export class ReviewCaseRepository {
  /** One query for a batch of case lookups (ids that are UUIDs). */
  locate(em: EntityManager, ids: readonly string[]): Promise<CaseLocationRow[]> {
    return em.execute<CaseLocationRow[]>(
      `select id, unit_path, definition_key from review_case where id = any(string_to_array(?, ',')::uuid[])`,
      [ids.join(',')],
    );
  }

  /** Locks the case rows in id order until the transaction ends (`for update`: acceptance's numbering). */
  async lockForNumbering(tx: EntityManager, ids: readonly string[]): Promise<void> {
    await sql(tx, `select 1 from review_case where id = any(string_to_array(?, ',')::uuid[]) order by id for update`, [
      ids.join(','),
    ]);
  }

  /** Adds `n` to each case's `accepted_seq`; answers each case's new `accepted_seq` (a case gone is missing). */
  advanceAcceptedSeq(
    tx: EntityManager,
    counts: readonly { id: string; n: number }[],
  ): Promise<{ id: string; seq: number }[]> {
    return sql<{ id: string; seq: number }>(
      tx,
      `update review_case c set accepted_seq = c.accepted_seq + n.n
       from jsonb_to_recordset(?::jsonb) as n(id uuid, n int)
       where c.id = n.id
       returning c.id, c.accepted_seq as seq`,
      [JSON.stringify(counts)],
    );
  }

  /** Lets the transaction commit without waiting for the WAL flush (`synchronous_commit = off`). */
  async commitAsynchronously(tx: EntityManager): Promise<void> {
    await sql(tx, 'set local synchronous_commit = off');
  }

  /** Takes the case locks of `ids` (`lockCases`: advisory, id order) until the transaction ends. */
  lockCases(tx: EntityManager, ids: readonly string[]): Promise<void> {
    return lockCases(tx, ids);
  }

  /** The cases to drain, in id order, with their campaign's window and province. */
  findToDrain(tx: EntityManager, ids: readonly string[]): Promise<CaseToDrainRow[]> {
    return sql<CaseToDrainRow>(
      tx,
      `select c.id, c.campaign_id, c.village_code, c.commune_code, c.unit_path, c.definition_key, c.step, c.max_stage, c.snapshot, c.applied_seq,
              k.window_start::text as window_start, k.window_end::text as window_end, k.province_code
       from review_case c join campaign k on k.id = c.campaign_id
       where c.id = any(string_to_array(?, ',')::uuid[]) order by c.id`,
      [ids.join(',')],
    );
  }

  /** Locks the case rows in id order until the transaction ends (`for no key update`: the drain's update). */
  async lockForUpdate(tx: EntityManager, ids: readonly string[]): Promise<void> {
    await sql(
      tx,
      `select 1 from review_case where id = any(string_to_array(?, ',')::uuid[]) order by id for no key update`,
      [ids.join(',')],
    );
  }

  /** Writes the drained cases' new state, updated at `now`, in one statement. */
  async saveDrained(tx: EntityManager, rows: readonly DrainedCaseRow[], now: Date): Promise<void> {
    await sql(
      tx,
      `update review_case c set snapshot = x.snapshot, step = x.step, status = x.status, applied_seq = x.applied_seq, max_stage = x.max_stage, updated_at = ?,
         households_locked_at = coalesce(c.households_locked_at, case when x.locked then ?::timestamptz end)
       from jsonb_to_recordset(?::jsonb) as x(id uuid, snapshot jsonb, step text, status text, applied_seq int, max_stage int, locked boolean)
       where c.id = x.id`,
      [now, now, JSON.stringify(rows)],
    );
  }
}
