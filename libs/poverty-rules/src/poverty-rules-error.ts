/** Stable codes of every failure the poverty-rules library (and its loaders) report. */
export const PovertyRulesErrorCode = {
  InvalidRuleSet: 'POVERTY_RULES_INVALID_RULE_SET',
  InvalidProvinceLines: 'POVERTY_RULES_INVALID_PROVINCE_LINES',
  InvalidHousehold: 'POVERTY_RULES_INVALID_HOUSEHOLD',
  UnknownPeriod: 'POVERTY_RULES_UNKNOWN_PERIOD',
  UnknownProvince: 'POVERTY_RULES_UNKNOWN_PROVINCE',
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
