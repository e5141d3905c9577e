import type { Actor } from '@rasoat/contracts';
import { between, intBetween, type Random } from './prng';

/**
 * The households of a village's review list as the season model draws them, and the household
 * operations a village carries out on them (import, survey, votes, complaints, re-checks) when
 * its definition moves on the household records (`householdGatedStep`). Pure: the season's
 * runner (libs/season) sends them through the engine's household services.
 */

/** What the model needs of the campaign's poverty standard to draw plausible answers. */
export interface SurveyProfile {
  /** Codes of the rule set's deprivation indicators. */
  indicators: readonly string[];
  areas: Record<'rural' | 'urban', { povertyLine: number; nearPoorLine: number; deprivationThreshold: number }>;
}

export type ExpectedClass = 'poor' | 'near_poor' | 'not_poor';
export type HouseholdSource = 'previous_poor' | 'previous_near_poor' | 'newly_arising' | 'request';

/** One household of the review list with the answers its survey will give. */
export interface SimulatedHousehold {
  code: string;
  headName: string;
  memberCount: number;
  area: 'rural' | 'urban';
  source: HouseholdSource;
  incomePerCapitaMonthly: number;
  deprivations: string[];
  /** What the rule set's lines make of the answers (the engine classifies for real). */
  expected: ExpectedClass;
}

/** A row of the list file the village imports (the household file's columns, no survey answers). */
export interface HouseholdFileRow {
  householdCode: string;
  headName: string;
  memberCount: number;
  area: 'rural' | 'urban';
  source: HouseholdSource;
}

export interface SurveyItem {
  code: string;
  incomePerCapitaMonthly: number;
  deprivations: string[];
}

/** A complaint the village expects, with the re-check's outcome (and new answers when upheld). */
export interface PlannedComplaint {
  code: string;
  summary: string;
  outcome: 'upheld' | 'dismissed';
  note: string;
  survey?: SurveyItem;
}

/** A household operation, in the order the village carries them out on its day. */
export type HouseholdAction =
  | { op: 'import'; actor: Actor; rows: HouseholdFileRow[] }
  | { op: 'survey'; actor: Actor; surveys: SurveyItem[] }
  | { op: 'vote'; actor: Actor; meetingDate: string; votes: { code: string; agree: number; present: number }[] }
  | { op: 'complain'; actor: Actor; complaints: PlannedComplaint[] }
  | { op: 'recheck'; actor: Actor; complaints: PlannedComplaint[] };

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đỗ', 'Bùi', 'Ngô', 'Dương', 'Đặng', 'Lý', 'Đào', 'Chu'];
const MIDDLE = ['Văn', 'Thị', 'Đức', 'Minh', 'Hữu', 'Ngọc', 'Thanh', 'Quang'];
const GIVEN = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Hà',
  'Hải',
  'Hoa',
  'Hùng',
  'Lan',
  'Long',
  'Mai',
  'Nam',
  'Phương',
  'Quang',
  'Sơn',
  'Thảo',
  'Tuấn',
  'Yến',
];

const pick = <T>(random: Random, items: readonly T[]): T => items[intBetween(random, 0, items.length - 1)];

/** Share of each source's households that the survey finds poor, near-poor, or neither. */
const CLASS_SHARES: Record<HouseholdSource, [number, number]> = {
  // [poor, near-poor]; the rest escapes.
  previous_poor: [0.6, 0.25],
  previous_near_poor: [0.1, 0.6],
  newly_arising: [0.35, 0.4],
  request: [0.2, 0.35],
};

/** The village's review list: its previous poor and near-poor households, those arising in the year, and requests. */
export function householdList(
  random: Random,
  counts: { previous: number; newlyArising: number; requests: number },
  area: 'rural' | 'urban',
  profile: SurveyProfile,
): SimulatedHousehold[] {
  const previousPoor = Math.round(counts.previous * between(random, 0.3, 0.55));
  const sources: HouseholdSource[] = [
    ...Array<HouseholdSource>(previousPoor).fill('previous_poor'),
    ...Array<HouseholdSource>(counts.previous - previousPoor).fill('previous_near_poor'),
    ...Array<HouseholdSource>(counts.newlyArising).fill('newly_arising'),
    ...Array<HouseholdSource>(counts.requests).fill('request'),
  ];
  return sources.map((source, i) => {
    const [poor, nearPoor] = CLASS_SHARES[source];
    const draw = random();
    const target: ExpectedClass = draw < poor ? 'poor' : draw < poor + nearPoor ? 'near_poor' : 'not_poor';
    const answers = answersFor(random, target, area, profile);
    return {
      code: `H${String(i + 1).padStart(3, '0')}`,
      headName: `${pick(random, FAMILY)} ${pick(random, MIDDLE)} ${pick(random, GIVEN)}`,
      memberCount: intBetween(random, 1, 7),
      area,
      source,
      ...answers,
    };
  });
}

/** Answers that the rule set's lines classify as `target` (income and deprivations). */
export function answersFor(
  random: Random,
  target: ExpectedClass,
  area: 'rural' | 'urban',
  profile: SurveyProfile,
): { incomePerCapitaMonthly: number; deprivations: string[]; expected: ExpectedClass } {
  const lines = profile.areas[area];
  const n = profile.indicators.length;
  const threshold = Math.min(lines.deprivationThreshold, n);
  let income: number;
  let deprived: number;
  if (target === 'poor') {
    income = lines.povertyLine * between(random, 0.45, 0.98);
    deprived = intBetween(random, threshold, Math.min(n, threshold + 3));
  } else if (target === 'near_poor') {
    income = lines.povertyLine * between(random, 0.6, 0.99);
    deprived = intBetween(random, 0, Math.max(0, threshold - 1));
  } else {
    income = lines.nearPoorLine * between(random, 1.05, 2.4);
    deprived = intBetween(random, 0, Math.max(0, threshold - 1));
  }
  const indicators = [...profile.indicators];
  const deprivations: string[] = [];
  for (let k = 0; k < deprived && indicators.length > 0; k++)
    deprivations.push(indicators.splice(intBetween(random, 0, indicators.length - 1), 1)[0]);
  const incomePerCapitaMonthly = Math.round(income / 1000) * 1000;
  return {
    incomePerCapitaMonthly,
    deprivations,
    expected: expectedClass(incomePerCapitaMonthly, deprivations, area, profile),
  };
}

/** The class the lines give (the model's expectation for its forms; the engine's classification decides). */
export function expectedClass(
  income: number,
  deprivations: readonly string[],
  area: 'rural' | 'urban',
  profile: SurveyProfile,
): ExpectedClass {
  const lines = profile.areas[area];
  if (income <= lines.povertyLine && deprivations.length >= lines.deprivationThreshold) return 'poor';
  if (income <= lines.nearPoorLine) return 'near_poor';
  return 'not_poor';
}

export function householdRecord(h: SimulatedHousehold): HouseholdFileRow {
  return { householdCode: h.code, headName: h.headName, memberCount: h.memberCount, area: h.area, source: h.source };
}

export function surveyAnswers(h: SimulatedHousehold): SurveyItem {
  return { code: h.code, incomePerCapitaMonthly: h.incomePerCapitaMonthly, deprivations: [...h.deprivations] };
}
