/** Stable codes of the failures the household-records library throws (imports never throw: they return errors). */
export const HouseholdRecordsErrorCode = {
  InvalidHouseholds: 'HOUSEHOLD_RECORDS_INVALID_HOUSEHOLDS',
  UnsupportedFormat: 'HOUSEHOLD_RECORDS_UNSUPPORTED_FORMAT',
} as const;
export type HouseholdRecordsErrorCode = (typeof HouseholdRecordsErrorCode)[keyof typeof HouseholdRecordsErrorCode];

/** Thrown by the export when given invalid records; `issues` lists every problem, each naming its path. */
export class HouseholdRecordsError extends Error {
  constructor(
    readonly code: HouseholdRecordsErrorCode,
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(issues.length > 0 ? `${message}\n${issues.map((issue) => `  ${issue}`).join('\n')}` : message);
    this.name = 'HouseholdRecordsError';
  }
}
