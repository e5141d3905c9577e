import { z } from 'zod';
import { DeprivationIndicatorSchema, SocialServiceSchema } from './deprivation-indicator.schema';
import { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
import { describeIssues } from './validation-issues';

/** Where a household lives; each area has its own lines. */
export const AreaSchema = z.enum(['rural', 'urban']);
export type Area = z.infer<typeof AreaSchema>;

/** An income line in VND per person per month. */
export const IncomeLineSchema = z
  .int({
    error: (issue) =>
      issue.input === undefined ? 'required: VND per person per month' : 'expected a whole number of đồng',
  })
  .positive();

/** The lines of one area: what classification compares a household's income and deprivations with. */
export const AreaLinesSchema = z.strictObject({
  /** Poor: income ≤ this line and at least `deprivationThreshold` indicators deprived. */
  povertyLine: IncomeLineSchema,
  /** Near-poor: income ≤ this line and not poor (equal to `povertyLine` in 2022–2025). */
  nearPoorLine: IncomeLineSchema,
  /**
   * Upper bound of the average-living-standard band (mức sống trung bình); `null` when the period
   * has none or it is not known yet: such households are then `not_poor`. Required (not optional)
   * so that a missing line is a decision written in the file, not an omission.
   */
  averageLine: z.union([IncomeLineSchema, z.null()], {
    error: (issue) =>
      issue.input === undefined
        ? 'required: VND per person per month, or null when the period has none'
        : 'expected a whole number of đồng or null',
  }),
  /** Deprived indicators needed (≥) for "poor". */
  deprivationThreshold: z.int().positive(),
});
export type AreaLines = z.infer<typeof AreaLinesSchema>;

/** The province whose own lines replaced the national ones (set by `applyProvinceLines`). */
export const AppliedProvinceSchema = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a province code of letters, digits, "-" or "_"'),
  /** As written in sentences, e.g. "tỉnh Bắc Ninh". */
  name: z.string().min(1),
  source: z.string().min(1),
});
export type AppliedProvince = z.infer<typeof AppliedProvinceSchema>;

const RuleSetShape = z.strictObject({
  /** The period of the standard, e.g. `2022-2025`; also the file name. */
  period: z.string().regex(/^\d{4}-\d{4}$/, 'must be YYYY-YYYY'),
  /** The legal text(s) the values come from. */
  source: z.string().min(1),
  effectiveFrom: z.iso.date(),
  /** `null`: until a later standard replaces it. */
  effectiveTo: z.iso.date().nullable(),
  /** Each value not confirmed against the legal text, with where it comes from; `[]` when all were checked. */
  uncertainties: z.array(z.string().min(1)),
  services: z.array(SocialServiceSchema).min(1),
  indicators: z.array(DeprivationIndicatorSchema).min(1),
  areas: z.strictObject({ rural: AreaLinesSchema, urban: AreaLinesSchema }),
  province: AppliedProvinceSchema.optional(),
});

/**
 * One period's classification rules as data (`config/poverty-rules/<period>.yaml`). A new period
 * with other indicators or lines is a new file, not new code. Cross-field checks run once every
 * field is valid.
 */
export const RuleSetSchema = RuleSetShape.pipe(
  z.custom<z.output<typeof RuleSetShape>>().superRefine((ruleSet, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    if (ruleSet.effectiveTo !== null && ruleSet.effectiveTo < ruleSet.effectiveFrom) {
      issue(['effectiveTo'], `${ruleSet.effectiveTo} is before effectiveFrom ${ruleSet.effectiveFrom}`);
    }
    const serviceCodes = ruleSet.services.map((s) => s.code);
    serviceCodes.forEach((code, i) => {
      if (serviceCodes.indexOf(code) !== i) issue(['services', i, 'code'], `"${code}" is listed twice`);
    });
    const indicatorCodes = ruleSet.indicators.map((indicator) => indicator.code);
    ruleSet.indicators.forEach((indicator, i) => {
      if (indicatorCodes.indexOf(indicator.code) !== i)
        issue(['indicators', i, 'code'], `"${indicator.code}" is listed twice`);
      if (!serviceCodes.includes(indicator.service)) {
        issue(
          ['indicators', i, 'service'],
          `unknown service "${indicator.service}" (services: ${serviceCodes.join(', ')})`,
        );
      }
    });
    for (const area of AreaSchema.options) {
      const lines = ruleSet.areas[area];
      if (lines.nearPoorLine < lines.povertyLine) {
        issue(['areas', area, 'nearPoorLine'], `${lines.nearPoorLine} is below povertyLine ${lines.povertyLine}`);
      }
      if (lines.averageLine !== null && lines.averageLine <= lines.nearPoorLine) {
        issue(['areas', area, 'averageLine'], `${lines.averageLine} must be above nearPoorLine ${lines.nearPoorLine}`);
      }
      if (lines.deprivationThreshold > ruleSet.indicators.length) {
        issue(
          ['areas', area, 'deprivationThreshold'],
          `${lines.deprivationThreshold} is more than the ${ruleSet.indicators.length} indicators`,
        );
      }
    }
  }),
);
export type RuleSet = z.infer<typeof RuleSetSchema>;

/**
 * Validates a rule set the caller has already read and parsed (YAML, JSON). Throws a
 * `PovertyRulesError` (`POVERTY_RULES_INVALID_RULE_SET`) listing every problem as
 * `<label>: <path>: <message>`, `label` being e.g. the file name.
 */
export function parseRuleSet(value: unknown, label: string): RuleSet {
  const result = RuleSetSchema.safeParse(value);
  if (result.success) return result.data;
  throw new PovertyRulesError(
    PovertyRulesErrorCode.InvalidRuleSet,
    `${label}: invalid poverty rule set`,
    describeIssues(result.error).map((issue) => `${label}: ${issue}`),
  );
}
