import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { MAX_EVENTS_PER_BATCH } from '@rasoat/contracts';
import { CaseEventRepository } from './case-event.repository';
import { RefusedEventBudgetExceededException, WaitingEventsLimitExceededException } from './cases.exception';

const WINDOW_MS = 3_600_000;

/** One sender on one case: what the budget is counted for. */
export interface BudgetHolder {
  caseId: string;
  /** The actor's token `sub`. */
  sub: string;
}

const keyOf = (h: BudgetHolder): string => `${h.caseId} ${h.sub}`;

/**
 * The refused-event budget (`cases.refusedEventsPerHour`, N): how many of one actor's events the
 * engine may refuse on one case within an hour. At N the API records none of the actor's events
 * for the case until the oldest of those refusals is an hour old. Acceptance cannot tell which
 * events will be refused, so a burst sent before the first refusals are applied would pass; the
 * actor's events still waiting on the case are therefore capped too, at one full batch
 * (`WAITING_LIMIT`). Together: at most N - 1 + WAITING_LIMIT refusals of one actor on one case
 * in any hour, whatever it sends. Counted on `case_event` (`CaseEventRepository.senderStandings`).
 */
@Injectable()
export class RefusedEventBudget {
  /** Events of one actor that may wait on one case at once: a full batch of the batch route. */
  static readonly WAITING_LIMIT = MAX_EVENTS_PER_BATCH;
  readonly perHour: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly events: CaseEventRepository,
  ) {
    this.perHour = config.cases.refusedEventsPerHour;
  }

  /**
   * Reads where the senders of a batch stand — one statement, at most N refusals and
   * WAITING_LIMIT waiting events read per sender and case — and returns the judge of the batch's
   * new events: called for each in batch order, it answers the exception that refuses it, or
   * null and counts it as waiting. Runs under the case row locks of the acceptance transaction.
   * With the budget off (N = 0) it reads nothing and refuses nothing.
   */
  async judge(
    em: EntityManager,
    holders: readonly BudgetHolder[],
    now: Date,
  ): Promise<(h: BudgetHolder) => RefusedEventBudgetExceededException | WaitingEventsLimitExceededException | null> {
    const distinct = new Map(holders.map((h) => [keyOf(h), { case_id: h.caseId, sub: h.sub }]));
    if (this.perHour === 0 || distinct.size === 0) return () => null;
    const rows = await this.events.senderStandings(em, [...distinct.values()], {
      since: new Date(now.getTime() - WINDOW_MS),
      refusedLimit: this.perHour,
      waitingLimit: RefusedEventBudget.WAITING_LIMIT,
    });
    const standing = new Map<string, { refused: number; oldest: Date | string | null; waiting: number }>(
      rows.map((r) => [keyOf({ caseId: r.case_id, sub: r.sub }), r]),
    );
    return (h) => {
      const s = standing.get(keyOf(h)) ?? { refused: 0, oldest: null, waiting: 0 };
      if (s.refused >= this.perHour) {
        // Room again when the oldest of the N latest refusals leaves the hour.
        const retryAfter = Math.max(
          1,
          Math.ceil((new Date(s.oldest as Date | string).getTime() + WINDOW_MS - now.getTime()) / 1000),
        );
        return new RefusedEventBudgetExceededException(h.caseId, this.perHour, retryAfter);
      }
      if (s.waiting >= RefusedEventBudget.WAITING_LIMIT)
        return new WaitingEventsLimitExceededException(h.caseId, RefusedEventBudget.WAITING_LIMIT);
      standing.set(keyOf(h), { ...s, waiting: s.waiting + 1 });
      return null;
    };
  }
}
