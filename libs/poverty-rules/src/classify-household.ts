import type { DeprivationIndicator } from './deprivation-indicator.schema';
import { parseHouseholdInput, type Household } from './household-input.schema';
import { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
import type { Area, AreaLines, RuleSet } from './rule-set.schema';

/**
 * The class of a household under one period's standard: poor (hộ nghèo), near-poor (hộ cận nghèo),
 * average living standard (hộ có mức sống trung bình, the band above the near-poor line) or none.
 */
export type HouseholdClass = 'poor' | 'near_poor' | 'average' | 'not_poor';

/** Every value the decision used, for audit trails and re-checks (phúc tra). */
export interface ClassificationExplanation {
  period: string;
  /** Code of the province whose own lines applied; `null`: national lines. */
  province: string | null;
  area: Area;
  /** The poverty line applied. */
  incomeLine: number;
  nearPoorLine: number;
  /** `null` when the period has no (known) average-living-standard line. */
  averageLine: number | null;
  income: number;
  /** In the rule set's order. */
  deprivedIndicators: { code: string; name: string }[];
  deprivationCount: number;
  indicatorCount: number;
  threshold: number;
}

export interface Classification {
  id: string;
  class: HouseholdClass;
  /** Short sentences in Vietnamese: the line applied and the income, then the deprived indicators. */
  reasons: string[];
  explanation: ClassificationExplanation;
}

const AREA_NAMES: Record<Area, string> = { rural: 'nông thôn', urban: 'thành thị' };

/**
 * Classifies one household by the lines of its area (Decree 07/2021/NĐ-CP Art. 3 for 2022–2025):
 * poor when income ≤ poverty line and deprivations ≥ threshold; else near-poor when income ≤
 * near-poor line; else average when income ≤ average line (if the period has one); else not poor.
 * Incomes exactly on a line belong below it. Throws a `PovertyRulesError`
 * (`POVERTY_RULES_INVALID_HOUSEHOLD`) naming each bad field, e.g. an unknown deprivation code.
 */
export function classifyHousehold(ruleSet: RuleSet, household: Household): Classification {
  const parsed = parseHouseholdInput(household, ruleSet);
  if (!parsed.ok) {
    throw new PovertyRulesError(
      PovertyRulesErrorCode.InvalidHousehold,
      `household ${String(household.id)}: invalid for period ${ruleSet.period}`,
      parsed.errors,
    );
  }
  const { id, area, incomePerCapitaMonthly: income, deprivations } = parsed.household;
  const lines = ruleSet.areas[area];
  const deprived = ruleSet.indicators.filter((indicator) => deprivations.includes(indicator.code));
  const householdClass = classOf(income, deprived.length, lines);

  const explanation: ClassificationExplanation = {
    period: ruleSet.period,
    province: ruleSet.province?.code ?? null,
    area,
    incomeLine: lines.povertyLine,
    nearPoorLine: lines.nearPoorLine,
    averageLine: lines.averageLine,
    income,
    deprivedIndicators: deprived.map(({ code, name }) => ({ code, name })),
    deprivationCount: deprived.length,
    indicatorCount: ruleSet.indicators.length,
    threshold: lines.deprivationThreshold,
  };
  return {
    id,
    class: householdClass,
    reasons: reasonsFor(householdClass, ruleSet, area, income, deprived),
    explanation,
  };
}

function classOf(income: number, deprivationCount: number, lines: AreaLines): HouseholdClass {
  if (income <= lines.povertyLine && deprivationCount >= lines.deprivationThreshold) return 'poor';
  if (income <= lines.nearPoorLine) return 'near_poor';
  if (lines.averageLine !== null && income <= lines.averageLine) return 'average';
  return 'not_poor';
}

function reasonsFor(
  householdClass: HouseholdClass,
  ruleSet: RuleSet,
  area: Area,
  income: number,
  deprived: DeprivationIndicator[],
): string[] {
  const lines = ruleSet.areas[area];
  const where = `${AREA_NAMES[area]}${ruleSet.province ? ` của ${ruleSet.province.name}` : ''}`;
  const line = (label: string, amount: number) => `${label} ${where} ${formatDong(amount)} đồng`;
  const poverty = line('chuẩn nghèo', lines.povertyLine);
  const nearPoor = line('chuẩn cận nghèo', lines.nearPoorLine);
  const incomeText = `Thu nhập bình quân ${formatDong(income)} đồng/người/tháng`;

  let incomeReason: string;
  if (income <= lines.povertyLine) incomeReason = `${incomeText} ≤ ${poverty}`;
  else if (householdClass === 'near_poor') incomeReason = `${incomeText} > ${poverty} và ≤ ${nearPoor}`;
  else if (lines.averageLine === null)
    incomeReason = `${incomeText} > ${nearPoor}; kỳ ${ruleSet.period} chưa có chuẩn hộ có mức sống trung bình`;
  else if (householdClass === 'average')
    incomeReason = `${incomeText} > ${nearPoor} và ≤ ${line('chuẩn hộ có mức sống trung bình', lines.averageLine)}`;
  else incomeReason = `${incomeText} > ${line('chuẩn hộ có mức sống trung bình', lines.averageLine)}`;

  const count = `${deprived.length}/${ruleSet.indicators.length}`;
  const names = deprived.map((indicator) => indicator.name).join(', ');
  let deprivationReason: string;
  if (income > lines.povertyLine) {
    // Deprivations only decide between poor and near-poor; above the poverty line they are reported, not weighed.
    deprivationReason =
      deprived.length === 0
        ? `Không thiếu hụt chỉ số nào (0/${ruleSet.indicators.length})`
        : `Thiếu hụt ${count} chỉ số: ${names}`;
    deprivationReason += ' — không xét vì thu nhập trên chuẩn nghèo';
  } else {
    const comparison = deprived.length >= lines.deprivationThreshold ? '≥' : '<';
    deprivationReason =
      deprived.length === 0
        ? `Không thiếu hụt chỉ số nào (0/${ruleSet.indicators.length}, < ${lines.deprivationThreshold})`
        : `Thiếu hụt ${count} chỉ số (${comparison} ${lines.deprivationThreshold}): ${names}`;
  }
  return [incomeReason, deprivationReason];
}

/** 1500000 → "1.500.000", the Vietnamese grouping, independent of the host's ICU data. */
function formatDong(amount: number): string {
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
