import type { EntityManager } from '@mikro-orm/postgresql';
import { civilDateOf } from '@rasoat/calendar';
import { ProgressRepository } from './progress.repository';

/**
 * Copies today's stage counters into `stage_counter_daily` (one row per campaign, commune, stage
 * and day), so that progress over the season is a read of a few aggregate rows. Idempotent: the
 * sweeper calls it once an hour; the last copy of a day stands for that day.
 */
export function snapshotStageCounters(em: EntityManager, now: Date): Promise<number> {
  return new ProgressRepository(em).copyStageCountersForDay(civilDateOf(now));
}
