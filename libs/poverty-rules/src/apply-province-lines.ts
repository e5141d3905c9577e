import { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
import type { ProvinceLines } from './province-lines.schema';
import { AreaSchema, RuleSetSchema, type AreaLines, type RuleSet } from './rule-set.schema';
import { describeIssues } from './validation-issues';

/**
 * The national rule set with one province's lines in place of the national ones, over the
 * province's `effectiveFrom` – `effectiveTo`: the province's own standard, for its own programmes
 * (the national classification stays the national rule set's). Throws a `PovertyRulesError` (`POVERTY_RULES_INVALID_PROVINCE_LINES`)
 * naming each path when the periods differ, a line is lower than the national one, the date lies
 * outside the period, or the merged lines are out of order (e.g. a raised near-poor line above the
 * national average line).
 */
export function applyProvinceLines(
  ruleSet: RuleSet,
  provinceLines: ProvinceLines,
  label = `province ${provinceLines.province}`,
): RuleSet {
  const issues: string[] = [];
  if (provinceLines.period !== ruleSet.period)
    issues.push(`period: ${provinceLines.period} is not the rule set's period ${ruleSet.period}`);
  const inPeriod =
    provinceLines.effectiveFrom >= ruleSet.effectiveFrom &&
    (ruleSet.effectiveTo === null || provinceLines.effectiveFrom <= ruleSet.effectiveTo);
  if (!inPeriod)
    issues.push(
      `effectiveFrom: ${provinceLines.effectiveFrom} is outside the period ${ruleSet.effectiveFrom} – ${ruleSet.effectiveTo ?? 'open'}`,
    );
  // An open end (null) lasts as long as the national period.
  const endsInPeriod =
    provinceLines.effectiveTo === null ||
    ruleSet.effectiveTo === null ||
    provinceLines.effectiveTo <= ruleSet.effectiveTo;
  if (!endsInPeriod)
    issues.push(`effectiveTo: ${provinceLines.effectiveTo} is after the end of the period ${ruleSet.effectiveTo}`);

  const areas = { ...ruleSet.areas };
  for (const area of AreaSchema.options) {
    const override = provinceLines.areas[area];
    if (override === undefined) continue;
    for (const key of ['povertyLine', 'nearPoorLine', 'averageLine'] as const) {
      const local = override[key];
      const national = ruleSet.areas[area][key];
      // Decree 351/2025 lets provinces raise the lines, never lower them below the national standard.
      if (local !== undefined && national !== null && local < national) {
        issues.push(`areas.${area}.${key}: ${local} is below the national line ${national}`);
      }
    }
    areas[area] = { ...ruleSet.areas[area], ...override } satisfies AreaLines;
  }

  const merged = RuleSetSchema.safeParse({
    ...ruleSet,
    effectiveFrom: inPeriod ? provinceLines.effectiveFrom : ruleSet.effectiveFrom,
    effectiveTo: endsInPeriod ? (provinceLines.effectiveTo ?? ruleSet.effectiveTo) : ruleSet.effectiveTo,
    areas,
    province: { code: provinceLines.province, name: provinceLines.name, source: provinceLines.source },
  });
  if (!merged.success) issues.push(...describeIssues(merged.error));
  if (issues.length > 0 || !merged.success) {
    throw new PovertyRulesError(
      PovertyRulesErrorCode.InvalidProvinceLines,
      `${label}: lines do not fit the national rule set ${ruleSet.period}`,
      issues.map((issue) => `${label}: ${issue}`),
    );
  }
  return merged.data;
}
