import {
  classifyHousehold,
  type Area,
  type ClassificationExplanation,
  type HouseholdClass,
  type RuleSet,
} from '@rasoat/poverty-rules';
import type { CampaignRules } from '../standards';
import type { FieldIssue } from './households.exception';

/** What a surveyor records for one household: the estimated income and the deprivation verdicts. */
export interface SurveyAnswers {
  area: Area;
  /** Estimated average income per person per month, whole đồng. */
  incomePerCapitaMonthly: number;
  /** Codes of the period's indicators the household is deprived in; `[]` for none. */
  deprivations: string[];
  /** Workers earning at most the period's low-income worker line a month; `null` (or left out) when not counted. */
  lowIncomeWorkers?: number | null;
}

/** One classification as stored: the class, its reasons and explanation, and the rule set that decided it. */
export interface StoredResult {
  classification: HouseholdClass;
  /** `reasons` (Vietnamese sentences) and `explanation` (every value used), as `classifyHousehold` returns them. */
  explanation: { reasons: string[]; explanation: ClassificationExplanation };
  /** The period, with `+<province>` when a province's own lines decided (`2022-2025+24`). */
  ruleSet: string;
}

/** What is stored on the household row after classification. */
export interface StoredClassification extends StoredResult {
  /** Under the province's own lines for the lists year, beside the national result (for the province's programmes); `null` when it has none. */
  provincial: StoredResult | null;
  /** The answers as classified: each deprivation once, in the order given. */
  deprivations: string[];
  lowIncomeWorkers: number | null;
}

/** The name stored with a classification: which rule file(s) decided it. */
export function ruleSetName(ruleSet: RuleSet): string {
  return ruleSet.province ? `${ruleSet.period}+${ruleSet.province.code}` : ruleSet.period;
}

/**
 * Checks the answers against the national period's indicators (each unknown code named by its
 * index in `deprivations`, with the known codes), the income and the count of low-income workers
 * (at most `memberCount`, and only when the period has a line for them), then classifies by the
 * national rule set and, when the province has its own lines for the lists year, by those too.
 * `prefix` names the fields in a larger body (`survey.` in a re-check).
 */
export function classifyAnswers(
  rules: Pick<CampaignRules, 'national' | 'provincial'>,
  code: string,
  answers: SurveyAnswers,
  prefix = '',
  memberCount?: number,
): { ok: true; result: StoredClassification } | { ok: false; issues: FieldIssue[] } {
  const { national: ruleSet } = rules;
  const known = new Set(ruleSet.indicators.map((indicator) => indicator.code));
  const issues: FieldIssue[] = [];
  answers.deprivations.forEach((item, i) => {
    if (!known.has(item)) {
      issues.push({
        field: `${prefix}deprivations[${i}]`,
        message: `Không có chỉ số thiếu hụt "${item}" trong chuẩn ${ruleSet.period}; các mã hợp lệ: ${[...known].join(', ')} / unknown indicator "${item}" for period ${ruleSet.period}`,
      });
    }
  });
  if (!Number.isInteger(answers.incomePerCapitaMonthly) || answers.incomePerCapitaMonthly < 0) {
    issues.push({
      field: `${prefix}incomePerCapitaMonthly`,
      message: 'Phải là số nguyên đồng không âm / must be a non-negative whole number of đồng',
    });
  }
  const workers = answers.lowIncomeWorkers ?? null;
  if (workers !== null) {
    const field = `${prefix}lowIncomeWorkers`;
    if (!Number.isInteger(workers) || workers < 0) {
      issues.push({ field, message: 'Phải là số nguyên không âm / must be a non-negative whole number' });
    } else if (ruleSet.lowIncomeWorkers === null) {
      issues.push({
        field,
        message: `Chuẩn ${ruleSet.period} không có mức thu nhập xác định người lao động có thu nhập thấp; bỏ trường này / period ${ruleSet.period} has no low-income worker line: leave the count out`,
      });
    } else if (memberCount !== undefined && workers > memberCount) {
      issues.push({
        field,
        message: `${workers} người lao động có thu nhập thấp nhưng hộ chỉ có ${memberCount} nhân khẩu / ${workers} low-income workers in a household of ${memberCount}`,
      });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const deprivations = [...new Set(answers.deprivations)];
  const classify = (rules: RuleSet): StoredResult => {
    const classification = classifyHousehold(rules, {
      id: code,
      area: answers.area,
      incomePerCapitaMonthly: answers.incomePerCapitaMonthly,
      deprivations,
      ...(workers !== null ? { lowIncomeWorkers: workers } : {}),
    });
    return {
      classification: classification.class,
      explanation: { reasons: classification.reasons, explanation: classification.explanation },
      ruleSet: ruleSetName(rules),
    };
  };
  return {
    ok: true,
    result: {
      ...classify(ruleSet),
      provincial: rules.provincial ? classify(rules.provincial) : null,
      deprivations,
      lowIncomeWorkers: workers,
    },
  };
}

/** True when two sets of answers are the same survey (deprivations compared as sets). */
export function sameAnswers(
  a: SurveyAnswers,
  b: {
    area: string;
    incomePerCapitaMonthly: number | null;
    deprivations: string[] | null;
    lowIncomeWorkers?: number | null;
  },
): boolean {
  if (b.incomePerCapitaMonthly === null || b.deprivations === null) return false;
  const left = new Set(a.deprivations);
  const right = new Set(b.deprivations);
  return (
    a.area === b.area &&
    a.incomePerCapitaMonthly === b.incomePerCapitaMonthly &&
    (a.lowIncomeWorkers ?? null) === (b.lowIncomeWorkers ?? null) &&
    left.size === right.size &&
    [...left].every((code) => right.has(code))
  );
}

/** Classes a household may hold a certificate for (giấy chứng nhận hộ nghèo / hộ cận nghèo): the national class decides. */
export const CERTIFIABLE_CLASSES: readonly HouseholdClass[] = Object.freeze(['poor', 'near_poor']);
