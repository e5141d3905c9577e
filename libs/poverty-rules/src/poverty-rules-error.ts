/** Stable codes of every failure the poverty-rules library (and its loaders) report. */
export const PovertyRulesErrorCode = {
  InvalidRuleSet: 'POVERTY_RULES_INVALID_RULE_SET',
  InvalidProvinceLines: 'POVERTY_RULES_INVALID_PROVINCE_LINES',
  InvalidHousehold: 'POVERTY_RULES_INVALID_HOUSEHOLD',
  UnknownPeriod: 'POVERTY_RULES_UNKNOWN_PERIOD',
  UnknownProvince: 'POVERTY_RULES_UNKNOWN_PROVINCE',
  InvalidListsYear: 'POVERTY_RULES_INVALID_LISTS_YEAR',
  /** Two rule sets (or one province's lines) in force on the same day. */
  OverlappingPeriods: 'POVERTY_RULES_OVERLAPPING_PERIODS',
  /** A process whose lists year is not declared. */
  UnknownProcess: 'POVERTY_RULES_UNKNOWN_PROCESS',
  /** No rule set is in force for the year the lists apply. */
  NoRuleSetInForce: 'POVERTY_RULES_NO_RULE_SET_IN_FORCE',
} as const;
export type PovertyRulesErrorCode = (typeof PovertyRulesErrorCode)[keyof typeof PovertyRulesErrorCode];

/** The one exception of the poverty-rules context; `issues` lists every problem at once, each naming its path. */
export class PovertyRulesError extends Error {
  constructor(
    readonly code: PovertyRulesErrorCode,
    message: string,
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(issues.length > 0 ? `${message}\n${issues.map((i) => `  ${i}`).join('\n')}` : message, options);
    this.name = 'PovertyRulesError';
  }
}
