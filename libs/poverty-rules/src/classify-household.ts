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
  /** A two-tier rule's lower line (poor whatever the deprivations); `null` when the period has none. */
  incomeOnlyPovertyLine: number | null;
  income: number;
  /** In the rule set's order. */
  deprivedIndicators: { code: string; name: string }[];
  deprivationCount: number;
  indicatorCount: number;
  /** Deprivations needed for "poor". */
  threshold: number;
  /** Deprivations needed for "near-poor". */
  nearPoorThreshold: number;
  /** The household's low-income workers and the line they were counted against; `null` when not counted. */
  lowIncomeWorkers: { count: number; incomeLine: number } | null;
}

export interface Classification {
  id: string;
  class: HouseholdClass;
  /** Short sentences in Vietnamese: the line applied and the income, the deprived indicators, then the low-income workers. */
  reasons: string[];
  explanation: ClassificationExplanation;
}

const AREA_NAMES: Record<Area, string> = { rural: 'nông thôn', urban: 'thành thị' };

/**
 * Classifies one household by the lines of its area (Decree 07/2021/NĐ-CP Art. 3 for 2022–2025),
 * in this order: poor when income ≤ the income-only poverty line (a two-tier rule's lower line, if
 * the period has one); poor when income ≤ poverty line and deprivations ≥ threshold; near-poor when
 * income ≤ near-poor line and deprivations ≥ the near-poor threshold (0 unless set); average when
 * income ≤ average line (if the period has one); else not poor. Incomes exactly on a line belong
 * below it. Low-income workers, when counted, are reported beside the class. Throws a
 * `PovertyRulesError` (`POVERTY_RULES_INVALID_HOUSEHOLD`) naming each bad field, e.g. an unknown
 * deprivation code.
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
  const { id, area, incomePerCapitaMonthly: income, deprivations, lowIncomeWorkers } = parsed.household;
  const lines = ruleSet.areas[area];
  const deprived = ruleSet.indicators.filter((indicator) => deprivations.includes(indicator.code));
  const householdClass = classOf(income, deprived.length, lines);
  const workers =
    lowIncomeWorkers === undefined || ruleSet.lowIncomeWorkers === null
      ? null
      : { count: lowIncomeWorkers, incomeLine: ruleSet.lowIncomeWorkers.incomeLine };

  const explanation: ClassificationExplanation = {
    period: ruleSet.period,
    province: ruleSet.province?.code ?? null,
    area,
    incomeLine: lines.povertyLine,
    nearPoorLine: lines.nearPoorLine,
    averageLine: lines.averageLine,
    incomeOnlyPovertyLine: lines.incomeOnlyPovertyLine ?? null,
    income,
    deprivedIndicators: deprived.map(({ code, name }) => ({ code, name })),
    deprivationCount: deprived.length,
    indicatorCount: ruleSet.indicators.length,
    threshold: lines.deprivationThreshold,
    nearPoorThreshold: lines.nearPoorDeprivationThreshold ?? 0,
    lowIncomeWorkers: workers,
  };
  const reasons = reasonsFor(householdClass, ruleSet, area, income, deprived);
  if (workers !== null) reasons.push(workersReason(workers));
  return { id, class: householdClass, reasons, explanation };
}

function classOf(income: number, deprivationCount: number, lines: AreaLines): HouseholdClass {
  if (lines.incomeOnlyPovertyLine !== undefined && income <= lines.incomeOnlyPovertyLine) return 'poor';
  if (income <= lines.povertyLine && deprivationCount >= lines.deprivationThreshold) return 'poor';
  if (income <= lines.nearPoorLine && deprivationCount >= (lines.nearPoorDeprivationThreshold ?? 0)) return 'near_poor';
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
  const count = `${deprived.length}/${ruleSet.indicators.length}`;
  const names = deprived.map((indicator) => indicator.name).join(', ');
  const listed =
    deprived.length === 0 ? `Không thiếu hụt chỉ số nào (${count})` : `Thiếu hụt ${count} chỉ số: ${names}`;

  if (lines.incomeOnlyPovertyLine !== undefined && income <= lines.incomeOnlyPovertyLine) {
    // The lower tier of a two-tier rule: deprivations do not change the result.
    return [
      `${incomeText} ≤ ${line('mức thu nhập xác định hộ nghèo không xét thiếu hụt', lines.incomeOnlyPovertyLine)}`,
      `${listed} — không xét vì thu nhập dưới mức này`,
    ];
  }

  let incomeReason: string;
  if (income <= lines.povertyLine) incomeReason = `${incomeText} ≤ ${poverty}`;
  else if (income <= lines.nearPoorLine) incomeReason = `${incomeText} > ${poverty} và ≤ ${nearPoor}`;
  else if (lines.averageLine === null)
    incomeReason = `${incomeText} > ${nearPoor}; kỳ ${ruleSet.period} chưa có chuẩn hộ có mức sống trung bình`;
  else if (householdClass === 'average')
    incomeReason = `${incomeText} > ${nearPoor} và ≤ ${line('chuẩn hộ có mức sống trung bình', lines.averageLine)}`;
  else incomeReason = `${incomeText} > ${line('chuẩn hộ có mức sống trung bình', lines.averageLine)}`;

  // Deprivations decide between poor and near-poor below the poverty line, and whether a household
  // is near-poor at all when the period sets a near-poor threshold; elsewhere they are reported, not weighed.
  const nearPoorThreshold = lines.nearPoorDeprivationThreshold ?? 0;
  let deprivationReason: string;
  if (income <= lines.povertyLine) {
    const comparison = deprived.length >= lines.deprivationThreshold ? '≥' : '<';
    deprivationReason =
      deprived.length === 0
        ? `Không thiếu hụt chỉ số nào (0/${ruleSet.indicators.length}, < ${lines.deprivationThreshold})`
        : `Thiếu hụt ${count} chỉ số (${comparison} ${lines.deprivationThreshold}): ${names}`;
    if (comparison === '<' && deprived.length < nearPoorThreshold)
      deprivationReason += `; < ${nearPoorThreshold}, ngưỡng hộ cận nghèo`;
  } else if (income <= lines.nearPoorLine && nearPoorThreshold > 0) {
    const comparison = deprived.length >= nearPoorThreshold ? '≥' : '<';
    deprivationReason = `${listed} (${comparison} ${nearPoorThreshold}, ngưỡng hộ cận nghèo)`;
  } else {
    const above = income > lines.nearPoorLine && lines.nearPoorLine > lines.povertyLine ? 'cận nghèo' : 'nghèo';
    deprivationReason = `${listed} — không xét vì thu nhập trên chuẩn ${above}`;
  }
  return [incomeReason, deprivationReason];
}

function workersReason(workers: { count: number; incomeLine: number }): string {
  const line = `${formatDong(workers.incomeLine)} đồng/tháng`;
  return workers.count === 0
    ? `Không có người lao động có thu nhập thấp (≤ ${line})`
    : `${workers.count} người lao động có thu nhập thấp (≤ ${line})`;
}

/** 1500000 → "1.500.000", the Vietnamese grouping, independent of the host's ICU data. */
function formatDong(amount: number): string {
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
