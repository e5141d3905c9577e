import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';

/** A history row as the read side gets it. */
export interface HistoryRow {
  id: string;
  at: Date | string;
  kind: string;
  seq: number | null;
  eventType: string | null;
  actor: { sub: string; role: string; unit: string };
  fromStep: string | null;
  toStep: string | null;
  details: Record<string, unknown>;
}

/** One page of a case's history, newest first. */
export interface HistoryPage {
  entries: HistoryRow[];
  /** Every entry of the case. */
  total: number;
  /** Pass as `before` for the next (older) page; null on the last one. */
  nextBefore: string | null;
}

/** A refused event as the case view lists it: what, why, who and when, never its payload. */
export interface RefusalView {
  eventId: string;
  seq: number;
  type: string;
  code: string | null;
  reason: string | null;
  actor: { sub: string; role: string; unit: string };
  at: string;
}

/**
 * Reads a case's history a page at a time (newest first, keyed on the entry id, which grows with
 * every insert), and its refused events, which are not history: they stay on their `case_event`
 * rows. Whatever a case has been sent, what one read returns is bounded.
 */
@Injectable()
export class CaseHistoryRepository {
  /**
   * The entries older than `before` (an entry id; the newest ones without it), at most `limit`.
   * (`case_history.id`, not `id`: in ORDER BY a bare `id` would be the text column selected.)
   */
  async page(em: EntityManager, caseId: string, q: { before?: string; limit: number }): Promise<HistoryPage> {
    // One after the other: `em` may be a transaction's, on one connection.
    const rows = await em.execute<HistoryRow[]>(
      `select id::text, at, kind, seq, event_type as "eventType", actor, from_step as "fromStep", to_step as "toStep", details
       from case_history where case_id = ? ${q.before ? 'and case_history.id < ?' : ''} order by case_history.id desc limit ?`,
      [caseId, ...(q.before ? [q.before] : []), q.limit + 1],
    );
    const [{ n }] = await em.execute<{ n: number }[]>(`select count(*)::int as n from case_history where case_id = ?`, [
      caseId,
    ]);
    const entries = rows.slice(0, q.limit);
    return { entries, total: n, nextBefore: rows.length > q.limit ? entries[entries.length - 1].id : null };
  }

  /** How many of the case's events were refused, and the latest `recent` of them. */
  async refusals(em: EntityManager, caseId: string, recent: number): Promise<{ total: number; recent: RefusalView[] }> {
    const [{ n }] = await em.execute<{ n: number }[]>(
      `select count(*)::int as n from case_event where case_id = ? and status = 'rejected'`,
      [caseId],
    );
    const rows = await em.execute<(Omit<RefusalView, 'at'> & { at: Date | string })[]>(
      `select id as "eventId", seq, type, rejection_code as code, rejection_reason as reason, actor, processed_at as at
       from case_event where case_id = ? and status = 'rejected' order by processed_at desc, seq desc limit ?`,
      [caseId, recent],
    );
    return { total: n, recent: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
  }
}
