/**
 * Bounds of the numeric fields of event payloads (`integer`, `number`, and such items of `list`
 * fields). Every such field has an effective range, so that no payload can carry a value that
 * breaks what reads it later: the reports sum these values over a whole province or the nation.
 */

/**
 * The largest magnitude a definition may allow (`max` ≤ 10^9, `min` ≥ −10^9). One value stays
 * below PostgreSQL's `integer` (2^31 − 1 ≈ 2.1 × 10^9), and a sum over every village of the
 * country (about 10^5 cases × 10^9 = 10^14) stays exact in a JavaScript number (2^53 ≈ 9 × 10^15)
 * and far inside `bigint`. 10^9 đồng a month is still above any income a form records.
 */
export const FIELD_VALUE_CEILING = 1_000_000_000;

/** The range of a numeric field whose definition names no `max` (or no `min`): ±1,000,000. */
export const DEFAULT_FIELD_MAX = 1_000_000;

/** The range a numeric field's values must lie in: the definition's `min`/`max`, else ±DEFAULT_FIELD_MAX. */
export function fieldBounds(spec: { min?: number; max?: number }): { min: number; max: number } {
  return { min: spec.min ?? -DEFAULT_FIELD_MAX, max: spec.max ?? DEFAULT_FIELD_MAX };
}
