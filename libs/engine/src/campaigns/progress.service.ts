import { Inject, Injectable } from '@nestjs/common';
import { civilDateOf } from '@rasoat/calendar';
import type { Actor } from '@rasoat/contracts';
import { stepsInProcedureOrder, vi } from '@rasoat/workflow-core';
import { assertInScope, NATION } from '../auth';
import { CampaignsService } from './campaigns.service';
import { CampaignNotFoundException } from './campaigns.exception';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { UnitsService } from '../units';
import { ProgressRepository } from './progress.repository';

interface UnitProgress {
  code: string;
  name: string;
  level: string;
  /** The official unit type (Phường, Xã, Đặc khu, Thôn, Tổ dân phố…) when the unit has one. */
  unitType?: string;
  cases: number;
  /** Cases currently in each step. */
  byStep: Record<string, number>;
  /** Cases that finished each procedure stage (reached a later one or completed). */
  finishedStage: Record<string, number>;
  /** Deadlines past their due date and not met. */
  overdue: number;
  /** Deadlines due today or within the next 7 days. */
  dueWithin7Days: number;
}

/**
 * Progress per unit, read from the counters the engine keeps in the same transaction as
 * each transition: a sum over the unit's communes, never a count over cases.
 */
@Injectable()
export class ProgressService {
  constructor(
    private readonly progress: ProgressRepository,
    private readonly units: UnitsService,
    private readonly campaigns: CampaignsService,
    private readonly registry: DefinitionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async forUnit(unitCode: string, campaignId: string, actor: Actor) {
    const { unit, children } = await this.units.getWithChildren(unitCode, actor);
    assertInScope(actor, unit.path, `đơn vị ${unitCode}`);
    const campaign = await this.campaigns.get(campaignId, actor);
    const compiled = await this.registry.get(campaign.definitionKey);
    const groups = unit.level === 'commune' ? [] : children;
    const bucket = (path: string) => groups.find((c) => path.startsWith(`${c.path}`))?.code ?? unit.code;

    const steps = await this.progress.stepCounts(campaignId, unit.path);
    const stages = await this.progress.stageCounts(campaignId, unit.path);
    const today = civilDateOf(this.clock.now());
    const inAWeek = civilDateOf(new Date(this.clock.now().getTime() + 7 * 86_400_000));
    const open = await this.progress.openDeadlines(campaignId, unit.path, today, inAWeek);
    const history = await this.progress.stageHistory(campaignId, unit.path);
    const empty = (u: { code: string; name: string; level: string; unitType?: string | null }): UnitProgress => ({
      code: u.code,
      name: u.name,
      level: u.level,
      unitType: u.unitType ?? undefined,
      cases: 0,
      byStep: {},
      finishedStage: {},
      overdue: 0,
      dueWithin7Days: 0,
    });
    const total = empty(unit);
    const perChild = new Map(groups.map((c) => [c.code, empty(c)]));
    for (const r of steps) {
      for (const p of [total, perChild.get(bucket(r.path))]) {
        if (!p) continue;
        p.byStep[r.step] = (p.byStep[r.step] ?? 0) + r.n;
        p.cases += r.n;
      }
    }
    for (const r of stages) {
      if (r.stage < 2) continue;
      for (const p of [total, perChild.get(bucket(r.path))]) {
        if (p) p.finishedStage[r.stage - 1] = (p.finishedStage[r.stage - 1] ?? 0) + r.n;
      }
    }
    for (const r of open) {
      for (const p of [total, perChild.get(bucket(r.path))]) {
        if (!p) continue;
        p.overdue += r.overdue ?? 0;
        p.dueWithin7Days += r.soon ?? 0;
      }
    }
    const season = new Map<string, Record<string, number>>();
    for (const r of history) {
      const day = season.get(r.day) ?? {};
      day[r.stage - 1] = r.n;
      season.set(r.day, day);
    }
    // Villages of a commune: read their cases directly (a handful of rows).
    const villages = unit.level === 'commune' ? await this.progress.villageCases(campaignId, unit.code) : [];
    return {
      unit: { code: unit.code, name: unit.name, level: unit.level, unitType: unit.unitType ?? undefined },
      campaign: { id: campaign.id, year: campaign.year, definitionKey: campaign.definitionKey },
      steps: stepsInProcedureOrder(compiled.definition).map(([id, s]) => ({
        id,
        label: vi(s.label),
        stage: s.stage ?? null,
      })),
      asOf: today,
      totals: total,
      /** Villages that had finished each stage, day by day (from the daily copy of the counters). */
      history: [...season.entries()].map(([day, finishedStage]) => ({ day, finishedStage })),
      children:
        unit.level === 'commune'
          ? villages.map((v) => ({ code: v.code, name: v.name, level: 'village', caseId: v.id, step: v.step }))
          : [...perChild.values()],
    };
  }

  /**
   * The nation: every province's campaign of one process and year summed, a row per province —
   * the same counters grouped by province, four statements whatever the number of villages.
   * National actors only. `process` (a definition id) defaults to the process of the latest
   * campaign, `year` to the latest year with a campaign of the process.
   */
  async forNation(process: string | undefined, year: number | undefined, actor: Actor) {
    assertInScope(actor, `/${NATION}/`, 'tiến độ toàn quốc / national progress');
    if (!process) {
      const latest = await this.progress.latestProcess();
      if (!latest) throw new CampaignNotFoundException('(none)');
      process = latest;
    }
    const campaigns = await this.progress.nationCampaigns(process, year);
    if (campaigns.length === 0) throw new CampaignNotFoundException(`${process}${year ? ` ${year}` : ''}`);
    const today = civilDateOf(this.clock.now());
    const inAWeek = civilDateOf(new Date(this.clock.now().getTime() + 7 * 86_400_000));
    const { steps, stages, open, history } = await this.progress.nationCounters(
      campaigns.map((c) => c.id),
      today,
      inAWeek,
    );
    const empty = (code: string, name: string, level: string): UnitProgress => ({
      code,
      name,
      level,
      cases: 0,
      byStep: {},
      finishedStage: {},
      overdue: 0,
      dueWithin7Days: 0,
    });
    const total = empty(NATION, 'Việt Nam', 'nation');
    const perProvince = new Map(
      campaigns.map((c) => [
        c.province_code,
        { ...empty(c.province_code, c.province_name, 'province'), campaignId: c.id },
      ]),
    );
    for (const r of steps) {
      for (const p of [total, perProvince.get(r.province)]) {
        if (!p) continue;
        p.byStep[r.step] = (p.byStep[r.step] ?? 0) + r.n;
        p.cases += r.n;
      }
    }
    for (const r of stages)
      for (const p of [total, perProvince.get(r.province)])
        if (p) p.finishedStage[r.stage - 1] = (p.finishedStage[r.stage - 1] ?? 0) + r.n;
    for (const r of open) {
      for (const p of [total, perProvince.get(r.province)]) {
        if (!p) continue;
        p.overdue += r.overdue ?? 0;
        p.dueWithin7Days += r.soon ?? 0;
      }
    }
    const season = new Map<string, Record<string, number>>();
    for (const r of history) season.set(r.day, { ...season.get(r.day), [r.stage - 1]: r.n });
    // Provinces may run their own versions (overlays): the steps of every version in use, each once.
    const stepsShown = new Map<string, { id: string; label: string; stage: number | null }>();
    for (const key of new Set(campaigns.map((c) => c.definition_key))) {
      for (const [id, step] of stepsInProcedureOrder((await this.registry.get(key)).definition))
        if (!stepsShown.has(id)) stepsShown.set(id, { id, label: vi(step.label), stage: step.stage ?? null });
    }
    return {
      unit: { code: NATION, name: 'Việt Nam', level: 'nation' },
      process,
      year: campaigns[0].year,
      campaigns: campaigns.map((c) => ({ id: c.id, provinceCode: c.province_code, definitionKey: c.definition_key })),
      steps: [...stepsShown.values()].sort(
        (a, b) => (a.stage ?? Number.MAX_SAFE_INTEGER) - (b.stage ?? Number.MAX_SAFE_INTEGER),
      ),
      asOf: today,
      totals: total,
      history: [...season.entries()].map(([day, finishedStage]) => ({ day, finishedStage })),
      children: [...perProvince.values()],
    };
  }
}
