import { emptyCaseContext, readPath, type CaseContext } from './case-context';
import { BUILTIN_GUARDS, OperandSchema, type GuardInput } from './guard-registry';

const context: CaseContext = {
  data: { REVIEW_LIST_SUBMITTED: { householdCount: 40, note: null } },
  counters: { openComplaints: 2, resolved: 0 },
  milestones: { posting: '2025-10-03T00:00:00.000Z' },
};
const input = (eventData: Record<string, unknown> = {}, ctx: CaseContext = context): GuardInput => ({
  context: ctx,
  eventData,
});

describe('readPath', () => {
  it('reads the incoming event, earlier data, counters and milestones', () => {
    expect(readPath('event.attendees', context, { attendees: 20 })).toBe(20);
    expect(readPath('data.REVIEW_LIST_SUBMITTED.householdCount', context, {})).toBe(40);
    expect(readPath('counters.openComplaints', context, {})).toBe(2);
    expect(readPath('milestones.posting', context, {})).toBe('2025-10-03T00:00:00.000Z');
  });

  it('answers undefined for anything absent, without throwing', () => {
    expect(readPath('event.attendees', context, {})).toBeUndefined();
    expect(readPath('data.MEETING_HELD.attendees', context, {})).toBeUndefined();
    expect(readPath('data.REVIEW_LIST_SUBMITTED.note.deeper', context, {})).toBeUndefined();
    expect(readPath('event.attendees.count', context, { attendees: 20 })).toBeUndefined();
    expect(readPath('milestones.recheck', context, {})).toBeUndefined();
    expect(readPath('household.size', context, { size: 3 })).toBeUndefined();
  });

  it('reads an untouched counter as zero, but not a path below a counter', () => {
    expect(readPath('counters.invalidMeetings', context, {})).toBe(0);
    expect(readPath('counters.openComplaints.x', context, {})).toBeUndefined();
  });

  it('reads a whole object when the path stops early', () => {
    expect(readPath('data.REVIEW_LIST_SUBMITTED', context, {})).toEqual({ householdCount: 40, note: null });
  });
});

describe('OperandSchema', () => {
  it('accepts literals and paths under the four roots', () => {
    for (const op of [
      3,
      'poor',
      true,
      { path: 'event.x' },
      { path: 'data.EVENT_X.y' },
      { path: 'counters.c' },
      { path: 'milestones.posting' },
    ]) {
      expect(OperandSchema.safeParse(op).success).toBe(true);
    }
  });

  it('rejects other roots, bare roots and extra keys', () => {
    for (const op of [
      { path: 'household.size' },
      { path: 'event' },
      { path: 'event.' },
      { path: 'event.x', default: 0 },
      null,
      [1],
    ]) {
      expect(OperandSchema.safeParse(op).success).toBe(false);
    }
  });
});

describe('compare', () => {
  const { compare } = BUILTIN_GUARDS;
  const cmp = (left: unknown, op: string, right: unknown, eventData: Record<string, unknown> = {}) =>
    compare.evaluate(input(eventData), compare.params.parse({ left, op, right }));

  it.each([
    ['eq', 3, 3, true],
    ['eq', 3, 4, false],
    ['eq', 'poor', 'poor', true],
    ['eq', 3, '3', false],
    ['ne', 3, 4, true],
    ['ne', 3, 3, false],
    ['gt', 4, 3, true],
    ['gt', 3, 3, false],
    ['gte', 3, 3, true],
    ['gte', 2, 3, false],
    ['lt', 2, 3, true],
    ['lt', 3, 3, false],
    ['lte', 3, 3, true],
    ['lte', 4, 3, false],
  ])('%s(%p, %p) is %p', (op, left, right, expected) => {
    expect(cmp(left, op, right)).toBe(expected);
  });

  it('compares the event with earlier data through paths', () => {
    const left = { path: 'event.householdsSurveyed' };
    const right = { path: 'data.REVIEW_LIST_SUBMITTED.householdCount' };
    expect(cmp(left, 'gte', right, { householdsSurveyed: 40 })).toBe(true);
    expect(cmp(left, 'gte', right, { householdsSurveyed: 39 })).toBe(false);
  });

  it('is false for every ordering op when a value is missing or not a number', () => {
    for (const op of ['gt', 'gte', 'lt', 'lte']) {
      expect(cmp({ path: 'event.missing' }, op, 0)).toBe(false);
      expect(cmp(0, op, { path: 'event.missing' })).toBe(false);
      expect(cmp({ path: 'event.n' }, op, 0, { n: '5' })).toBe(false);
    }
  });

  it('lets a missing value satisfy no comparison, not even ne (like SQL null)', () => {
    expect(cmp({ path: 'event.missing' }, 'eq', 0)).toBe(false);
    expect(cmp({ path: 'event.missing' }, 'ne', 0)).toBe(false);
    expect(cmp({ path: 'event.missing' }, 'eq', { path: 'event.alsoMissing' })).toBe(false);
    expect(cmp({ path: 'event.missing' }, 'eq', false)).toBe(false);
  });

  it('rejects unknown ops and extra params', () => {
    expect(compare.params.safeParse({ left: 1, op: '>=', right: 1 }).success).toBe(false);
    expect(compare.params.safeParse({ left: 1, op: 'eq', right: 1, strict: true }).success).toBe(false);
  });
});

