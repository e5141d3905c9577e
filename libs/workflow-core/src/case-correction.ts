import { z } from 'zod';
import type { CaseSnapshot } from './case-transition';
import type { Definition } from './definition.schema';
import { fieldSchema, payloadErrors, type PayloadError } from './event-payload';

/**
 * The event type of a correction in a case's inbox. Lower case, so that no definition can
 * declare an event of that name (event types are UPPER_SNAKE_CASE).
 */
export const CORRECTION_EVENT = 'correction';

/**
 * A correction of one value an applied event wrote: `data.<event>.<field>` of the case becomes
 * `value`. Sent by an administrator; applied in the case's order like any event; it never moves
 * the case between steps and re-runs no guard.
 */
export const CorrectionSchema = z.strictObject({
  /** The event whose recorded payload holds the value, e.g. `REVIEW_LIST_SUBMITTED` (a field name alone can be ambiguous: `poorCount`). */
  event: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an event type such as REVIEW_LIST_SUBMITTED'),
  /** A field of that event, e.g. `householdCount`. */
  field: z.string().regex(/^[a-z][A-Za-z0-9_]*$/, 'must be a field name such as householdCount'),
  /** The new value, checked against the field's spec as when the event was sent. */
  value: z.unknown(),
  /** Why: kept in the case's history with who corrected and the old and new values. */
  reason: z.string().trim().min(3).max(2000),
});
export type Correction = z.infer<typeof CorrectionSchema>;

/**
 * Checks a correction against the case's definition: an unknown event or field, or a value its
 * field spec refuses, is a problem naming the correction's own field (`event`, `field`, `value`,
 * `value[2].income`, …). Answers the correction with its value as the field's schema reads it
 * (strings trimmed), or the problems.
 */
export function checkCorrection(
  definition: Definition,
  input: unknown,
): { ok: true; correction: Correction } | { ok: false; errors: PayloadError[] } {
  const parsed = CorrectionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: payloadErrors(parsed.error) };
  const { event, field, value } = parsed.data;
  const spec = Object.hasOwn(definition.events, event) ? definition.events[event] : undefined;
  if (!spec)
    return {
      ok: false,
      errors: [
        { field: 'event', message: `loại sự kiện "${event}" không có trong quy trình / unknown event type "${event}"` },
      ],
    };
  const fieldSpec = Object.hasOwn(spec.fields, field) ? spec.fields[field] : undefined;
  if (!fieldSpec) {
    return {
      ok: false,
      errors: [
        {
          field: 'field',
          message: `${event} không có trường "${field}" / ${event} has no field "${field}"; fields: ${Object.keys(spec.fields).join(', ') || '(none)'}`,
        },
      ],
    };
  }
  const checked = fieldSchema(fieldSpec).safeParse(value);
  if (checked.success) return { ok: true, correction: { ...parsed.data, value: checked.data } };
  const at = (path: string) =>
    path === '(payload)' ? 'value' : path.startsWith('[') ? `value${path}` : `value.${path}`;
  return { ok: false, errors: payloadErrors(checked.error).map((e) => ({ field: at(e.field), message: e.message })) };
}

export type CorrectionResult =
  | { outcome: 'applied'; snapshot: CaseSnapshot; correction: Correction; previous: unknown }
  | { outcome: 'rejected'; code: 'INVALID_CORRECTION' | 'NOTHING_TO_CORRECT'; message: string };

/**
 * Applies a correction to a snapshot's data: pure, never throws. The value must fit the field
 * (checked again: the definition is the case's pinned version) and the event must have been
 * applied to the case (its payload is in the snapshot). Step, status, counters and milestones
 * stay as they are; a completed case may be corrected too.
 */
export function applyCorrection(definition: Definition, current: CaseSnapshot, input: unknown): CorrectionResult {
  const checked = checkCorrection(definition, input);
  if (!checked.ok)
    return {
      outcome: 'rejected',
      code: 'INVALID_CORRECTION',
      message: checked.errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    };
  const { correction } = checked;
  const recorded = Object.hasOwn(current.context.data, correction.event)
    ? current.context.data[correction.event]
    : undefined;
  if (!recorded) {
    return {
      outcome: 'rejected',
      code: 'NOTHING_TO_CORRECT',
      message: `Hồ sơ chưa có dữ liệu ${correction.event} để sửa / no ${correction.event} was applied to this case`,
    };
  }
  const previous = Object.hasOwn(recorded, correction.field) ? recorded[correction.field] : null;
  const data = { ...current.context.data, [correction.event]: { ...recorded, [correction.field]: correction.value } };
  return { outcome: 'applied', snapshot: { ...current, context: { ...current.context, data } }, correction, previous };
}
