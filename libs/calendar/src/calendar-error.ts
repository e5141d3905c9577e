/** Stable codes of every failure the calendar library reports. */
export const CalendarErrorCode = {
  InvalidDate: 'CALENDAR_INVALID_DATE',
  InvalidInstant: 'CALENDAR_INVALID_INSTANT',
  InvalidArgument: 'CALENDAR_INVALID_ARGUMENT',
  OutOfRange: 'CALENDAR_OUT_OF_RANGE',
  InvalidLunarDate: 'CALENDAR_INVALID_LUNAR_DATE',
  InvalidData: 'CALENDAR_INVALID_DATA',
  InvalidDeadlineRule: 'CALENDAR_INVALID_DEADLINE_RULE',
  UnknownMilestone: 'CALENDAR_UNKNOWN_MILESTONE',
} as const;
export type CalendarErrorCode = (typeof CalendarErrorCode)[keyof typeof CalendarErrorCode];

/** The one exception of the calendar library; `issues` lists every problem of invalid data at once. */
export class CalendarError extends Error {
  constructor(
    readonly code: CalendarErrorCode,
    message: string,
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(issues.length > 0 ? `${message}\n${issues.map((i) => `  ${i}`).join('\n')}` : message, options);
    this.name = 'CalendarError';
  }
}
