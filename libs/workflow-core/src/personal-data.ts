import type { Definition, FieldSpec } from './definition.schema';

/** What a reader outside the case's village and commune sees in place of personal free text. */
export const MASKED_TEXT = '[ẩn]';

/**
 * An event payload with the values of its `personal` fields replaced by MASKED_TEXT: a string
 * becomes the placeholder, each item of a string list too (the list keeps its length), and the
 * marked fields of each record of a list field likewise. Values of another type than the spec's
 * (data written before a field was marked) are masked whole. Other fields, unknown event types
 * and absent values are left as they are; the input is not changed.
 */
export function maskPersonalFields(definition: Definition, eventType: string, data: Record<string, unknown>): Record<string, unknown> {
  const spec = Object.hasOwn(definition.events, eventType) ? definition.events[eventType] : undefined;
  return spec ? maskRecord(spec.fields, data) : data;
}

function maskRecord(fields: Record<string, FieldSpec>, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const [name, field] of Object.entries(fields)) {
    if (!Object.hasOwn(data, name) || data[name] === null || data[name] === undefined) continue;
    out[name] = maskValue(field, data[name]);
  }
  return out;
}

/** One field's value as a reader without access to personal data sees it. */
export function maskValue(field: FieldSpec, value: unknown): unknown {
  if (field.type === 'list') {
    return Array.isArray(value) ? value.map((item) => (item !== null && typeof item === 'object' && !Array.isArray(item) ? maskRecord(field.items, item as Record<string, unknown>) : item)) : value;
  }
  if ((field.type !== 'string' && field.type !== 'string-list') || field.personal !== true) return value;
  if (field.type === 'string-list' && Array.isArray(value)) return value.map(() => MASKED_TEXT);
  return MASKED_TEXT;
}
