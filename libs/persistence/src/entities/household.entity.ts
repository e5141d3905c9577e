import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** Why a household is on the village's review list (`HouseholdSource` of @rasoat/household-records). */
export type HouseholdListSource = 'previous_poor' | 'previous_near_poor' | 'newly_arising' | 'request';

/** The class a survey gave (`HouseholdClass` of @rasoat/poverty-rules); null until surveyed. */
export type HouseholdClassification = 'poor' | 'near_poor' | 'average' | 'not_poor';

/**
 * One household of a village case's review list (migration Migration20261123170000Households).
 * `headName`, `idNumber` and `address` are personal data: shown in full only to the village's and
 * its commune's officials, never logged nor written to the case history (codes only).
 * Codes are unique per case whatever their case (`lower(code)`).
 */
@Entity({ tableName: 'household' })
@Index({
  name: 'household_case_id_code_unique',
  expression: 'create unique index "household_case_id_code_unique" on "household" ("case_id", lower("code"))',
})
export class Household {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  caseId!: string;

  /** Mã hộ, as the village writes it. */
  @Property({ type: 'text' })
  code!: string;

  @Property({ type: 'text' })
  headName!: string;

  /** Số CCCD / định danh of the head: 12 digits. */
  @Property({ type: 'text', nullable: true })
  idNumber?: string | null;

  @Property({ type: 'text', nullable: true })
  address?: string | null;

  @Property({ type: 'integer' })
  memberCount!: number;

  @Property({ type: 'text' })
  area!: 'rural' | 'urban';

  @Property({ type: 'text' })
  source!: HouseholdListSource;

  @Property({ type: 'text', nullable: true })
  note?: string | null;

  /** Estimated average income per person per month, whole đồng; null until surveyed. */
  @Property({ type: new BigIntType('number'), nullable: true })
  incomePerCapitaMonthly?: number | null;

  /** Codes of the period's deprivation indicators; `[]` surveyed and deprived in nothing, null not surveyed. */
  @Property({ type: 'jsonb', nullable: true })
  deprivations?: string[] | null;

  @Property({ type: 'datetime', nullable: true })
  surveyedAt?: Date | null;

  /** Subject of the token that recorded the survey answers. */
  @Property({ type: 'text', nullable: true })
  surveyedBy?: string | null;

  @Property({ type: 'text', nullable: true })
  classification?: HouseholdClassification | null;

  /** `{ reasons, explanation }` as `classifyHousehold` returned them: the line applied, the income, the deprived indicators. */
  @Property({ type: 'jsonb', nullable: true })
  explanation?: Record<string, unknown> | null;

  /** The national rule set that classified (its period): the classification national reports count. */
  @Property({ type: 'text', nullable: true })
  ruleSet?: string | null;

  /**
   * The class under the province's own lines (for its own programmes), beside the national one;
   * null when the province has no lines for the campaign's lists year (migration
   * Migration20261207100000PovertyStandard).
   */
  @Property({ type: 'text', nullable: true })
  provincialClassification?: HouseholdClassification | null;

  @Property({ type: 'jsonb', nullable: true })
  provincialExplanation?: Record<string, unknown> | null;

  /** The period with `+<province>` (`2022-2025+24`). */
  @Property({ type: 'text', nullable: true })
  provincialRuleSet?: string | null;

  /** Workers of the household earning at most the low-income worker line a month; null when not counted. */
  @Property({ type: 'integer', nullable: true })
  lowIncomeWorkers?: number | null;

  /** Residents' meeting: votes agreeing with the result, out of those present. */
  @Property({ type: 'integer', nullable: true })
  agreeVotes?: number | null;

  @Property({ type: 'integer', nullable: true })
  presentVotes?: number | null;

  @Property({ type: 'datetime', nullable: true })
  votedAt?: Date | null;

  /** Giấy chứng nhận hộ nghèo / cận nghèo, after recognition. */
  @Property({ type: 'text', nullable: true })
  certificateNumber?: string | null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
