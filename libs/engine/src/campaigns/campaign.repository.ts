import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import { Campaign } from '@rasoat/persistence';
import type { ArmedDeadline } from '../deadlines';

/** A campaign to insert (`campaign`, status `running`, no cases yet). */
export interface NewCampaignRow {
  id: string;
  provinceCode: string;
  year: number;
  definitionId: string;
  definitionKey: string;
  windowStart: string;
  windowEnd: string;
  createdAt: Date;
  createdBy: string;
  /** The rule set the campaign classifies with, and why (`PovertyStandards.choose`). */
  standard: RecordedStandard;
}

/** What a campaign records about its poverty standard. */
export interface RecordedStandard {
  listsYear: number;
  ruleSetPeriod: string;
  ruleSetReason: { vi: string; en: string };
}

/** A case a campaign start created. */
export interface CreatedCaseRow {
  id: string;
  commune_code: string;
}

/** What every case of a start begins with: the same step, stage and snapshot. */
export interface InitialCase {
  definitionKey: string;
  step: string;
  stage: number;
  snapshot: unknown;
  now: Date;
}

/** The SQL of campaigns (`campaign`) and of the cases, deadlines and counters a start creates in bulk. */
@Injectable()
export class CampaignRepository {
  constructor(private readonly em: EntityManager) {}

  findById(id: string): Promise<Campaign | null> {
    return this.em.fork().findOne(Campaign, { id });
  }

  /** Every campaign, the latest year first, then by province. */
  listAll(): Promise<Campaign[]> {
    return this.em.fork().find(Campaign, {}, { orderBy: { year: 'desc', provinceCode: 'asc' } });
  }

  /** The campaigns of one province, the latest year first. */
  listInProvince(provinceCode: string): Promise<Campaign[]> {
    return this.em.fork().find(Campaign, { provinceCode }, { orderBy: { year: 'desc' } });
  }

