import type { Definition, FieldSpec } from './definition.schema';
import { stableJson } from './stable-json';

/**
 * Field keys a published version may take on in place (an amendment) rather than in a new
 * version: `personal` only changes who reads a text, and `max` only bounds what is accepted
 * from now on. Neither changes a step, a guard or anything a case already went through.
 */
const AMENDABLE_FIELD_KEYS = new Set(['personal', 'max']);

/**
 * Top-level keys amendable in place: `effectiveTo` only refuses new campaigns that would start
 * after it (e.g. 2025-06-30 on the procedure with a district step); running cases keep their version.
 */
const AMENDABLE_TOP_KEYS = ['effectiveTo'] as const;

/**
 * True when `next` differs from `published` only in amendable markings (personal-text markers,
 * numeric maxima, the last day for new campaigns): what the shipped definitions took on when
 * those keys came in, applied to databases that had published the versions before.
 */
export function isFieldMarkingAmendment(published: Definition, next: Definition): boolean {
  return stableJson(withoutMarkings(published)) === stableJson(withoutMarkings(next));
}

/** The amendable markings in which an amended version differs from the published one, e.g. `["effectiveTo", "personal"]`. */
export function amendedMarkings(published: Definition, next: Definition): string[] {
  const changed = new Set<string>(AMENDABLE_TOP_KEYS.filter((key) => published[key] !== next[key]));
  const compare = (a: Record<string, FieldSpec> = {}, b: Record<string, FieldSpec> = {}) => {
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const [before, after] = [
        a[name] as Record<string, unknown> | undefined,
        b[name] as Record<string, unknown> | undefined,
      ];
      for (const key of AMENDABLE_FIELD_KEYS) if (before?.[key] !== after?.[key]) changed.add(key);
      if (a[name]?.type === 'list' && b[name]?.type === 'list')
        compare(
          (a[name] as { items: Record<string, FieldSpec> }).items,
          (b[name] as { items: Record<string, FieldSpec> }).items,
        );
    }
  };
  for (const type of new Set([...Object.keys(published.events), ...Object.keys(next.events)]))
    compare(published.events[type]?.fields, next.events[type]?.fields);
  return [...changed];
}

function withoutMarkings(definition: Definition): unknown {
  const strip = (fields: Record<string, FieldSpec>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(fields).map(([name, field]) => {
        const kept = Object.fromEntries(Object.entries(field).filter(([key]) => !AMENDABLE_FIELD_KEYS.has(key)));
        return [name, field.type === 'list' ? { ...kept, items: strip(field.items) } : kept];
      }),
    );
  const rest = Object.fromEntries(
    Object.entries(definition).filter(([key]) => !(AMENDABLE_TOP_KEYS as readonly string[]).includes(key)),
  );
  return {
    ...rest,
    events: Object.fromEntries(
      Object.entries(definition.events).map(([type, spec]) => [type, { ...spec, fields: strip(spec.fields) }]),
    ),
  };
}
