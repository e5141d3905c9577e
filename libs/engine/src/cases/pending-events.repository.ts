import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** A case with accepted events still pending, and the newest of their sequence numbers. */
export interface WaitingCaseRow {
  case_id: string;
  seq: number;
}

/** The SQL that finds cases whose accepted events wait to be applied. */
@Injectable()
export class PendingEventsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Up to `limit` cases with an event still pending that was received before `before`. */
  casesWaitingSince(before: Date, limit: number): Promise<WaitingCaseRow[]> {
    return this.em
      .fork()
      .execute<WaitingCaseRow[]>(
        `select case_id, max(seq) as seq from case_event where status = 'pending' and received_at < ? group by case_id limit ?`,
        [before, limit],
      );
  }
}
