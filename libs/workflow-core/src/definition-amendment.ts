import type { Definition, FieldSpec } from './definition.schema';
import { stableJson } from './stable-json';

/**
 * Field keys a published version may take on in place (an amendment) rather than in a new
 * version: `personal` only changes who reads a text, and `max` only bounds what is accepted
 * from now on. Neither changes a step, a guard or anything a case already went through.
 */
const AMENDABLE_FIELD_KEYS = new Set(['personal', 'max']);

/**
 * True when `next` differs from `published` only in amendable field keys (personal-text
 * markers, numeric maxima): what the shipped definitions took on when those keys came in,
 * applied to databases that had published the versions before.
 */
export function isFieldMarkingAmendment(published: Definition, next: Definition): boolean {
  return stableJson(withoutMarkings(published)) === stableJson(withoutMarkings(next));
}

function withoutMarkings(definition: Definition): unknown {
  const strip = (fields: Record<string, FieldSpec>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(fields).map(([name, field]) => {
        const kept = Object.fromEntries(Object.entries(field).filter(([key]) => !AMENDABLE_FIELD_KEYS.has(key)));
        return [name, field.type === 'list' ? { ...kept, items: strip(field.items) } : kept];
      }),
    );
  return {
    ...definition,
    events: Object.fromEntries(
      Object.entries(definition.events).map(([type, spec]) => [type, { ...spec, fields: strip(spec.fields) }]),
    ),
  };
}
