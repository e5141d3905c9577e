import { z } from 'zod';
import type { Definition, FieldSpec } from './definition.schema';
import { fieldBounds } from './field-limits';

/** The runtime schema of one field's value (a correction is checked against it too). */
export function fieldSchema(spec: FieldSpec): z.ZodType {
  switch (spec.type) {
    case 'string': {
      let s = z
        .string()
        .trim()
        .min(spec.minLength ?? 1);
      if (spec.maxLength !== undefined) s = s.max(spec.maxLength);
      return s;
    }
    case 'integer':
    case 'number': {
      // Always bounded (the definition's min/max, else the default range): a huge value would
      // break every sum that reads it.
      const { min, max } = fieldBounds(spec);
      const s = spec.type === 'integer' ? z.number().int('phải là số nguyên / must be an integer') : z.number();
      return s.min(min, `phải ≥ ${min} / must be at least ${min}`).max(max, `phải ≤ ${max} / must be at most ${max}`);
    }
    case 'boolean':
      return z.boolean();
    case 'date':
      return z.iso.date();
    case 'enum':
      return z.enum(spec.values as [string, ...string[]]);
    case 'string-list': {
      const s = z.array(z.string().min(1));
      return spec.maxItems !== undefined ? s.max(spec.maxItems) : s;
    }
    case 'list': {
      let s = z.array(recordSchema(spec.items));
      if (spec.minItems !== undefined) s = s.min(spec.minItems);
      if (spec.maxItems !== undefined) s = s.max(spec.maxItems);
      return s;
    }
  }
}

function recordSchema(fields: Record<string, FieldSpec>): z.ZodType<Record<string, unknown>> {
  const shape = Object.fromEntries(
    Object.entries(fields).map(([name, f]) => [name, f.required ? fieldSchema(f) : fieldSchema(f).optional()]),
  );
  return z.strictObject(shape) as unknown as z.ZodType<Record<string, unknown>>;
}

/** The runtime schema of one event's payload, built from the fields its definition declares. */
export function eventPayloadSchema(definition: Definition, eventType: string): z.ZodType<Record<string, unknown>> {
  return recordSchema(definition.events[eventType]?.fields ?? {});
}

/** A payload problem, named by the field's path (`attendees`, `households[2]`). */
export interface PayloadError {
  field: string;
  message: string;
}

export function payloadErrors(error: z.ZodError): PayloadError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((k) => ({ field: k, message: `unknown field "${k}"` }));
    const field = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
      .join('.')
      .replace(/\.\[/g, '[');
    return [{ field: field || '(payload)', message: issue.message }];
  });
}
