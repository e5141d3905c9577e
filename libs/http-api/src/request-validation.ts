import type { z } from 'zod';
import { DomainException } from '@rasoat/engine';

type Where = 'body' | 'query' | 'params' | 'headers';

export class RequestInvalidException extends DomainException {
  constructor(where: Where, fields: { field: string; message: string }[]) {
    super(
      'invalid',
      'REQUEST_INVALID',
      `Yêu cầu không hợp lệ / invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
      { where, fields },
    );
  }
}

/** Parses a request part with its zod schema; errors name each field by its path. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, where: Where): z.infer<T> {
  const result = schema.safeParse(where === 'body' || where === 'query' ? (value ?? {}) : value);
  if (result.success) return result.data;
  throw new RequestInvalidException(
    where,
    result.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({ field: [...i.path.map(String), k].join('.'), message: `unknown field "${k}"` }))
        : [{ field: i.path.map(String).join('.') || '(root)', message: i.message }],
    ),
  );
}
