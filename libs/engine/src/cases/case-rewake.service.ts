import { Injectable } from '@nestjs/common';
import { CaseEventsProducer } from './case-events.producer';
import { PendingEventsRepository } from './pending-events.repository';

/**
 * Wakes the worker again for cases whose accepted events have waited too long: their wake-up
 * was lost (the API died between commit and enqueue, or Redis did not answer).
 */
@Injectable()
export class CaseRewakeService {
  constructor(
    private readonly pending: PendingEventsRepository,
    private readonly producer: CaseEventsProducer,
  ) {}

  /** Re-wakes up to `limit` cases with an event pending for more than `staleEventSeconds` at `now`; how many. */
  async rewakeWaiting(now: Date, staleEventSeconds: number, limit: number): Promise<number> {
    const waiting = await this.pending.casesWaitingSince(new Date(now.getTime() - staleEventSeconds * 1000), limit);
    await this.producer.rewakeMany(
      waiting.map((r) => ({ caseId: r.case_id, seq: r.seq })),
      now,
    );
    return waiting.length;
  }
}
