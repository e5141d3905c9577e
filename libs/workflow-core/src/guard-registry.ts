import { z } from 'zod';
import { readPath, type CaseContext, type HouseholdFacts } from './case-context';

/** An operand of a guard: a literal, a path into the case (`{ path: 'event.attendees' }`), or a parameter. */
export const OperandSchema = z.union([
  z.number(),
  z.string(),
  z.boolean(),
  z.strictObject({
    path: z
      .string()
      .regex(
        /^(event|data|counters|milestones|households)(\.[A-Za-z0-9_]+)+$/,
        'must be a path like event.field, data.EVENT.field, counters.name, households.surveyed',
      ),
  }),
]);
export type Operand = z.infer<typeof OperandSchema>;

export interface GuardInput {
  context: CaseContext;
  eventData: Record<string, unknown>;
  /** The case's household facts, when the adapter supplied them (the definition reads them). */
  facts?: HouseholdFacts;
}

/** A predicate of the closed guard set that definitions may name. */
export interface GuardDefinition<P = Record<string, unknown>> {
  description: { vi: string; en: string };
  params: z.ZodType<P>;
  evaluate(input: GuardInput, params: P): boolean;
}

function value(op: Operand, input: GuardInput): unknown {
  return typeof op === 'object' ? readPath(op.path, input.context, input.eventData, input.facts) : op;
}

function num(op: Operand, input: GuardInput): number | undefined {
  const v = value(op, input);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const comparators = {
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  gt: (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a > b,
  gte: (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a >= b,
  lt: (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a < b,
  lte: (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && a <= b,
} as const;

const ratio = z.number().min(0).max(1);

/**
 * The built-in guards. Each is documented in Vietnamese and English because admins read
 * this list when they write definitions (`rasoat definitions guards`).
 */
export const BUILTIN_GUARDS = {
  compare: {
    description: {
      vi: 'So sánh hai giá trị (eq, ne, gt, gte, lt, lte).',
      en: 'Compares two operands (eq, ne, gt, gte, lt, lte).',
    },
    params: z.strictObject({
      left: OperandSchema,
      op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte']),
      right: OperandSchema,
    }),
    // A missing operand never satisfies a comparison: two absent fields are not "equal".
    evaluate: (input, p) => {
      const [l, r] = [value(p.left, input), value(p.right, input)];
      return l !== undefined && r !== undefined && comparators[p.op](l, r);
    },
  } satisfies GuardDefinition<{ left: Operand; op: keyof typeof comparators; right: Operand }>,
  quorumReached: {
    description: {
      vi: 'Đủ tỷ lệ: tử số ≥ tỷ lệ × mẫu số (ví dụ số người đồng ý ≥ 50% tổng số người dự họp).',
      en: 'A share reached: numerator ≥ ratio × denominator (e.g. those agreeing are at least 50% of those attending).',
    },
    params: z.strictObject({ numerator: OperandSchema, denominator: OperandSchema, ratio }),
    evaluate: (input, p) => {
      const n = num(p.numerator, input);
      const d = num(p.denominator, input);
      // n / d, not ratio × d: 0.55 × 100 is 55.00000000000001 in floating point, so 55 of 100 would fail.
      return n !== undefined && d !== undefined && d > 0 && n / d >= p.ratio;
    },
  } satisfies GuardDefinition<{ numerator: Operand; denominator: Operand; ratio: number }>,
  counterIsZero: {
    description: {
      vi: 'Bộ đếm bằng 0 (ví dụ không còn khiếu nại chưa giải quyết).',
      en: 'A counter is zero (e.g. no open complaints).',
    },
    params: z.strictObject({ counter: z.string().regex(/^[a-z][A-Za-z0-9]*$/) }),
    evaluate: (input, p) => (input.context.counters[p.counter] ?? 0) === 0,
  } satisfies GuardDefinition<{ counter: string }>,
  isTrue: {
    description: { vi: 'Một trường có giá trị đúng (true).', en: 'A field is true.' },
    params: z.strictObject({ value: OperandSchema }),
    evaluate: (input, p) => value(p.value, input) === true,
  } satisfies GuardDefinition<{ value: Operand }>,
  allHouseholdsSurveyed: {
    description: {
      vi: 'Mọi hộ trong danh sách rà soát đã được thu thập thông tin, chấm điểm (và danh sách không rỗng).',
      en: 'Every listed household has been surveyed and scored (and the list is not empty).',
    },
    params: z.strictObject({}),
    evaluate: (input) => !!input.facts && input.facts.total > 0 && input.facts.surveyed === input.facts.total,
  } satisfies GuardDefinition<Record<string, never>>,
  noOpenComplaints: {
    description: {
      vi: 'Không còn khiếu nại chưa giải quyết về danh sách hộ.',
      en: 'No complaint about the household list is still open.',
    },
    params: z.strictObject({}),
    evaluate: (input) => !!input.facts && input.facts.openComplaints === 0,
  } satisfies GuardDefinition<Record<string, never>>,
  householdsAgreed: {
    description: {
      vi: 'Mọi hộ đã được đưa ra họp dân và mỗi hộ đạt tỷ lệ đồng ý tối thiểu.',
      en: 'Every household was put to the meeting and each reached the minimum agreement share.',
    },
    params: z.strictObject({ ratio }),
    evaluate: (input, p) =>
      !!input.facts &&
      input.facts.total > 0 &&
      input.facts.voted === input.facts.total &&
      input.facts.minAgreement >= p.ratio,
  } satisfies GuardDefinition<{ ratio: number }>,
} as const;

/** Guards that read the household facts: a definition naming one makes the adapter compute them. */
export const HOUSEHOLD_GUARDS: ReadonlySet<string> = new Set([
  'allHouseholdsSurveyed',
  'noOpenComplaints',
  'householdsAgreed',
]);

export type GuardRegistry = Record<string, GuardDefinition<any>>;