  /** Campaigns that have not recorded their poverty standard (started before campaigns did), oldest first. */
  withoutStandard(): Promise<Campaign[]> {
    return this.em.fork().find(Campaign, { ruleSetPeriod: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** Records a campaign's standard unless it has one already; true when written. */
  async recordStandard(id: string, standard: RecordedStandard): Promise<boolean> {
    return (await recordStandard(this.em.fork(), id, standard)) > 0;
  }

  async setWindow(id: string, windowStart: string, windowEnd: string): Promise<void> {
    await this.em
      .fork()
      .execute(
        'update campaign set window_start = ?, window_end = ? where id = ?',
        [windowStart, windowEnd, id],
        'run',
      );
  }

  /** Runs `work` in one transaction; the statements it gets run in that transaction. */
  transaction<T>(work: (tx: CampaignStartStatements) => Promise<T>): Promise<T> {
    return this.em.fork().transactional((tx) => work(new CampaignStartStatements(tx)));
  }
}

/**
 * The statements that start a campaign, inside the transaction of `CampaignRepository.transaction`:
 * set-based, one per table whatever the number of villages.
 */
export class CampaignStartStatements {
  constructor(private readonly tx: EntityManager) {}

  /** Inserts the campaign unless one of the same province, year and definition exists (which is left as it is). */
  async insertIfAbsent(row: NewCampaignRow): Promise<void> {
    await this.tx.execute(
      `insert into campaign (id, province_code, year, definition_id, definition_key, window_start, window_end, status, case_count, created_at, created_by,
           lists_year, rule_set_period, rule_set_reason)
         values (?, ?, ?, ?, ?, ?, ?, 'running', 0, ?, ?, ?, ?, ?::jsonb) on conflict (province_code, year, definition_id) do nothing`,
      [
        row.id,
        row.provinceCode,
        row.year,
        row.definitionId,
        row.definitionKey,
        row.windowStart,
        row.windowEnd,
        row.createdAt,
        row.createdBy,
        row.standard.listsYear,
        row.standard.ruleSetPeriod,
        JSON.stringify(row.standard.ruleSetReason),
      ],
      'run',
    );
  }

  /** Records the standard of a campaign that has none (one started before campaigns recorded it); true when written. */
  async recordStandard(id: string, standard: RecordedStandard): Promise<boolean> {
    return (await recordStandard(this.tx, id, standard)) > 0;
  }

  /** The campaign of a province, year and definition (it must exist). */
  findByProvinceYearDefinition(provinceCode: string, year: number, definitionId: string): Promise<Campaign> {
    return this.tx.findOneOrFail(Campaign, { provinceCode, year, definitionId });
  }

  /**
   * A case for every village in use under `provincePath` that has none in the campaign, by village
   * code; the cases created. A retired village (merged into another) gets none.
   */
  createCases(campaignId: string, provincePath: string, initial: InitialCase): Promise<CreatedCaseRow[]> {
    return this.tx.execute<CreatedCaseRow[]>(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
         select gen_random_uuid(), ?, u.code, u.parent_code, u.path, ?, ?, 'active', ?, ?::jsonb, 0, 0, ?, ?
         from admin_unit u where u.level = 'village' and u.retired_at is null and u.path like ?
         order by u.code
         on conflict (campaign_id, village_code) do nothing
         returning id, commune_code`,
      [
        campaignId,
        initial.definitionKey,
        initial.step,
        initial.stage,
        JSON.stringify(initial.snapshot),
        initial.now,
        initial.now,
        `${provincePath}%`,
      ],
    );
  }

  /** The `started` history entry of each case. */
  async recordStarted(
    caseIds: readonly string[],
    at: Date,
    actor: Actor,
    toStep: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.tx.execute(
      `insert into case_history (case_id, at, kind, actor, to_step, details)
         select id::uuid, ?, 'started', ?::jsonb, ?, ?::jsonb from jsonb_array_elements_text(?::jsonb) as id`,
      [at, JSON.stringify(actor), toStep, JSON.stringify(details), JSON.stringify(caseIds)],
      'run',
    );
  }

  /** One armed deadline of `step` per case, all with the same plan. */
  async armDeadlines(
    caseIds: readonly string[],
    step: string,
    spec: unknown,
    plan: ArmedDeadline,
    armedAt: Date,
    calendarVersion: number,
  ): Promise<void> {
    await this.tx.execute(
      `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, alarms, next_alarm, next_alarm_at, calendar_version)
           select gen_random_uuid(), case_id::uuid, ?, ?, ?, ?::jsonb, 'armed', ?, ?::jsonb, 0, ?, ? from jsonb_array_elements_text(?::jsonb) as case_id`,
      [
        step,
        plan.dueDate,
        plan.dueAt,
        JSON.stringify(spec),
        armedAt,
        JSON.stringify(plan.alarms),
        plan.firstAlarmAt,
        calendarVersion,
        JSON.stringify(caseIds),
      ],
      'run',
    );
  }

  /** Adds the new cases to the progress counters of their communes (one per case and commune given). */
  async countInStep(campaignId: string, step: string, communeCodes: readonly string[]): Promise<void> {
    await this.tx.execute(
      `insert into progress_counter (campaign_id, commune_code, step, current)
         select ?, commune_code, ?, count(*) from jsonb_to_recordset(?::jsonb) as t(commune_code text) group by commune_code
         on conflict (campaign_id, commune_code, step) do update set current = progress_counter.current + excluded.current`,
      [campaignId, step, JSON.stringify(communeCodes.map((code) => ({ commune_code: code })))],
      'run',
    );
  }

  /** Adds the new cases to the stage counters of their communes, for every stage from 1 to `stage`. */
  async countStagesReached(campaignId: string, communeCodes: readonly string[], stage: number): Promise<void> {
    await this.tx.execute(
      `insert into stage_counter (campaign_id, commune_code, stage, reached)
           select ?, commune_code, s, count(*) from jsonb_to_recordset(?::jsonb) as t(commune_code text), generate_series(1, ?::int) s group by commune_code, s
           on conflict (campaign_id, commune_code, stage) do update set reached = stage_counter.reached + excluded.reached`,
      [campaignId, JSON.stringify(communeCodes.map((code) => ({ commune_code: code }))), stage],
      'run',
    );
  }

  async addToCaseCount(campaignId: string, cases: number): Promise<void> {
    await this.tx.execute('update campaign set case_count = case_count + ? where id = ?', [cases, campaignId], 'run');
  }
}

/** The rows updated: a campaign's recorded standard is never overwritten. */
async function recordStandard(em: EntityManager, id: string, standard: RecordedStandard): Promise<number> {
  const rows = await em.execute<{ id: string }[]>(
    `update campaign set lists_year = ?, rule_set_period = ?, rule_set_reason = ?::jsonb where id = ? and rule_set_period is null returning id`,
    [standard.listsYear, standard.ruleSetPeriod, JSON.stringify(standard.ruleSetReason), id],
  );
  return rows.length;
}
