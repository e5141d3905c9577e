import type { Definition } from './definition.schema';

/** The days a version may start campaigns on: from `effectiveFrom` to `effectiveTo`, both included, each optional. */
export type EffectivePeriod = Partial<Record<'effectiveFrom' | 'effectiveTo', string | null>>;

/**
 * Where a campaign starting on `date` (YYYY-MM-DD) stands against a version's effective period:
 * `before` it takes effect, `in` it, or `after` its last day. Civil dates compare as text.
 */
export function effectivePeriodPosition(
  period: EffectivePeriod | Pick<Definition, 'effectiveFrom' | 'effectiveTo'>,
  date: string,
): 'before' | 'in' | 'after' {
  if (period.effectiveFrom && date < period.effectiveFrom) return 'before';
  if (period.effectiveTo && date > period.effectiveTo) return 'after';
  return 'in';
}
