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

/** A number of deprived indicators (0 or more). */
const DeprivationCountSchema = z.int('expected a whole number of indicators').nonnegative();

/**
 * The lines of one area: what classification compares a household's income and deprivations with.
 * The rule, in order (an income exactly on a line is below it):
 * 1. poor when income ≤ `incomeOnlyPovertyLine` (if set), whatever the deprivations;
 * 2. poor when income ≤ `povertyLine` and deprivations ≥ `deprivationThreshold`;
 * 3. near-poor when income ≤ `nearPoorLine` and deprivations ≥ `nearPoorDeprivationThreshold`;
 * 4. average living standard when income ≤ `averageLine` (if set);
 * 5. otherwise not poor.
 * 2022–2025 needs only 2, 3 (threshold 0), 4; the two-tier 2016–2020 rule (poor below a lower
 * line whatever the deprivations) needs 1.
 */
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
  /** Deprived indicators needed (≥) for "near-poor"; 0 when left out (any number below the poor threshold). */
  nearPoorDeprivationThreshold: DeprivationCountSchema.optional(),
  /** A two-tier rule's lower line: income ≤ this is poor whatever the deprivations; left out when the period has none. */
  incomeOnlyPovertyLine: IncomeLineSchema.optional(),
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

/**
 * Low-income workers (người lao động có thu nhập thấp): workers whose income is at most
 * `incomeLine` đồng a month form a group identified through the same review procedure (Decree
 * 30/2025/NĐ-CP amending Decree 07/2021/NĐ-CP). The survey records how many of a household's
 * workers are at or below the line; classification counts them beside the household's class.
 */
export const LowIncomeWorkersSchema = z.strictObject({
  /** VND per worker per month. */
  incomeLine: IncomeLineSchema,
  source: z.string().min(1),
});
export type LowIncomeWorkers = z.infer<typeof LowIncomeWorkersSchema>;

const RuleSetShape = z.strictObject({
  /** The period of the standard, e.g. `2022-2025`; also the file name. */
  period: z.string().regex(/^\d{4}-\d{4}$/, 'must be YYYY-YYYY'),
  /** The legal text(s) the values come from, in full. */
  source: z.string().min(1),
  /** The text as named in a sentence shown to users, e.g. "Nghị định 351/2025/NĐ-CP". */
  citation: z.string().min(1),
  /** The first day the standard applies (to the lists in force from that day). */
  effectiveFrom: z.iso.date(),
  /** `null`: until a later standard replaces it. */
  effectiveTo: z.iso.date().nullable(),
  /** Each value not confirmed against the legal text, with where it comes from; `[]` when all were checked. */
  uncertainties: z.array(z.string().min(1)),
  services: z.array(SocialServiceSchema).min(1),
  /** How many indicators the legal text has: the list below must have exactly this many. */
  indicatorCount: z.int().positive(),
  indicators: z.array(DeprivationIndicatorSchema).min(1),
  areas: z.strictObject({ rural: AreaLinesSchema, urban: AreaLinesSchema }),
  /** `null`: the period identifies no low-income workers (or their line is not known). Required, like `averageLine`. */
  lowIncomeWorkers: z.union([LowIncomeWorkersSchema, z.null()], {
    error: (issue) =>
      issue.input === undefined
        ? 'required: { incomeLine, source }, or null when the period identifies no low-income workers'
        : 'expected { incomeLine, source } or null',
  }),
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
    if (ruleSet.indicators.length !== ruleSet.indicatorCount) {
      issue(
        ['indicators'],
        `${ruleSet.indicators.length} indicators listed, but indicatorCount declares ${ruleSet.indicatorCount}`,
      );
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
      if (lines.incomeOnlyPovertyLine !== undefined && lines.incomeOnlyPovertyLine > lines.povertyLine) {
        issue(
          ['areas', area, 'incomeOnlyPovertyLine'],
          `${lines.incomeOnlyPovertyLine} is above povertyLine ${lines.povertyLine}`,
        );
      }
      for (const key of ['deprivationThreshold', 'nearPoorDeprivationThreshold'] as const) {
        const threshold = lines[key];
        if (threshold !== undefined && threshold > ruleSet.indicators.length) {
          issue(['areas', area, key], `${threshold} is more than the ${ruleSet.indicators.length} indicators`);
        }
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

/** True when the rule set (or a province's lines) is in force on the civil date `day` (YYYY-MM-DD). */
export function inForceOn(effective: { effectiveFrom: string; effectiveTo: string | null }, day: string): boolean {
  return effective.effectiveFrom <= day && (effective.effectiveTo === null || day <= effective.effectiveTo);
}