describe('quorumReached', () => {
  const { quorumReached } = BUILTIN_GUARDS;
  const quorum = (numerator: unknown, denominator: unknown, ratio: number, eventData: Record<string, unknown> = {}) =>
    quorumReached.evaluate(input(eventData), quorumReached.params.parse({ numerator, denominator, ratio }));

  it('holds exactly at the ratio and not one below it', () => {
    expect(quorum(10, 20, 0.5)).toBe(true);
    expect(quorum(9, 20, 0.5)).toBe(false);
    expect(quorum(2, 3, 0.5)).toBe(true);
    expect(quorum(1, 3, 0.5)).toBe(false);
  });

  it('holds at decimal ratios despite floating point (55 of 100 is 55%)', () => {
    expect(quorum(55, 100, 0.55)).toBe(true);
    expect(quorum(99, 180, 0.55)).toBe(true);
    expect(quorum(54, 100, 0.55)).toBe(false);
    expect(quorum(7, 10, 0.7)).toBe(true);
  });

  it('never holds for a zero or missing denominator', () => {
    expect(quorum(0, 0, 0)).toBe(false);
    expect(quorum(5, 0, 0.5)).toBe(false);
    expect(quorum(5, { path: 'event.attendees' }, 0.5)).toBe(false);
    expect(quorum({ path: 'event.opinions' }, 10, 0)).toBe(false);
  });

  it('reads its operands through paths and ignores non-numbers', () => {
    const params = [{ path: 'event.opinions' }, { path: 'event.attendees' }, 0.5] as const;
    expect(quorum(...params, { opinions: 10, attendees: 20 })).toBe(true);
    expect(quorum(...params, { opinions: '10', attendees: 20 })).toBe(false);
    expect(quorum(...params, { opinions: 10, attendees: Number.POSITIVE_INFINITY })).toBe(false);
  });

  it('accepts a ratio only between 0 and 1', () => {
    expect(quorumReached.params.safeParse({ numerator: 1, denominator: 2, ratio: 2 }).success).toBe(false);
    expect(quorumReached.params.safeParse({ numerator: 1, denominator: 2, ratio: -0.1 }).success).toBe(false);
    expect(quorumReached.params.safeParse({ numerator: 1, denominator: 2, ratio: 1 }).success).toBe(true);
  });
});

describe('counterIsZero', () => {
  const { counterIsZero } = BUILTIN_GUARDS;
  const isZero = (counter: string, ctx: CaseContext = context) =>
    counterIsZero.evaluate(input({}, ctx), counterIsZero.params.parse({ counter }));

  it('holds for a counter at zero and for a counter never touched', () => {
    expect(isZero('resolved')).toBe(true);
    expect(isZero('invalidMeetings')).toBe(true);
    expect(isZero('openComplaints', emptyCaseContext())).toBe(true);
  });

  it('does not hold for a non-zero counter, negative included', () => {
    expect(isZero('openComplaints')).toBe(false);
    expect(isZero('c', { ...context, counters: { c: -1 } })).toBe(false);
  });

  it('accepts only camelCase counter names', () => {
    expect(counterIsZero.params.safeParse({ counter: 'open_complaints' }).success).toBe(false);
    expect(counterIsZero.params.safeParse({ counter: 'OpenComplaints' }).success).toBe(false);
  });
});

describe('isTrue', () => {
  const { isTrue } = BUILTIN_GUARDS;
  const truthy = (value: unknown, eventData: Record<string, unknown> = {}) =>
    isTrue.evaluate(input(eventData), isTrue.params.parse({ value }));

  it('holds only for the boolean true', () => {
    expect(truthy({ path: 'event.agreed' }, { agreed: true })).toBe(true);
    expect(truthy({ path: 'event.agreed' }, { agreed: false })).toBe(false);
    expect(truthy({ path: 'event.agreed' }, { agreed: 'true' })).toBe(false);
    expect(truthy({ path: 'event.agreed' }, { agreed: 1 })).toBe(false);
    expect(truthy({ path: 'event.agreed' })).toBe(false);
    expect(truthy(true)).toBe(true);
  });
});

describe('the registry', () => {
  it('documents every guard in Vietnamese and English', () => {
    for (const [name, guard] of Object.entries(BUILTIN_GUARDS)) {
      expect({ name, vi: guard.description.vi.length > 0, en: guard.description.en.length > 0 }).toEqual({
        name,
        vi: true,
        en: true,
      });
    }
  });
});
