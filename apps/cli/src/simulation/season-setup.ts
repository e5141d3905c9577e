import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR, type Actor } from '@rasoat/contracts';
import {
  CampaignsService,
  DeadlineCalculator,
  DefinitionRegistry,
  SubscriptionsService,
  UnitsService,
} from '@rasoat/engine';
import type { SeasonEngine } from '@rasoat/season';
import { surveyProfile } from '@rasoat/season';
import {
  assignPaces,
  at,
  deriveSeed,
  PACES,
  plusDays,
  seasonWindow,
  VillageAgent,
  type Pace,
} from '@rasoat/season-model';
import { stepIndex, vi, type Definition } from '@rasoat/workflow-core';
import { generatedProvince, simulatedProvince, type SimulatedProvince } from './province';

/** What to simulate. */
export interface SeasonScope {
  /** Province code; default: the definition's province, else the demo province of config/defaults.yaml. */
  provinceCode?: string;
  /** Only the first N villages of the demo province. */
  villages?: number;
  /**
   * Several provinces at once instead of the demo province (`provinceCode` and `villages` are
   * then ignored): each a generated two-level province (communes directly under it, 24 villages
   * to a commune) with its own campaign, all on the same definition and the same virtual days.
   */
  provinces?: readonly { code: string; villages: number }[];
  seed: number;
  definitionKey: string;
  /** Campaign year; default: the year of the definition's own window, else the demo year (2026). */
  year?: number;
  /** Virtual days simulated after the window end (overdue notices, escalations). */
  daysAfterWindow: number;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

export interface StageInfo {
  stage: number;
  label: string;
}

export interface SeasonHeader {
  /** The province, or with `SeasonScope.provinces` their sum under the code VN. */
  province: { code: string; name: string; districts: number; communes: number; villages: number };
  /** With `SeasonScope.provinces`: each province's code and villages. */
  provinces?: { code: string; villages: number }[];
  definition: { key: string; title: string };
  seed: number;
  window: { start: string; end: string };
  until: string;
  paces: Record<Pace, number>;
  stages: StageInfo[];
  subscriptions: number;
}

export interface SeasonCampaign {
  provinceCode: string;
  campaignId: string;
  villages: number;
}

/** A season ready to play: its header, one campaign per province, one agent per village. */
export interface PreparedSeason {
  header: SeasonHeader;
  campaigns: SeasonCampaign[];
  agents: VillageAgent[];
}

/** The simulator acts as a national admin where the engine asks for an actor (subscriptions, progress). */
export const NATIONAL: Actor = { sub: 'simulation', role: 'national_admin', unit: 'VN' };

/**
 * Seeds the provinces, subscribes their committees to the digests (by webhook to `receiverUrl`),
 * starts one campaign per province and creates the villages' agents, each observing its case at
 * the first step. Sets the clock to 06:00 on the window's first day.
 */
export async function prepareSeason(
  { app, config, clock }: SeasonEngine,
  scope: SeasonScope,
  receiverUrl: string,
): Promise<PreparedSeason> {
  const compiled = await app.get(DefinitionRegistry).get(scope.definitionKey);
  const definition = compiled.definition;
  const window = seasonWindow(definition, scope.year ?? null, config.demo.year);
  const several = scope.provinces !== undefined;
  const provinces: SimulatedProvince[] = several
    ? (scope.provinces ?? []).map((p) => generatedProvince(p.code, p.villages))
    : [simulatedProvince(scope.provinceCode ?? definition.province ?? config.demo.provinceCode, scope.villages)];
  const codes = provinces.map((p) => p.code);
  const duplicate = codes.find((c, i) => codes.indexOf(c) !== i);
  if (duplicate !== undefined) throw new Error(`province ${duplicate} is listed twice`);
  if (provinces.length === 0 || provinces.some((p) => p.villages.length === 0))
    throw new Error('the province has no village to simulate');

  clock.set(at(window.start, '06:00:00'));
  const steps = stepIndex(definition);
  const subscriptions = app.get(SubscriptionsService);
  const campaigns: SeasonCampaign[] = [];
  const agents: VillageAgent[] = [];
  const paces: Pace[] = [];
  let subscribed = 0;
  for (const province of provinces) {
    await app.get(UnitsService).upsertTree(province.units);
    // Every steering committee (province, districts, communes) gets the daily digest by webhook;
    // a local receiver stands for their systems. Village boards are not subscribed: their
    // reminders stay in their inbox.
    const committee = {
      province: 'province_committee',
      district: 'district_committee',
      commune: 'commune_committee',
    } as const;
    const recipients = province.units.flatMap((u) =>
      u.level in committee ? [{ unitCode: u.code, role: committee[u.level as keyof typeof committee] }] : [],
    );
    for (const r of recipients)
      await subscriptions.create(NATIONAL, {
        ...r,
        channel: 'webhook',
        address: `${receiverUrl}/${r.unitCode}`,
        secret: `simulation-webhook-secret-${r.unitCode}`,
      });
    subscribed += recipients.length;

    const { campaign } = await app.get(CampaignsService).start(
      {
        provinceCode: province.code,
        year: window.year,
        definitionKey: scope.definitionKey,
        windowStart: window.start,
        windowEnd: window.end,
      },
      SYSTEM_ACTOR,
    );
    const cases = await app
      .get(EntityManager)
      .fork()
      .execute<{ id: string; village_code: string }[]>(
        'select id, village_code from review_case where campaign_id = ?',
        [campaign.id],
      );
    const caseOf = new Map(cases.map((c) => [c.village_code, c.id]));
    const calendar = app.get(DeadlineCalculator).calendarFor(province.code);
    // One province: the paces of the original single-province season; several: each province its own draw.
    const provincePaces = assignPaces(
      province.villages.length,
      several ? deriveSeed(scope.seed, `province:${province.code}`) : scope.seed,
    );
    // The campaign's standard: the villages keep household lists, and work on them where the definition's guards read them.
    const survey = await surveyProfile(app, campaign.id);
    const ctx = { definition, steps, calendar, year: window.year, ...(survey ? { survey } : {}) };
    province.villages.forEach((v, i) =>
      agents.push(new VillageAgent(v, caseOf.get(v.code) as string, provincePaces[i], scope.seed, ctx)),
    );
    paces.push(...provincePaces);
    campaigns.push({ provinceCode: province.code, campaignId: campaign.id, villages: province.villages.length });
    if (several)
      scope.log(
        `province ${province.code}: ${province.villages.length} villages, ${province.communes} communes, campaign started`,
      );
  }
  const paceCounts = Object.fromEntries(PACES.map((p) => [p, paces.filter((x) => x === p).length])) as Record<
    Pace,
    number
  >;
  const sum = (f: (p: SimulatedProvince) => number) => provinces.reduce((a, p) => a + f(p), 0);
  const only = provinces[0];

  const header: SeasonHeader = {
    province: several
      ? {
          code: 'VN',
          name: `${provinces.length} tỉnh / provinces (mô phỏng / simulated)`,
          districts: sum((p) => p.districts),
          communes: sum((p) => p.communes),
          villages: sum((p) => p.villages.length),
        }
      : {
          code: only.code,
          name: only.name,
          districts: only.districts,
          communes: only.communes,
          villages: only.villages.length,
        },
    ...(several ? { provinces: provinces.map((p) => ({ code: p.code, villages: p.villages.length })) } : {}),
    definition: { key: scope.definitionKey, title: vi(definition.title) },
    seed: scope.seed,
    window: { start: window.start, end: window.end },
    until: plusDays(window.end, scope.daysAfterWindow),
    paces: paceCounts,
    stages: stagesOf(definition),
    subscriptions: subscribed,
  };
  for (const agent of agents) agent.observe([compiled.definition.initial], window.start, new Set());
  return { header, campaigns, agents };
}

/** The definition's stages (legal step numbers) with the label of their first step. */
export function stagesOf(definition: Definition): StageInfo[] {
  const byStage = new Map<number, string>();
  for (const { step } of stepIndex(definition).values())
    if (step.stage && !byStage.has(step.stage)) byStage.set(step.stage, vi(step.label));
  return [...byStage.entries()].sort((a, b) => a[0] - b[0]).map(([stage, label]) => ({ stage, label }));
}
