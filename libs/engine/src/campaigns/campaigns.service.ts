import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Actor, ChangeWindowBody, StartCampaignBody } from '@rasoat/contracts';
import type { Campaign } from '@rasoat/persistence';
import { PovertyRulesError, PovertyRulesErrorCode } from '@rasoat/poverty-rules';
import { dmy } from '@rasoat/calendar';
import {
  effectivePeriodPosition,
  stageOf,
  startCase,
  type CompiledDefinition,
  type Definition,
} from '@rasoat/workflow-core';
import { assertInScope, AuthErrorCode, AuthException, isNational } from '../auth';
import { DeadlineRecomputeService, DeadlineScheduler, TimersProducer } from '../deadlines';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { PovertyStandards } from '../standards';
import { UnitsService } from '../units';
import { CampaignRepository, type RecordedStandard } from './campaign.repository';
import { CampaignConflictException, CampaignInvalidException, CampaignNotFoundException } from './campaigns.exception';

export interface CampaignStarted {
  campaign: Campaign;
  casesCreated: number;
}

/**
 * Campaigns: a province's review for a year on one pinned definition version. Starting one
 * creates a case per village of the province, in bulk; starting it again creates only the
 * cases still missing (e.g. villages added since), so it is idempotent. A campaign records the
 * poverty standard its households are classified with and why: the rule set in force for the
 * year its lists apply (`PovertyStandards.choose`).
 */
@Injectable()
export class CampaignsService {
  private readonly logger = new Logger(CampaignsService.name);

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly registry: DefinitionRegistry,
    private readonly units: UnitsService,
    private readonly deadlines: DeadlineScheduler,
    private readonly timers: TimersProducer,
    private readonly recompute: DeadlineRecomputeService,
    private readonly standards: PovertyStandards,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async start(body: StartCampaignBody, actor: Actor): Promise<CampaignStarted> {
    const province = await this.units.get(body.provinceCode);
    if (province.level !== 'province')
      throw new CampaignInvalidException(
        'provinceCode',
        `"${body.provinceCode}" is a ${province.level}, not a province`,
      );
    assertInScope(actor, province.path, `tỉnh ${body.provinceCode}`);
    const {
      key: definitionKey,
      compiled,
      window,
    } = body.definitionKey.includes('@')
      ? await this.pinned(body, body.definitionKey, province.code)
      : await this.inEffect(body, body.definitionKey, province.code);
    const standard = await this.chooseStandard(compiled, body.year, province.code);
    const now = this.clock.now();
    const initial = startCase(compiled, now, { campaignStart: `${window.start}T00:00:00+07:00` });
    const arm = initial.effects.flatMap((e) => (e.kind === 'deadline.arm' ? [e] : []));
    // Every case starts at the same instant on the same step: one plan serves them all.
    const planned = arm.map((e) => ({
      effect: e,
      plan: this.deadlines.plan({
        step: e.step,
        spec: e.deadline,
        milestones: initial.snapshot.context.milestones,
        window,
        provinceCode: province.code,
        now,
      }),
    }));

    const result = await this.campaigns.transaction(async (tx) => {
      await tx.insertIfAbsent({
        id: randomUUID(),
        provinceCode: province.code,
        year: body.year,
        definitionId: compiled.definition.id,
        definitionKey: definitionKey,
        windowStart: window.start,
        windowEnd: window.end,
        createdAt: now,
        createdBy: actor.sub,
        standard,
      });
      const campaign = await tx.findByProvinceYearDefinition(province.code, body.year, compiled.definition.id);
      // A campaign started before campaigns recorded their standard records it now; a recorded one is kept.
      if (!campaign.ruleSetPeriod && (await tx.recordStandard(campaign.id, standard)))
        Object.assign(campaign, standard);
      if (
        campaign.definitionKey !== definitionKey ||
        campaign.windowStart !== window.start ||
        campaign.windowEnd !== window.end
      ) {
        throw new CampaignConflictException(
          `Đợt rà soát ${province.code}/${body.year} đã tồn tại với thông số khác / the campaign exists with other settings`,
          {
            campaignId: campaign.id,
            definitionKey: campaign.definitionKey,
            windowStart: campaign.windowStart,
            windowEnd: campaign.windowEnd,
          },
        );
      }
      const created = await tx.createCases(campaign.id, province.path, {
        definitionKey: definitionKey,
        step: initial.to,
        stage: stageOf(compiled, initial.to),
        snapshot: initial.snapshot,
        now,
      });
      if (created.length === 0) return { campaign, casesCreated: 0 };
      const ids = created.map((c) => c.id);
      await tx.recordStarted(ids, now, actor, initial.to, {
        campaignId: campaign.id,
        definitionKey: definitionKey,
      });
      for (const { effect, plan } of planned)
        await tx.armDeadlines(ids, effect.step, effect.deadline, plan, now, this.deadlines.calendarVersion);
      const communes = created.map((c) => c.commune_code);
      await tx.countInStep(campaign.id, initial.to, communes);
      const stage = stageOf(compiled, initial.to);
      if (stage > 0) await tx.countStagesReached(campaign.id, communes, stage);
      await tx.addToCaseCount(campaign.id, created.length);
      campaign.caseCount += created.length;
      return { campaign, casesCreated: created.length };
    });
    if (result.casesCreated > 0)
      await this.timers.wakeAt(
        planned.flatMap((p) => (p.plan.firstAlarmAt ? [p.plan.firstAlarmAt] : [])),
        now,
      );
    if (result.casesCreated > 0)
      this.logger.log(
        `campaign ${result.campaign.id}: ${result.casesCreated} cases created in province ${province.code}`,
      );
    return result;
  }

