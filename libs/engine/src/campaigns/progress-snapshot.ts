import type { EntityManager } from '@mikro-orm/postgresql';
import { civilDateOf } from '@rasoat/calendar';

/**
 * Copies today's stage counters into `stage_counter_daily` (one row per campaign, commune, stage
 * and day), so that progress over the season is a read of a few aggregate rows. Idempotent: the
 * sweeper calls it once an hour; the last copy of a day stands for that day.
 */
export async function snapshotStageCounters(em: EntityManager, now: Date): Promise<number> {
  const rows = await em.execute<{ n: number }[]>(
    `with copied as (
       insert into stage_counter_daily (campaign_id, commune_code, stage, day, reached)
       select s.campaign_id, s.commune_code, s.stage, ?::date, s.reached from stage_counter s join campaign k on k.id = s.campaign_id where k.status = 'running'
       on conflict (campaign_id, day, commune_code, stage) do update set reached = excluded.reached
       returning 1)
     select count(*)::int as n from copied`,
    [civilDateOf(now)],
  );
  return rows[0]?.n ?? 0;
}
