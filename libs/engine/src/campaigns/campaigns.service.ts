import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, ChangeWindowBody, StartCampaignBody } from '@rasoat/contracts';
import { Campaign } from '@rasoat/persistence';
import { stageOf, startCase } from '@rasoat/workflow-core';
import { assertInScope, AuthErrorCode, AuthException, isNational } from '../auth';
import { DeadlineRecomputeService, DeadlineScheduler, TimersProducer } from '../deadlines';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { UnitsService } from '../units';
import { CampaignConflictException, CampaignInvalidException, CampaignNotFoundException } from './campaigns.exception';

export interface CampaignStarted {
  campaign: Campaign;
  casesCreated: number;
}

/**
 * Campaigns: a province's review for a year on one pinned definition version. Starting one
 * creates a case per village of the province, in bulk; starting it again creates only the
 * cases still missing (e.g. villages added since), so it is idempotent.
 */
@Injectable()
export class CampaignsService {
  private readonly logger = new Logger(CampaignsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly units: UnitsService,
    private readonly deadlines: DeadlineScheduler,
    private readonly timers: TimersProducer,
    private readonly recompute: DeadlineRecomputeService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async start(body: StartCampaignBody, actor: Actor): Promise<CampaignStarted> {
    const province = await this.units.get(body.provinceCode);
    if (province.level !== 'province') throw new CampaignInvalidException('provinceCode', `"${body.provinceCode}" is a ${province.level}, not a province`);
    assertInScope(actor, province.path, `tỉnh ${body.provinceCode}`);
    const compiled = await this.registry.get(body.definitionKey);
    const { definition } = compiled;
    const window = campaignWindow(body, definition.window);
    if (!window) throw new CampaignInvalidException('windowStart', `${body.definitionKey} declares no default window: give windowStart and windowEnd`);
    if (definition.province && definition.province !== province.code) {
      throw new CampaignInvalidException('definitionKey', `${body.definitionKey} belongs to province ${definition.province}, not ${province.code}`);
    }
    if (definition.effectiveFrom && window.start < definition.effectiveFrom) {
      throw new CampaignInvalidException('definitionKey', `${body.definitionKey} takes effect on ${definition.effectiveFrom}, after the window starts (${window.start})`);
    }
    if (await this.registry.isRetired(body.definitionKey)) {
      throw new CampaignInvalidException('definitionKey', `${body.definitionKey} was rolled back: start new campaigns on the current version`);
    }
    const now = this.clock.now();
    const initial = startCase(compiled, now, { campaignStart: `${window.start}T00:00:00+07:00` });
    const arm = initial.effects.flatMap((e) => (e.kind === 'deadline.arm' ? [e] : []));
    // Every case starts at the same instant on the same step: one plan serves them all.
    const planned = arm.map((e) => ({ effect: e, plan: this.deadlines.plan({ step: e.step, spec: e.deadline, milestones: initial.snapshot.context.milestones, window, provinceCode: province.code, now }) }));

    const result = await this.em.fork().transactional(async (tx) => {
      await tx.execute(
        `insert into campaign (id, province_code, year, definition_id, definition_key, window_start, window_end, status, case_count, created_at, created_by)
         values (?, ?, ?, ?, ?, ?, ?, 'running', 0, ?, ?) on conflict (province_code, year, definition_id) do nothing`,
        [randomUUID(), province.code, body.year, compiled.definition.id, body.definitionKey, window.start, window.end, now, actor.sub],
        'run',
      );
      const campaign = await tx.findOneOrFail(Campaign, { provinceCode: province.code, year: body.year, definitionId: compiled.definition.id });
      if (campaign.definitionKey !== body.definitionKey || campaign.windowStart !== window.start || campaign.windowEnd !== window.end) {
        throw new CampaignConflictException(`Đợt rà soát ${province.code}/${body.year} đã tồn tại với thông số khác / the campaign exists with other settings`, {
          campaignId: campaign.id,
          definitionKey: campaign.definitionKey,
          windowStart: campaign.windowStart,
          windowEnd: campaign.windowEnd,
        });
      }
      const created = await tx.execute<{ id: string; commune_code: string }[]>(
        `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
         select gen_random_uuid(), ?, u.code, u.parent_code, u.path, ?, ?, 'active', ?, ?::jsonb, 0, 0, ?, ?
         from admin_unit u where u.level = 'village' and u.path like ?
         order by u.code
         on conflict (campaign_id, village_code) do nothing
         returning id, commune_code`,
        [campaign.id, body.definitionKey, initial.to, stageOf(compiled, initial.to), JSON.stringify(initial.snapshot), now, now, `${province.path}%`],
      );
      if (created.length === 0) return { campaign, casesCreated: 0 };
      const ids = created.map((c) => c.id);
      await tx.execute(
        `insert into case_history (case_id, at, kind, actor, to_step, details)
         select id::uuid, ?, 'started', ?::jsonb, ?, ?::jsonb from jsonb_array_elements_text(?::jsonb) as id`,
        [now, JSON.stringify(actor), initial.to, JSON.stringify({ campaignId: campaign.id, definitionKey: body.definitionKey }), JSON.stringify(ids)],
        'run',
      );
      for (const { effect, plan } of planned) {
        await tx.execute(
          `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, alarms, next_alarm, next_alarm_at, calendar_version)
           select gen_random_uuid(), case_id::uuid, ?, ?, ?, ?::jsonb, 'armed', ?, ?::jsonb, 0, ?, ? from jsonb_array_elements_text(?::jsonb) as case_id`,
          [effect.step, plan.dueDate, plan.dueAt, JSON.stringify(effect.deadline), now, JSON.stringify(plan.alarms), plan.firstAlarmAt, this.deadlines.calendarVersion, JSON.stringify(ids)],
          'run',
        );
      }
      await tx.execute(
        `insert into progress_counter (campaign_id, commune_code, step, current)
         select ?, commune_code, ?, count(*) from jsonb_to_recordset(?::jsonb) as t(commune_code text) group by commune_code
         on conflict (campaign_id, commune_code, step) do update set current = progress_counter.current + excluded.current`,
        [campaign.id, initial.to, JSON.stringify(created.map((c) => ({ commune_code: c.commune_code })))],
        'run',
      );
      const stage = stageOf(compiled, initial.to);
      if (stage > 0) {
        await tx.execute(
          `insert into stage_counter (campaign_id, commune_code, stage, reached)
           select ?, commune_code, s, count(*) from jsonb_to_recordset(?::jsonb) as t(commune_code text), generate_series(1, ?::int) s group by commune_code, s
           on conflict (campaign_id, commune_code, stage) do update set reached = stage_counter.reached + excluded.reached`,
          [campaign.id, JSON.stringify(created.map((c) => ({ commune_code: c.commune_code }))), stage],
          'run',
        );
      }
      await tx.execute('update campaign set case_count = case_count + ? where id = ?', [created.length, campaign.id], 'run');
      campaign.caseCount += created.length;
      return { campaign, casesCreated: created.length };
    });
    if (result.casesCreated > 0) await this.timers.wakeAt(planned.flatMap((p) => (p.plan.firstAlarmAt ? [p.plan.firstAlarmAt] : [])), now);
    if (result.casesCreated > 0) this.logger.log(`campaign ${result.campaign.id}: ${result.casesCreated} cases created in province ${province.code}`);
    return result;
  }

  /** Moves a running campaign's window; deadlines that depend on it are recomputed, with history. */
  async changeWindow(id: string, body: ChangeWindowBody, actor: Actor): Promise<{ campaign: Campaign; recomputed: number; moved: number }> {
    const campaign = await this.get(id, actor);
    const province = await this.units.get(campaign.provinceCode);
    assertInScope(actor, province.path, `tỉnh ${campaign.provinceCode}`);
    await this.em.fork().execute('update campaign set window_start = ?, window_end = ? where id = ?', [body.windowStart, body.windowEnd, id], 'run');
    const run = await this.recompute.recomputeCampaign(id, `thời gian rà soát đổi thành ${body.windowStart} – ${body.windowEnd}: ${body.reason}`);
    this.logger.log(`campaign ${id}: window ${body.windowStart} – ${body.windowEnd} by ${actor.sub}; ${run.moved} deadlines moved`);
    return { campaign: { ...campaign, windowStart: body.windowStart, windowEnd: body.windowEnd } as Campaign, recomputed: run.checked, moved: run.moved };
  }

  async get(id: string, actor: Actor): Promise<Campaign> {
    const campaign = await this.em.fork().findOne(Campaign, { id });
    if (!campaign) throw new CampaignNotFoundException(id);
    // Everyone working inside the province may see its campaign (their cases are in it).
    const actorProvince = isNational(actor) ? campaign.provinceCode : (await this.units.get(actor.unit)).provinceCode;
    if (actorProvince !== campaign.provinceCode) {
      throw new AuthException('forbidden', AuthErrorCode.OutOfScope, `Đợt rà soát ${id} thuộc tỉnh khác / the campaign belongs to another province`);
    }
    return campaign;
  }

  /** Campaigns of the provinces the actor belongs to (all of them for a national admin). */
  async list(actor: Actor): Promise<Campaign[]> {
    const em = this.em.fork();
    if (isNational(actor)) return em.find(Campaign, {}, { orderBy: { year: 'desc', provinceCode: 'asc' } });
    const unit = await this.units.get(actor.unit);
    return em.find(Campaign, { provinceCode: unit.provinceCode }, { orderBy: { year: 'desc' } });
  }
}

/** The campaign's window: as given, or the definition's (recurring `MM-DD` dates placed in the campaign's year). */
export function campaignWindow(body: Pick<StartCampaignBody, 'year' | 'windowStart' | 'windowEnd'>, declared?: { start: string; end: string }): { start: string; end: string } | undefined {
  if (body.windowStart && body.windowEnd) return { start: body.windowStart, end: body.windowEnd };
  if (!declared) return undefined;
  const start = declared.start.length === 10 ? declared.start : `${body.year}-${declared.start}`;
  let end = declared.end.length === 10 ? declared.end : `${body.year}-${declared.end}`;
  if (end < start && declared.end.length === 5) end = `${body.year + 1}-${declared.end}`;
  return { start, end };
}
