import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../infrastructure';

/** A `case_event` row: an event in its case's inbox, with its outcome once applied or refused. */
export interface CaseEventRow {
  id: string;
  case_id: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'applied' | 'rejected';
  rejection_code: string | null;
  rejection_reason: string | null;
  idempotency_key?: string;
}

/** An event to put into its case's inbox as pending, its sequence number given. */
export interface NewCaseEventRow {
  id: string;
  case_id: string;
  seq: number;
  key: string;
  type: string;
  payload: Record<string, unknown>;
  actor: unknown;
}

/** An event waiting after its case's `applied_seq`, as the drain applies it. */
export interface EventToApplyRow {
  id: string;
  case_id: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  actor: unknown;
}

/** Where one sender stands on one case (`senderStandings`). */
export interface SenderStandingRow {
  case_id: string;
  sub: string;
  /** Its refusals within the window, counted up to the budget. */
  refused: number;
  /** The oldest of those refusals. */
  oldest: Date | string | null;
  /** Its events still waiting after the case's `applied_seq`, counted up to the waiting limit. */
  waiting: number;
}

/**
 * The SQL of the cases' inboxes (`case_event`): the events accepted with their sequence number and
 * idempotency key, read back by key and by sequence. Statements that send large JSON take their
 * parameters apart from the text (`sql`). Runs on the entity manager it is given: a transaction's,
 * or a fork.
 */
@Injectable()
export class CaseEventRepository {
  /** The events already recorded under these (case, idempotency key) pairs, whole rows. */
  findByKeys(tx: EntityManager, keys: readonly { case_id: string; key: string }[]): Promise<CaseEventRow[]> {
    return sql<CaseEventRow>(
      tx,
      `select e.* from jsonb_to_recordset(?::jsonb) as k(case_id uuid, key text)
       join case_event e on e.case_id = k.case_id and e.idempotency_key = k.key`,
      [JSON.stringify(keys)],
    );
  }

  /** Inserts the events as pending, received at `receivedAt`, in one statement. */
  async insertPending(tx: EntityManager, rows: readonly NewCaseEventRow[], receivedAt: Date): Promise<void> {
    await sql(
      tx,
      `insert into case_event (id, case_id, seq, idempotency_key, type, payload, actor, status, received_at)
       select x.id, x.case_id, x.seq, x.key, x.type, x.payload, x.actor, 'pending', ?
       from jsonb_to_recordset(?::jsonb) as x(id uuid, case_id uuid, seq int, key text, type text, payload jsonb, actor jsonb)`,
      [receivedAt, JSON.stringify(rows)],
    );
  }

  /** One event of a case, or undefined. */
  async findOne(em: EntityManager, caseId: string, eventId: string): Promise<CaseEventRow | undefined> {
    const [row] = await em.execute<CaseEventRow[]>('select * from case_event where case_id = ? and id = ?', [
      caseId,
      eventId,
    ]);
    return row;
  }

  /** Up to `limit` events of each case after its `applied_seq`, by case and sequence. */
  nextToApply(tx: EntityManager, caseIds: readonly string[], limit: number): Promise<EventToApplyRow[]> {
    return sql<EventToApplyRow>(
      tx,
      `select e.id, e.case_id, e.seq, e.type, e.payload, e.actor
       from review_case c cross join lateral (
         select * from case_event e where e.case_id = c.id and e.seq > c.applied_seq order by e.seq limit ?) e
       where c.id = any(string_to_array(?, ',')::uuid[]) order by e.case_id, e.seq`,
      [limit, caseIds.join(',')],
    );
  }

  /**
   * Where each (case, sender) stands, in one statement: its refusals processed after `since` (at
   * most `refusedLimit` read) and its events still waiting (at most `waitingLimit` read). Only the
   * pairs with `refusedLimit` refusals or some event waiting come back. Refusals are read through
   * `case_event_refused_idx`, waiting events after the case's `applied_seq`.
   */
  senderStandings(
    em: EntityManager,
    holders: readonly { case_id: string; sub: string }[],
    limits: { since: Date; refusedLimit: number; waitingLimit: number },
  ): Promise<SenderStandingRow[]> {
    return sql<SenderStandingRow>(
      em,
      `select k.case_id, k.sub, r.refused, r.oldest, w.waiting
       from jsonb_to_recordset(?::jsonb) as k(case_id uuid, sub text)
       join review_case c on c.id = k.case_id
       cross join lateral (
         select count(*)::int as refused, min(e.processed_at) as oldest from (
           select e.processed_at from case_event e
           where e.case_id = k.case_id and e.actor ->> 'sub' = k.sub and e.status = 'rejected' and e.processed_at > ?
           order by e.processed_at desc limit ?) e
       ) r
       cross join lateral (
         select count(*)::int as waiting from (
           select 1 from case_event e where e.case_id = k.case_id and e.seq > c.applied_seq and e.actor ->> 'sub' = k.sub limit ?) e
       ) w
       where r.refused >= ? or w.waiting > 0`,
      [JSON.stringify(holders), limits.since, limits.refusedLimit, limits.waitingLimit, limits.refusedLimit],
    );
  }
}
