import { z } from 'zod';
import type { CaseContext } from './case-context';

/**
 * An action of the closed set that definitions may name. An action either changes the
 * case's context (`update`) or asks an adapter to do something (`effect`), never both, and
 * never does IO itself.
 */
export interface ActionDefinition<P = Record<string, unknown>> {
  description: { vi: string; en: string };
  params: z.ZodType<P>;
  update?(context: CaseContext, params: P): CaseContext;
  effect?(params: P): NotifyEffectSpec;
}

export interface NotifyEffectSpec {
  kind: 'notify';
  role: string;
  template: string;
}

const counterName = z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'must be camelCase');

export const BUILTIN_ACTIONS = {
  increment: {
    description: { vi: 'Tăng một bộ đếm.', en: 'Increments a counter.' },
    params: z.strictObject({ counter: counterName, by: z.number().int().default(1) }),
    update: (ctx, p) => ({ ...ctx, counters: { ...ctx.counters, [p.counter]: (ctx.counters[p.counter] ?? 0) + p.by } }),
  } satisfies ActionDefinition<{ counter: string; by: number }>,
  resetCounter: {
    description: { vi: 'Đặt lại bộ đếm về 0.', en: 'Resets a counter to zero.' },
    params: z.strictObject({ counter: counterName }),
    update: (ctx, p) => ({ ...ctx, counters: { ...ctx.counters, [p.counter]: 0 } }),
  } satisfies ActionDefinition<{ counter: string }>,
  notify: {
    description: { vi: 'Gửi thông báo cho một vai trò.', en: 'Notifies a role.' },
    params: z.strictObject({ role: z.string().min(1), template: z.string().regex(/^[a-z][a-z0-9-]*$/) }),
    effect: (p) => ({ kind: 'notify', role: p.role, template: p.template }),
  } satisfies ActionDefinition<{ role: string; template: string }>,
} as const;

export type ActionRegistry = Record<string, ActionDefinition<any>>;
