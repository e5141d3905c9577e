import type { INestApplicationContext } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DeadlineCalculator, PovertyStandards, RuleSetUnavailableException } from '@rasoat/engine';
import { VillageAgent, type AgentContext, type Pace, type SurveyProfile, type VillageUnit } from '@rasoat/season-model';
import { stepIndex, type Definition } from '@rasoat/workflow-core';

/**
 * What the season model needs of a campaign's poverty standard (the national rule set the
 * campaign recorded): its indicators and lines. Undefined when the campaign recorded none (the
 * villages then send form events only).
 */
export async function surveyProfile(
  app: INestApplicationContext,
  campaignId: string,
): Promise<SurveyProfile | undefined> {
  const [row] = await app
    .get(EntityManager)
    .fork()
    .execute<{ province_code: string; lists_year: number | null; rule_set_period: string | null }[]>(
      'select province_code, lists_year, rule_set_period from campaign where id = ?',
      [campaignId],
    );
  if (!row) throw new Error(`no campaign ${campaignId}`);
  try {
    const { national } = app.get(PovertyStandards).forCampaign({
      provinceCode: row.province_code,
      listsYear: row.lists_year,
      ruleSetPeriod: row.rule_set_period,
    });
    const lines = (area: 'rural' | 'urban') => {
      const a = national.areas[area];
      return { povertyLine: a.povertyLine, nearPoorLine: a.nearPoorLine, deprivationThreshold: a.deprivationThreshold };
    };
    return {
      indicators: national.indicators.map((i) => i.code),
      areas: { rural: lines('rural'), urban: lines('urban') },
    };
  } catch (error) {
    if (error instanceof RuleSetUnavailableException) return undefined;
    throw error;
  }
}

/** The villages of a campaign's cases with the chain of units their officials act from, in code order. */
export async function campaignVillages(
  app: INestApplicationContext,
  campaignId: string,
): Promise<(VillageUnit & { caseId: string })[]> {
  const rows = await app
    .get(EntityManager)
    .fork()
    .execute<
      {
        case_id: string;
        code: string;
        name: string;
        commune_code: string;
        commune_type: string | null;
        commune_parent: string | null;
        parent_level: string | null;
        province_code: string;
      }[]
    >(
      `select c.id as case_id, v.code, v.name, m.code as commune_code, m.unit_type as commune_type,
              m.parent_code as commune_parent, p.level as parent_level, v.province_code
         from review_case c
         join admin_unit v on v.code = c.village_code
         join admin_unit m on m.code = v.parent_code
         left join admin_unit p on p.code = m.parent_code
        where c.campaign_id = ?
        order by v.code`,
      [campaignId],
    );
  return rows.map((r, index) => ({
    index,
    caseId: r.case_id,
    code: r.code,
    name: r.name,
    communeCode: r.commune_code,
    districtCode: r.parent_level === 'district' ? r.commune_parent : null,
    provinceCode: r.province_code,
    // A phường's households are urban (the commune's type; the household may say otherwise).
    area: r.commune_type === 'Phường' ? 'urban' : 'rural',
  }));
}

/** One agent per village, each observing its case at the definition's first step on the window's first day. */
export function createAgents(
  app: INestApplicationContext,
  villages: readonly (VillageUnit & { caseId: string })[],
  options: {
    definition: Definition;
    provinceCode: string;
    year: number;
    paces: readonly Pace[];
    seed: number;
    survey?: SurveyProfile;
    start: string;
  },
): VillageAgent[] {
  const ctx: AgentContext = {
    definition: options.definition,
    steps: stepIndex(options.definition),
    calendar: app.get(DeadlineCalculator).calendarFor(options.provinceCode),
    year: options.year,
    ...(options.survey ? { survey: options.survey } : {}),
  };
  return villages.map((v, i) => {
    const agent = new VillageAgent(v, v.caseId, options.paces[i], options.seed, ctx);
    agent.observe([options.definition.initial], options.start, new Set());
    return agent;
  });
}
