import type { Definition, FieldSpec } from './definition.schema';

/** What a reader outside the case's village and commune sees in place of personal free text. */
export const MASKED_TEXT = '[ẩn]';

/**
 * An event payload with the values of its `personal` fields replaced by MASKED_TEXT: a string
 * becomes the placeholder, each item of a string list too (the list keeps its length), and the
 * marked fields of each record of a list field likewise. Values of another type than the spec's
 * (data written before a field was marked) are masked whole; absent and null values stay. The
 * payload of an event type the definition does not declare (recorded under another version,
 * before a migration) cannot be told apart: every string in it is masked. The input is not changed.
 */
export function maskPersonalFields(
  definition: Definition,
  eventType: string,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const spec = Object.hasOwn(definition.events, eventType) ? definition.events[eventType] : undefined;
  return spec ? maskRecord(spec.fields, data) : (maskAllText(data) as Record<string, unknown>);
}

function maskAllText(value: unknown): unknown {
  if (typeof value === 'string') return MASKED_TEXT;
  if (Array.isArray(value)) return value.map(maskAllText);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAllText(v)]));
  return value;
}

function maskRecord(fields: Record<string, FieldSpec>, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const [name, field] of Object.entries(fields)) {
    if (!Object.hasOwn(data, name) || data[name] === null || data[name] === undefined) continue;
    out[name] = maskValue(field, data[name]);
  }
  return out;
}

/** One field's value as a reader without access to personal data sees it (null and absent stay). */
function maskValue(field: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (field.type === 'list') {
    return Array.isArray(value)
      ? value.map((item) =>
          item !== null && typeof item === 'object' && !Array.isArray(item)
            ? maskRecord(field.items, item as Record<string, unknown>)
            : item,
        )
      : value;
  }
  if ((field.type !== 'string' && field.type !== 'string-list') || field.personal !== true) return value;
  if (field.type === 'string-list' && Array.isArray(value)) return value.map(() => MASKED_TEXT);
  return MASKED_TEXT;
}