  /**
   * The version named by its key, if a campaign starting on its window may pin it: a version of
   * this province (or a national one), in effect on the window's start, not rolled back.
   */
  private async pinned(body: StartCampaignBody, key: string, provinceCode: string): Promise<PinnedVersion> {
    const compiled = await this.registry.get(key);
    const { definition } = compiled;
    const window = campaignWindow(body, definition.window);
    if (!window)
      throw new CampaignInvalidException(
        'windowStart',
        `${key} không có thời gian rà soát mặc định: hãy nhập windowStart và windowEnd / ${key} declares no default window: give windowStart and windowEnd`,
      );
    if (definition.province && definition.province !== provinceCode) {
      throw new CampaignInvalidException(
        'definitionKey',
        `${key} là quy trình của tỉnh ${definition.province}, không phải của tỉnh ${provinceCode} / ${key} belongs to province ${definition.province}, not ${provinceCode}`,
      );
    }
    // A campaign already running on the version may be started again (villages added since):
    // the period only refuses new campaigns.
    const outside = outsidePeriod(key, definition, window.start);
    if (outside && !(await this.alreadyPinned(provinceCode, body.year, key)))
      throw new CampaignInvalidException('definitionKey', outside);
    if (await this.registry.isRetired(key)) {
      throw new CampaignInvalidException(
        'definitionKey',
        `${key} đã bị thu hồi: hãy dùng phiên bản hiện hành / ${key} was rolled back: start new campaigns on the current version`,
      );
    }
    return { key, compiled, window };
  }

  /** True when the province's campaign of that year and process is already pinned to `key`. */
  private async alreadyPinned(provinceCode: string, year: number, key: string): Promise<boolean> {
    return (await this.campaigns.listInProvince(provinceCode)).some((c) => c.year === year && c.definitionKey === key);
  }

  /**
   * The process named without a version: its newest version not rolled back, of this province
   * or national, whose effective period contains the start of the campaign's window (the window
   * given, or each version's default one).
   */
  private async inEffect(body: StartCampaignBody, definitionId: string, provinceCode: string): Promise<PinnedVersion> {
    const keys = await this.registry.liveKeys(definitionId);
    if (keys.length === 0)
      throw new CampaignInvalidException(
        'definitionKey',
        `Không có quy trình "${definitionId}" / no published version of "${definitionId}"`,
      );
    const passed: string[] = [];
    for (const key of keys) {
      const compiled = await this.registry.get(key);
      const { definition } = compiled;
      const window = campaignWindow(body, definition.window);
      if (!window) {
        passed.push(`${key}: không có thời gian rà soát mặc định / no default window`);
        continue;
      }
      if (definition.province && definition.province !== provinceCode) {
        passed.push(`${key}: của tỉnh ${definition.province} / of province ${definition.province}`);
        continue;
      }
      const outside = outsidePeriod(key, definition, window.start);
      if (!outside) return { key, compiled, window };
      passed.push(outside);
    }
    throw new CampaignInvalidException(
      'definitionKey',
      `Không có phiên bản nào của "${definitionId}" dùng được cho đợt rà soát này / no version of "${definitionId}" can be pinned by this campaign: ${passed.join('; ')}`,
    );
  }

  /**
   * Records the standard of every campaign that has none (started before campaigns recorded it),
   * as a new campaign would choose it; one that cannot be chosen (its process or year not covered
   * by `config/poverty-rules/`) is logged and left without: its households cannot be classified
   * until the rule files cover it. Run by every process at start.
   */
  async recordMissingStandards(): Promise<{ recorded: number; failed: number }> {
    let recorded = 0;
    let failed = 0;
    for (const campaign of await this.campaigns.withoutStandard()) {
      try {
        const compiled = await this.registry.get(campaign.definitionKey);
        const standard = await this.chooseStandard(compiled, campaign.year, campaign.provinceCode);
        if (await this.campaigns.recordStandard(campaign.id, standard)) recorded++;
        this.logger.log(`campaign ${campaign.id}: ${standard.ruleSetReason.en}`);
      } catch (error) {
        if (!(error instanceof CampaignInvalidException)) throw error;
        failed++;
        this.logger.warn(`campaign ${campaign.id} records no poverty standard: ${error.message}`);
      }
    }
    return { recorded, failed };
  }

