import type { HouseholdRecordInput, HouseholdSource } from '@rasoat/household-records';
import type { Area, HouseholdClass } from '@rasoat/poverty-rules';
import { maskIdNumber, maskName } from './household-privacy';
import { agreementShare } from './household-votes';

/** A `household` row as raw SQL returns it (bigint as text, timestamptz as Date or text). */
export interface HouseholdRow {
  id: string;
  case_id: string;
  code: string;
  head_name: string;
  id_number: string | null;
  address: string | null;
  member_count: number;
  area: Area;
  source: HouseholdSource;
  note: string | null;
  income_per_capita_monthly: string | number | null;
  deprivations: string[] | null;
  surveyed_at: Date | string | null;
  surveyed_by: string | null;
  classification: HouseholdClass | null;
  explanation: { reasons: string[]; explanation: Record<string, unknown> } | null;
  rule_set: string | null;
  provincial_classification: HouseholdClass | null;
  provincial_explanation: { reasons: string[]; explanation: Record<string, unknown> } | null;
  provincial_rule_set: string | null;
  low_income_workers: number | null;
  agree_votes: number | null;
  present_votes: number | null;
  voted_at: Date | string | null;
  certificate_number: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  complaints_total?: number;
  complaints_open?: number;
}

/** One household as the API returns it; personal fields masked unless the reader may see them. */
export interface HouseholdView {
  code: string;
  headName: string;
  idNumber: string | null;
  address: string | null;
  memberCount: number;
  area: Area;
  source: HouseholdSource;
  note: string | null;
  incomePerCapitaMonthly: number | null;
  deprivations: string[] | null;
  surveyed: boolean;
  surveyedAt: string | null;
  /** The national classification: the one national reports count and certificates are issued for. */
  classification: HouseholdClass | null;
  /** `reasons` (Vietnamese sentences) and `explanation` (the line applied, the income, the deprived indicators). */
  explanation: HouseholdRow['explanation'];
  /** The national rule set's period. */
  ruleSet: string | null;
  /**
   * Beside the national one: the class under the province's own lines for the campaign's lists
   * year (for the province's own programmes); `null` when the province has none or not surveyed.
   */
  provincial: {
    classification: HouseholdClass;
    explanation: HouseholdRow['provincial_explanation'];
    ruleSet: string;
  } | null;
  /** Workers earning at most the low-income worker line a month; `null` when not counted. */
  lowIncomeWorkers: number | null;
  votes: { agree: number; present: number; share: number | null; votedAt: string | null } | null;
  certificateNumber: string | null;
  complaints: { total: number; open: number };
  updatedAt: string;
}

/** The result of a change: the household as the actor may see it, and whether anything changed (false for a repeated request). */
export interface HouseholdChange {
  household: HouseholdView;
  changed: boolean;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export function incomeOf(row: Pick<HouseholdRow, 'income_per_capita_monthly'>): number | null {
  return row.income_per_capita_monthly === null ? null : Number(row.income_per_capita_monthly);
}

/** The row as the API shows it: `personal` false masks the head's name and ID number and withholds address and note. */
export function householdView(row: HouseholdRow, personal: boolean): HouseholdView {
  return {
    code: row.code,
    headName: personal ? row.head_name : maskName(row.head_name),
    idNumber: personal ? row.id_number : maskIdNumber(row.id_number),
    address: personal ? row.address : null,
    memberCount: row.member_count,
    area: row.area,
    source: row.source,
    note: personal ? row.note : null,
    incomePerCapitaMonthly: incomeOf(row),
    deprivations: row.deprivations,
    surveyed: row.surveyed_at !== null,
    surveyedAt: iso(row.surveyed_at),
    classification: row.classification,
    explanation: row.explanation,
    ruleSet: row.rule_set,
    provincial:
      row.provincial_classification === null || row.provincial_rule_set === null
        ? null
        : {
            classification: row.provincial_classification,
            explanation: row.provincial_explanation,
            ruleSet: row.provincial_rule_set,
          },
    lowIncomeWorkers: row.low_income_workers,
    votes:
      row.present_votes === null || row.agree_votes === null
        ? null
        : {
            agree: row.agree_votes,
            present: row.present_votes,
            share: agreementShare(row.agree_votes, row.present_votes),
            votedAt: iso(row.voted_at),
          },
    certificateNumber: row.certificate_number,
    complaints: { total: row.complaints_total ?? 0, open: row.complaints_open ?? 0 },
    updatedAt: iso(row.updated_at) as string,
  };
}

/**
 * The row as a line of the household file (the import's columns). Masked for readers who may not
 * see personal data: initials for the name, no ID number, address or note (a masked ID number is
 * not a valid CCCD, and the file must read back).
 */
export function householdRecord(row: HouseholdRow, personal: boolean): HouseholdRecordInput {
  const income = incomeOf(row);
  return {
    householdCode: row.code,
    headName: personal ? row.head_name : maskName(row.head_name),
    ...(personal && row.id_number !== null ? { idNumber: row.id_number } : {}),
    ...(personal && row.address !== null ? { address: row.address } : {}),
    memberCount: row.member_count,
    area: row.area,
    source: row.source,
    ...(income !== null ? { incomePerCapitaMonthly: income } : {}),
    ...(row.deprivations !== null ? { deprivations: row.deprivations } : {}),
    ...(personal && row.note !== null ? { note: row.note } : {}),
  };
}

const collator = new Intl.Collator('vi', { numeric: true, sensitivity: 'base' });

/** Household codes in the order people expect: H2 before H10. */
export function compareCodes(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
