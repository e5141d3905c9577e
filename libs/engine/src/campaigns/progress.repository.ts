import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** Cases of a commune (by its path) in a step. */
export interface StepCountRow {
  path: string;
  step: string;
  n: number;
}

/** Cases of a commune (by its path) that reached a stage. */
export interface StageCountRow {
  path: string;
  stage: number;
  n: number;
}

/** Open deadlines of a commune (by its path): past their due date, and due within the week. */
export interface OpenDeadlineRow {
  path: string;
  overdue: number | null;
  soon: number | null;
}

/** Cases that had reached a stage on a day (from the daily copy). */
export interface StageDayRow {
  day: string;
  stage: number;
  n: number;
}

export interface VillageCaseRow {
  code: string;
  name: string;
  step: string;
  id: string;
}

/** A province's campaign of the nation's roll-up. */
export interface NationCampaignRow {
  id: string;
  province_code: string;
  province_name: string;
  definition_key: string;
  year: number;
}

/** The four counters of the nation's roll-up, summed per province. */
export interface NationCounters {
  steps: { province: string; step: string; n: number }[];
  stages: { province: string; stage: number; n: number }[];
  open: { province: string; overdue: number | null; soon: number | null }[];
  history: StageDayRow[];
}

/**
 * The SQL of progress: reads of the counters the engine keeps in the same transaction as each
 * transition (`progress_counter`, `stage_counter`, `open_deadline_counter`, `stage_counter_daily`),
 * summed over communes; never a count over cases, except a commune's own villages.
 */
@Injectable()
export class ProgressRepository {
  constructor(private readonly em: EntityManager) {}

  /** Cases per step in each commune under `unitPath`. */
  stepCounts(campaignId: string, unitPath: string): Promise<StepCountRow[]> {
    return this.em.fork().execute<StepCountRow[]>(
      `select cm.path, pc.step, pc.current::int as n from progress_counter pc join admin_unit cm on cm.code = pc.commune_code
       where pc.campaign_id = ? and cm.path like ?`,
      [campaignId, `${unitPath}%`],
    );
  }

  /** Cases that reached each stage in each commune under `unitPath`. */
  stageCounts(campaignId: string, unitPath: string): Promise<StageCountRow[]> {
    return this.em.fork().execute<StageCountRow[]>(
      `select cm.path, sc.stage, sc.reached::int as n from stage_counter sc join admin_unit cm on cm.code = sc.commune_code
       where sc.campaign_id = ? and cm.path like ?`,
      [campaignId, `${unitPath}%`],
    );
  }

  /** Open deadlines per commune under `unitPath`: due before `today`, and due from `today` to `inAWeek` (civil dates). */
  openDeadlines(campaignId: string, unitPath: string, today: string, inAWeek: string): Promise<OpenDeadlineRow[]> {
    return this.em.fork().execute<OpenDeadlineRow[]>(
      `select cm.path, sum(o.open) filter (where o.due_date < ?)::int as overdue, sum(o.open) filter (where o.due_date >= ? and o.due_date <= ?)::int as soon
       from open_deadline_counter o join admin_unit cm on cm.code = o.commune_code
       where o.campaign_id = ? and cm.path like ? and o.open <> 0 group by cm.path`,
      [today, today, inAWeek, campaignId, `${unitPath}%`],
    );
  }

  /** Per day of the daily copy, the cases under `unitPath` that had reached each stage from 2 on, in day order. */
  stageHistory(campaignId: string, unitPath: string): Promise<StageDayRow[]> {
    return this.em.fork().execute<StageDayRow[]>(
      `select d.day::text as day, d.stage, sum(d.reached)::int as n from stage_counter_daily d join admin_unit cm on cm.code = d.commune_code
       where d.campaign_id = ? and cm.path like ? and d.stage >= 2 group by d.day, d.stage order by d.day`,
      [campaignId, `${unitPath}%`],
    );
  }

