import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { sql } from '../infrastructure/sql';

const WINDOW_MS = 3_600_000;

/** One sender on one case: what the budget is counted for. */
export interface BudgetHolder {
  caseId: string;
  /** The actor's token `sub`. */
  sub: string;
}

export const budgetKey = (h: BudgetHolder): string => `${h.caseId} ${h.sub}`;

/**
 * The refused-event budget (`cases.refusedEventsPerHour`): how many of one actor's events the
 * engine may refuse on one case within an hour. At that count the API records none of the
 * actor's events for the case until the oldest of those refusals is an hour old, so a sender
 * that keeps sending what the case cannot take stores at most that many refusals an hour.
 * Counted on `case_event` (status `rejected`, `processed_at`) through `case_event_refused_idx`.
 */
@Injectable()
export class RefusedEventBudget {
  readonly perHour: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.perHour = config.cases.refusedEventsPerHour;
  }

  /**
   * The holders whose budget is spent at `now`, each with the seconds until it has room again.
   * One statement for a whole acceptance batch, reading at most `perHour` index entries per
   * holder (none when the actor has no recent refusal on the case); nothing when the limit is off.
   */
  async spent(em: EntityManager, holders: readonly BudgetHolder[], now: Date): Promise<Map<string, number>> {
    const distinct = new Map(holders.map((h) => [budgetKey(h), { case_id: h.caseId, sub: h.sub }]));
    if (this.perHour === 0 || distinct.size === 0) return new Map();
    const rows = await sql<{ case_id: string; sub: string; oldest: Date | string }>(
      em,
      `select k.case_id, k.sub, r.oldest
       from jsonb_to_recordset(?::jsonb) as k(case_id uuid, sub text)
       cross join lateral (
         select count(*) as refused, min(e.processed_at) as oldest from (
           select e.processed_at from case_event e
           where e.case_id = k.case_id and e.actor ->> 'sub' = k.sub and e.status = 'rejected' and e.processed_at > ?
           order by e.processed_at desc limit ?) e
       ) r
       where r.refused >= ?`,
      [JSON.stringify([...distinct.values()]), new Date(now.getTime() - WINDOW_MS), this.perHour, this.perHour],
    );
    return new Map(
      rows.map((r) => [budgetKey({ caseId: r.case_id, sub: r.sub }), Math.max(1, Math.ceil((new Date(r.oldest).getTime() + WINDOW_MS - now.getTime()) / 1000))]),
    );
  }
}
