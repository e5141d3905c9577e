import { z } from 'zod';
import { CivilDateSchema, type CivilDate } from './civil-date';

/**
 * When a deadline falls, as process definitions declare it. `from` names a milestone instant of
 * the case: `stepEntered` (the default), `campaignStart`, or a step id whose entry was recorded.
 * Definitions may write `{ param: name }` for `days`; the definition compiler replaces it with
 * the number before the rule reaches this library.
 */
export type DeadlineRule =
  | { kind: 'workingDays'; days: number; from: string }
  | { kind: 'calendarDays'; days: number; from: string }
  | { kind: 'date'; date: CivilDate }
  | { kind: 'windowEnd' }
  | { kind: 'earliest'; of: DeadlineRule[] };

/** The milestone a relative rule counts from when it names none. */
export const DEFAULT_DEADLINE_MILESTONE = 'stepEntered';

const dayCount = z.number().int().min(0);
const milestone = z.string().min(1).default(DEFAULT_DEADLINE_MILESTONE);

export const DeadlineRuleSchema: z.ZodType<DeadlineRule> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('workingDays'), days: dayCount, from: milestone }),
    z.strictObject({ kind: z.literal('calendarDays'), days: dayCount, from: milestone }),
    z.strictObject({ kind: z.literal('date'), date: CivilDateSchema }),
    z.strictObject({ kind: z.literal('windowEnd') }),
    z.strictObject({ kind: z.literal('earliest'), of: z.array(DeadlineRuleSchema).min(2) }),
  ]),
) as z.ZodType<DeadlineRule>;