  /** A commune's villages with their case and its step, by village code. */
  villageCases(campaignId: string, communeCode: string): Promise<VillageCaseRow[]> {
    return this.em
      .fork()
      .execute<VillageCaseRow[]>(
        `select u.code, u.name, c.step, c.id from review_case c join admin_unit u on u.code = c.village_code where c.campaign_id = ? and c.commune_code = ? order by u.code`,
        [campaignId, communeCode],
      );
  }

  /** The process (definition id) of the latest campaign: the latest year, then the latest created. */
  async latestProcess(): Promise<string | undefined> {
    const [latest] = await this.em
      .fork()
      .execute<{ definition_id: string }[]>(
        'select definition_id from campaign order by year desc, created_at desc limit 1',
      );
    return latest?.definition_id;
  }

  /** The campaigns of a process in `year` (by default its latest year), one per province, by province code. */
  nationCampaigns(process: string, year: number | undefined): Promise<NationCampaignRow[]> {
    return this.em.fork().execute<NationCampaignRow[]>(
      `select k.id, k.province_code, u.name as province_name, k.definition_key, k.year from campaign k join admin_unit u on u.code = k.province_code
       where k.definition_id = ? and k.year = coalesce(?::int, (select max(year) from campaign where definition_id = ?)) order by k.province_code`,
      [process, year ?? null, process],
    );
  }

  /** The counters of `campaignIds` summed per province: four statements, run at once, whatever the number of villages. */
  async nationCounters(campaignIds: readonly string[], today: string, inAWeek: string): Promise<NationCounters> {
    const ids = campaignIds.join(',');
    const byCampaign = `k.id = any(string_to_array(?, ',')::uuid[])`;
    const em = this.em.fork();
    const [steps, stages, open, history] = await Promise.all([
      em
        .fork()
        .execute<NationCounters['steps']>(
          `select k.province_code as province, pc.step, sum(pc.current)::int as n from progress_counter pc join campaign k on k.id = pc.campaign_id where ${byCampaign} group by 1, 2`,
          [ids],
        ),
      em
        .fork()
        .execute<NationCounters['stages']>(
          `select k.province_code as province, sc.stage, sum(sc.reached)::int as n from stage_counter sc join campaign k on k.id = sc.campaign_id where ${byCampaign} and sc.stage >= 2 group by 1, 2`,
          [ids],
        ),
      em.fork().execute<NationCounters['open']>(
        `select k.province_code as province, sum(o.open) filter (where o.due_date < ?)::int as overdue, sum(o.open) filter (where o.due_date >= ? and o.due_date <= ?)::int as soon
         from open_deadline_counter o join campaign k on k.id = o.campaign_id where ${byCampaign} and o.open <> 0 group by 1`,
        [today, today, inAWeek, ids],
      ),
      em
        .fork()
        .execute<StageDayRow[]>(
          `select d.day::text as day, d.stage, sum(d.reached)::int as n from stage_counter_daily d join campaign k on k.id = d.campaign_id where ${byCampaign} and d.stage >= 2 group by 1, 2 order by 1`,
          [ids],
        ),
    ]);
    return { steps, stages, open, history };
  }

  /**
   * Copies the stage counters of running campaigns into `stage_counter_daily` as the counts of
   * `day` (the last copy of a day stands for it); how many rows were written.
   */
  async copyStageCountersForDay(day: string): Promise<number> {
    const rows = await this.em.fork().execute<{ n: number }[]>(
      `with copied as (
       insert into stage_counter_daily (campaign_id, commune_code, stage, day, reached)
       select s.campaign_id, s.commune_code, s.stage, ?::date, s.reached from stage_counter s join campaign k on k.id = s.campaign_id where k.status = 'running'
       on conflict (campaign_id, day, commune_code, stage) do update set reached = excluded.reached
       returning 1)
     select count(*)::int as n from copied`,
      [day],
    );
    return rows[0]?.n ?? 0;
  }
}
