import {
  classifyHousehold,
  type Area,
  type ClassificationExplanation,
  type HouseholdClass,
  type RuleSet,
} from '@rasoat/poverty-rules';
import type { FieldIssue } from './households.exception';

/** What a surveyor records for one household: the estimated income and the deprivation verdicts. */
export interface SurveyAnswers {
  area: Area;
  /** Estimated average income per person per month, whole đồng. */
  incomePerCapitaMonthly: number;
  /** Codes of the period's indicators the household is deprived in; `[]` for none. */
  deprivations: string[];
}

/** What is stored on the household row after classification. */
export interface StoredClassification {
  classification: HouseholdClass;
  /** `reasons` (Vietnamese sentences) and `explanation` (every value used), as `classifyHousehold` returns them. */
  explanation: { reasons: string[]; explanation: ClassificationExplanation };
  /** The period, with `+<province>` when the province's own lines applied (`2022-2025+24`). */
  ruleSet: string;
  /** The answers as classified: each deprivation once, in the order given. */
  deprivations: string[];
}

/** The name stored with a classification: which rule file(s) decided it. */
export function ruleSetName(ruleSet: RuleSet): string {
  return ruleSet.province ? `${ruleSet.period}+${ruleSet.province.code}` : ruleSet.period;
}

/**
 * Checks the answers against the period's indicators (each unknown code named by its index in
 * `deprivations`, with the known codes) and classifies. `prefix` names the fields in a larger body
 * (`survey.` in a re-check).
 */
export function classifyAnswers(
  ruleSet: RuleSet,
  code: string,
  answers: SurveyAnswers,
  prefix = '',
): { ok: true; result: StoredClassification } | { ok: false; issues: FieldIssue[] } {
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
  if (issues.length > 0) return { ok: false, issues };
  const deprivations = [...new Set(answers.deprivations)];
  const classification = classifyHousehold(ruleSet, {
    id: code,
    area: answers.area,
    incomePerCapitaMonthly: answers.incomePerCapitaMonthly,
    deprivations,
  });
  return {
    ok: true,
    result: {
      classification: classification.class,
      explanation: { reasons: classification.reasons, explanation: classification.explanation },
      ruleSet: ruleSetName(ruleSet),
      deprivations,
    },
  };
}

/** True when two sets of answers are the same survey (deprivations compared as sets). */
export function sameAnswers(
  a: SurveyAnswers,
  b: { area: string; incomePerCapitaMonthly: number | null; deprivations: string[] | null },
): boolean {
  if (b.incomePerCapitaMonthly === null || b.deprivations === null) return false;
  const left = new Set(a.deprivations);
  const right = new Set(b.deprivations);
  return (
    a.area === b.area &&
    a.incomePerCapitaMonthly === b.incomePerCapitaMonthly &&
    left.size === right.size &&
    [...left].every((code) => right.has(code))
  );
}

/** Classes a household may hold a certificate for (giấy chứng nhận hộ nghèo / hộ cận nghèo). */
export const CERTIFIABLE_CLASSES: readonly HouseholdClass[] = Object.freeze(['poor', 'near_poor']);