  /**
   * The standard a campaign of `compiled` in `year` uses, and why. The process kind is the first
   * id along the definition's `extends` chain (itself, then what it extends, to the national
   * root) that `config/poverty-rules/lists-year.yaml` lists. 400 naming `definitionKey` when no
   * id of the chain is listed, `year` when no rule set is in force for the year the lists apply.
   */
  private async chooseStandard(
    compiled: CompiledDefinition,
    year: number,
    provinceCode: string,
  ): Promise<RecordedStandard> {
    const known = new Set(this.standards.rules.processKinds());
    const chain = [compiled.definition.id];
    let current = compiled;
    // An overlay chain is short (province → national); the bound guards against a cycle in published data.
    for (let depth = 0; current.definition.extends !== undefined && depth < 10; depth++) {
      current = await this.registry.get(current.definition.extends);
      chain.push(current.definition.id);
    }
    const kind = chain.find((id) => known.has(id)) ?? chain[chain.length - 1];
    try {
      const choice = this.standards.choose(kind, year, provinceCode);
      return { listsYear: choice.listsYear, ruleSetPeriod: choice.period, ruleSetReason: choice.reason };
    } catch (error) {
      if (!(error instanceof PovertyRulesError)) throw error;
      throw new CampaignInvalidException(
        error.code === PovertyRulesErrorCode.UnknownProcess ? 'definitionKey' : 'year',
        error.message,
      );
    }
  }

  /** Moves a running campaign's window; deadlines that depend on it are recomputed, with history. */
  async changeWindow(
    id: string,
    body: ChangeWindowBody,
    actor: Actor,
  ): Promise<{ campaign: Campaign; recomputed: number; moved: number }> {
    const campaign = await this.get(id, actor);
    const province = await this.units.get(campaign.provinceCode);
    assertInScope(actor, province.path, `tỉnh ${campaign.provinceCode}`);
    await this.campaigns.setWindow(id, body.windowStart, body.windowEnd);
    const run = await this.recompute.recomputeCampaign(
      id,
      `thời gian rà soát đổi thành ${body.windowStart} – ${body.windowEnd}: ${body.reason}`,
    );
    this.logger.log(
      `campaign ${id}: window ${body.windowStart} – ${body.windowEnd} by ${actor.sub}; ${run.moved} deadlines moved`,
    );
    return {
      campaign: { ...campaign, windowStart: body.windowStart, windowEnd: body.windowEnd } as Campaign,
      recomputed: run.checked,
      moved: run.moved,
    };
  }

  async get(id: string, actor: Actor): Promise<Campaign> {
    const campaign = await this.campaigns.findById(id);
    if (!campaign) throw new CampaignNotFoundException(id);
    // Everyone working inside the province may see its campaign (their cases are in it).
    const actorProvince = isNational(actor) ? campaign.provinceCode : (await this.units.get(actor.unit)).provinceCode;
    if (actorProvince !== campaign.provinceCode) {
      throw new AuthException(
        'forbidden',
        AuthErrorCode.OutOfScope,
        `Đợt rà soát ${id} thuộc tỉnh khác / the campaign belongs to another province`,
      );
    }
    return campaign;
  }

  /** Campaigns of the provinces the actor belongs to (all of them for a national admin). */
  async list(actor: Actor): Promise<Campaign[]> {
    if (isNational(actor)) return this.campaigns.listAll();
    const unit = await this.units.get(actor.unit);
    return this.campaigns.listInProvince(unit.provinceCode);
  }
}

interface PinnedVersion {
  key: string;
  compiled: CompiledDefinition;
  window: { start: string; end: string };
}

/**
 * Why a campaign starting on `start` cannot pin `key` (Vietnamese, then English): it starts before
 * the version takes effect or after its last day. Null when the start is inside its period.
 */
export function outsidePeriod(
  key: string,
  definition: Pick<Definition, 'effectiveFrom' | 'effectiveTo'>,
  start: string,
): string | null {
  switch (effectivePeriodPosition(definition, start)) {
    case 'before':
      return `${key} có hiệu lực từ ngày ${dmy(definition.effectiveFrom as string)}, sau ngày bắt đầu đợt rà soát (${dmy(start)}) / ${key} takes effect on ${definition.effectiveFrom}, after the window starts (${start})`;
    case 'after':
      return `${key} chỉ áp dụng cho đợt rà soát bắt đầu đến hết ngày ${dmy(definition.effectiveTo as string)}; đợt này bắt đầu ngày ${dmy(start)} / ${key} applies to campaigns starting on or before ${definition.effectiveTo}; this one starts on ${start}`;
    case 'in':
      return null;
  }
}

/** The campaign's window: as given, or the definition's (recurring `MM-DD` dates placed in the campaign's year). */
export function campaignWindow(
  body: Pick<StartCampaignBody, 'year' | 'windowStart' | 'windowEnd'>,
  declared?: { start: string; end: string },
): { start: string; end: string } | undefined {
  if (body.windowStart && body.windowEnd) return { start: body.windowStart, end: body.windowEnd };
  if (!declared) return undefined;
  const start = declared.start.length === 10 ? declared.start : `${body.year}-${declared.start}`;
  let end = declared.end.length === 10 ? declared.end : `${body.year}-${declared.end}`;
  if (end < start && declared.end.length === 5) end = `${body.year + 1}-${declared.end}`;
  return { start, end };
}
