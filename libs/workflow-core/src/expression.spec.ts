import { bindParams, evaluateExpression, expressionHolds, parseExpression, type Expr } from './expression';

type Values = Record<string, unknown>;

function parse(source: string): Expr {
  const result = parseExpression(source);
  if (!result.ok) throw new Error(`parse failed: ${result.error.message}`);
  return result.expr;
}

const lookupIn = (values: Values) => (path: string) => values[path];
const evaluate = (source: string, values: Values = {}) => evaluateExpression(parse(source), lookupIn(values));

describe('parseExpression: precedence and associativity', () => {
  it.each<[string, unknown]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['12 / 3 / 2', 2],
    ['2 * 3 % 4', 2],
    ['1 + 7 % 4 * 2', 7],
    ['-2 * 3', -6],
    ['- 2 - 3', -5],
    ['-(1 + 2)', -3],
    ['--1', 1],
    ['1 + 2 == 3', true],
    ['2 * 3 > 5 and 1 < 2', true],
    ['true or false and false', true],
    ['(true or false) and false', false],
    ['1 < 2 and 3 > 4 or true', true],
    ['not false and false', false],
    ['not (false and false)', true],
    ['not true == false', true],
    ['not not true', true],
  ])('%s evaluates to %p', (source, expected) => {
    expect(evaluate(source)).toBe(expected);
  });

  it('builds left-leaning trees for chains of one level', () => {
    expect(parse('1 - 2 - 3')).toEqual({
      kind: 'binary',
      op: '-',
      offset: 6,
      left: {
        kind: 'binary',
        op: '-',
        offset: 2,
        left: { kind: 'literal', value: 1, offset: 0 },
        right: { kind: 'literal', value: 2, offset: 4 },
      },
      right: { kind: 'literal', value: 3, offset: 8 },
    });
  });

  it('reads literals: integers, decimals, both quote styles with escapes, true, false, null', () => {
    expect(evaluate('120')).toBe(120);
    expect(evaluate('0.5')).toBe(0.5);
    expect(evaluate('007')).toBe(7);
    expect(evaluate(`'it\\'s'`)).toBe("it's");
    expect(evaluate(`"say \\"hi\\" \\\\ 'x'"`)).toBe(`say "hi" \\ 'x'`);
    expect(evaluate(`'Hộ nghèo'`)).toBe('Hộ nghèo');
    expect(evaluate('true')).toBe(true);
    expect(evaluate('false')).toBe(false);
    expect(evaluate('null')).toBeNull();
    expect(evaluate(' \t\n 1 \r\n')).toBe(1);
  });

  it('lists every path once, in source order, under all six roots', () => {
    const result = parseExpression(
      'data.B.x > event.a and event.a < counters.c or exists(data.B.x) and milestones.m == params.p and households.count > 0 and event.and == 1',
    );
    expect(result).toMatchObject({
      ok: true,
      paths: ['data.B.x', 'event.a', 'counters.c', 'milestones.m', 'params.p', 'households.count', 'event.and'],
    });
  });
});

describe('evaluateExpression: operators', () => {
  const values = { 'event.n': 7, 'event.s': 'abc', 'event.t': true, 'data.X': { a: 1 } };

  it.each<[string, unknown]>([
    ['3 + 4', 7],
    ['3 - 4', -1],
    ['0.5 * 120', 60],
    ['7 / 2', 3.5],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['7.5 % 2', 1.5],
    ['-event.n', -7],
    ['-0', 0],
    ['0 * -1', 0],
    ['0.1 + 0.2', 0.30000000000000004],
    ['event.n + 1', 8],
  ])('arithmetic %s = %p', (source, expected) => {
    expect(evaluate(source, values)).toBe(expected);
  });

  it.each<[string, boolean]>([
    ['1 < 2', true],
    ['2 < 2', false],
    ['2 <= 2', true],
    ['3 <= 2', false],
    ['3 > 2', true],
    ['2 > 2', false],
    ['2 >= 2', true],
    ['1 >= 2', false],
    ['0.1 + 0.2 == 0.3', false],
    ['0.1 + 0.2 > 0.3', true],
    ['0.3 >= 0.1 + 0.2', false],
    [`'a' < 'b'`, true],
    [`'10' < '9'`, true],
    [`'abc' >= 'abc'`, true],
    [`event.s > 'abb'`, true],
    ['1 == 1', true],
    [`'a' == "a"`, true],
    [`1 == '1'`, false],
    [`1 != '1'`, true],
    ['1 != 2', true],
    ['1 != 1', false],
    ['true == true', true],
    ['true != false', true],
    ['null == null', true],
    ['null != 0', true],
    ['true and true', true],
    ['true and false', false],
    ['false and true', false],
    ['false or true', true],
    ['false or false', false],
    ['not false', true],
    ['not true', false],
    ['event.t and event.n == 7', true],
  ])('%s is %p', (source, expected) => {
    expect(evaluate(source, values)).toBe(expected);
  });
});

describe('evaluateExpression: functions', () => {
  it.each<[string, unknown]>([
    ['min(3, 1, 2)', 1],
    ['min(-1.5, 0)', -1.5],
    ['max(3, 1, 2)', 3],
    ['max(event.a, 10)', 12],
    ['abs(-4.5)', 4.5],
    ['abs(3)', 3],
    ['round(2.4)', 2],
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['round(-0.4)', 0],
    ['floor(2.7)', 2],
    ['floor(-2.1)', -3],
    ['ceil(2.1)', 3],
    ['ceil(-2.7)', -2],
    ['exists(event.a)', true],
    ['exists(event.zero)', true],
    ['exists(event.no)', true],
    ['exists(event.empty)', true],
    ['exists(event.nil)', false],
    ['exists(event.missing)', false],
    ['coalesce(event.missing, 5)', 5],
    ['coalesce(event.nil, event.missing, 6)', 6],
    ['coalesce(event.zero, 5)', 0],
    ['coalesce(event.no, true)', false],
    ['coalesce(event.missing, event.nil)', undefined],
    ['ceil(event.a * 0.5) + 1', 7],
  ])('%s = %p', (source, expected) => {
    expect(
      evaluate(source, { 'event.a': 12, 'event.zero': 0, 'event.no': false, 'event.empty': '', 'event.nil': null }),
    ).toBe(expected);
  });
});

describe('evaluateExpression: missing values, division by zero, type mismatches', () => {
  const values = {
    'event.zero': 0,
    'event.nil': null,
    'event.obj': { a: 1 },
    'event.inf': Infinity,
    'event.nan': NaN,
    'event.big': 1e308,
    'event.s': '5',
  };

  it.each<[string, unknown]>([
    ['event.x == 1', false],
    ['event.x != 1', false],
    ['event.x == event.y', false],
    ['event.x != event.y', false],
    ['event.x < 1', false],
    ['event.x >= 1', false],
    ['event.x + 1', undefined],
    ['-event.x', undefined],
    ['event.x and true', false],
    ['event.x or true', true],
    ['not event.x', false],
    ['min(event.x, 1)', undefined],
    ['abs(event.x)', undefined],
    ['event.nil == null', true],
    ['event.nil != null', false],
    ['event.nil < 1', false],
  ])('missing: %s is %p', (source, expected) => {
    expect(evaluate(source, values)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['1 / 0', undefined],
    ['1 % 0', undefined],
    ['0 / 0', undefined],
    ['1 / event.zero', undefined],
    ['1 / 0 == 1 / 0', false],
    ['1 / 0 != 1', false],
    ['1 / 0 > 0', false],
    ['coalesce(1 / 0, -1)', -1],
    ['event.big * 10', undefined],
    ['event.inf + 1', undefined],
    ['event.nan * 1', undefined],
    ['event.nan == event.nan', false],
    ['event.nan < 1', false],
    ['event.inf > 1', true],
  ])('division and overflow: %s is %p', (source, expected) => {
    expect(evaluate(source, values)).toBe(expected);
  });

  it.each<[string, unknown]>([
    [`'a' + 1`, undefined],
    [`'a' + 'b'`, undefined],
    ['event.s * 2', undefined],
    ['true + 1', undefined],
    ['null + 1', undefined],
    [`-'a'`, undefined],
    ['-true', undefined],
    ['event.obj + 1', undefined],
    [`abs('x')`, undefined],
    ['round(true)', undefined],
    [`max(1, '2')`, undefined],
    ['1 < true', false],
    [`'a' < 1`, false],
    ['event.s > 4', false],
    ['null < 1', false],
    ['event.obj > event.obj', false],
    ['event.obj == event.obj', true],
    ['1 and true', false],
    [`'true' or false`, false],
    ['not 0', false],
    ['not null', false],
    [`not ''`, false],
  ])('mismatch: %s is %p', (source, expected) => {
    expect(evaluate(source, values)).toBe(expected);
  });

  it('only calls lookup on the right of and/or when needed, and never throws on odd lookup results', () => {
    const seen: string[] = [];
    const lookup = (path: string) => {
      seen.push(path);
      return { 'event.f': false, 'event.t': true }[path];
    };
    expect(evaluateExpression(parse('event.f and event.a or event.t or event.b'), lookup)).toBe(true);
    expect(seen).toEqual(['event.f', 'event.t']);
    const odd = [Symbol('s'), 10n, () => 1, [], new Date(0), Object.create(null)];
    for (const value of odd) {
      for (const source of [
        'event.v + 1',
        'event.v < 1',
        'event.v == 1',
        'not event.v',
        'min(event.v, 1)',
        'round(event.v)',
        `event.v >= 'a'`,
      ]) {
        expect(() => evaluateExpression(parse(source), () => value)).not.toThrow();
      }
    }
  });
});

describe('expressionHolds', () => {
  it.each<[string, boolean]>([
    ['true', true],
    ['1 == 1', true],
    ['false', false],
    ['1', false],
    [`'true'`, false],
    ['event.x', false],
    ['coalesce(event.x, true)', true],
  ])('%s holds: %p', (source, expected) => {
    expect(expressionHolds(parse(source), () => undefined)).toBe(expected);
  });
});

describe('parseExpression: errors', () => {
  it.each<[string, number, string]>([
    ['event.a == 1 and ) ', 17, 'unexpected ")"'],
    ['(1 + 2))', 7, 'unexpected ")"'],
    ['1 2', 2, 'unexpected "2"'],
    [`1 'a'`, 2, `unexpected "'a'"`],
    ['and', 0, 'unexpected "and"'],
    ['1 + or 2', 4, 'unexpected "or"'],
    ['1 +', 3, 'unexpected end of expression'],
    ['', 0, 'unexpected end of expression'],
    ['   ', 3, 'unexpected end of expression'],
    ['not', 3, 'unexpected end of expression'],
    ['(1 + 2', 6, 'expected ")" but found end of expression'],
    ['(1 + 2 3)', 7, 'expected ")" but found "3"'],
    ['sum(1, 2)', 0, 'unknown function "sum"'],
    ['1 + event(2)', 4, 'unknown function "event"'],
    ['foo.bar', 0, 'unknown path root "foo" (expected event, data, counters, milestones, params or households)'],
    [
      '1 + household.size',
      4,
      'unknown path root "household" (expected event, data, counters, milestones, params or households)',
    ],
    ['foo', 0, 'unknown path root "foo" (expected event, data, counters, milestones, params or households)'],
    ['true.x', 0, 'unknown path root "true" (expected event, data, counters, milestones, params or households)'],
    ['Event.x', 0, 'unknown path root "Event" (expected event, data, counters, milestones, params or households)'],
    ['event > 1', 0, 'path "event" needs a field, e.g. event.name'],
    ['min + 1', 4, 'expected "(" after function name "min"'],
    ['1 < 2 < 3', 6, 'chained comparison is not allowed'],
    ['event.a == 1 != true', 13, 'chained comparison is not allowed'],
    [`'abc`, 0, 'unterminated string'],
    ['event.x == "abc', 11, 'unterminated string'],
    [`'abc\\`, 0, 'unterminated string'],
    [`'a\\nb'`, 2, `invalid escape "\\n" (only \\' \\" and \\\\ are allowed)`],
    ['1.', 0, 'invalid number "1." (expected digits after ".")'],
    ['1.x', 0, 'invalid number "1." (expected digits after ".")'],
    ['1.5.2', 3, 'unexpected character "."'],
    ['.5', 0, 'unexpected character "."'],
    ['event.', 6, 'expected a name after "."'],
    ['event..x', 6, 'expected a name after "."'],
    ['event.1x', 6, 'expected a name after "."'],
    ['1 # 2', 2, 'unexpected character "#"'],
    ['event.a = 1', 8, 'unexpected "=" (use "==" to compare)'],
    ['!event.a', 0, 'unexpected "!" (use "not", or "!=" to compare)'],
    ['true && false', 5, 'unexpected "&" (use "and")'],
    ['true || false', 5, 'unexpected "|" (use "or")'],
    ['abs(1, 2)', 0, 'abs() takes 1 argument, got 2'],
    ['round()', 0, 'round() takes 1 argument, got 0'],
    ['1 + min(1)', 4, 'min() takes at least 2 arguments, got 1'],
    ['coalesce(event.a)', 0, 'coalesce() takes at least 2 arguments, got 1'],
    ['exists(1)', 7, 'exists() takes a path, e.g. exists(data.MEETING_HELD.date)'],
    ['exists( event.a + 1)', 8, 'exists() takes a path, e.g. exists(data.MEETING_HELD.date)'],
    ['min(1, )', 7, 'unexpected ")"'],
    ['min(1 2)', 6, 'expected "," or ")" but found "2"'],
    ['min(1', 5, 'expected "," or ")" but found end of expression'],
    ['min(', 4, 'unexpected end of expression'],
  ])('%p fails at offset %i', (source, offset, message) => {
    expect(parseExpression(source)).toEqual({ ok: false, error: { offset, message } });
  });

  it('rejects a non-string source instead of throwing', () => {
    expect(parseExpression(42 as unknown as string)).toEqual({
      ok: false,
      error: { offset: 0, message: 'expression must be a string' },
    });
  });
});

describe('parseExpression: limits', () => {
  const padded = (length: number) => '1'.padEnd(length, ' ');

  it('accepts 1000 characters and rejects 1001', () => {
    expect(parseExpression(padded(1000)).ok).toBe(true);
    expect(parseExpression('event.a + '.repeat(99) + '1'.padEnd(10, ' ')).ok).toBe(true);
    const message = 'expression is too long (1001 characters, max 1000)';
    expect(parseExpression(padded(1001))).toEqual({ ok: false, error: { offset: 1000, message } });
  });

  it.each<[string, (depth: number) => string, number]>([
    ['parentheses', (d) => '('.repeat(d) + '1' + ')'.repeat(d), 32],
    ['unary minus', (d) => '-'.repeat(d) + '1', 32],
    ['not', (d) => 'not '.repeat(d) + 'true', 128],
    ['calls', (d) => 'abs('.repeat(d) + '1' + ')'.repeat(d), 128],
    [
      'mixed',
      (d) => Array.from({ length: d }, (_, i) => (i % 2 ? '-' : '(')).join('') + '1' + ')'.repeat(Math.ceil(d / 2)),
      32,
    ],
  ])('allows 32 levels of %s and rejects 33', (_kind, build, offsetOf33rd) => {
    expect(parseExpression(build(32)).ok).toBe(true);
    const message = `expression is nested too deeply (max 32 levels)`;
    expect(parseExpression(build(33))).toEqual({ ok: false, error: { offset: offsetOf33rd, message } });
  });

  it('does not count flat chains as nesting', () => {
    expect(evaluate(Array.from({ length: 250 }, () => '1').join(' + '))).toBe(250);
    expect(evaluate(Array.from({ length: 100 }, () => 'true').join(' and '))).toBe(true);
  });
});

describe('bindParams', () => {
  it('substitutes known params by literals and reports the missing ones once, in order', () => {
    const expr = parse(
      'event.a >= params.ratio * event.b and params.x == 1 or params.y or params.x == 2 or exists(params.label)',
    );
    const { expr: bound, missing } = bindParams(expr, { ratio: 0.5, label: 'ok' });
    expect(missing).toEqual(['x', 'y']);
    const paths: string[] = [];
    evaluateExpression(bound, (p) => void paths.push(p));
    expect(paths).toEqual(expect.arrayContaining(['event.a', 'event.b', 'params.x', 'params.y']));
    expect(paths).not.toContain('params.ratio');
    expect(expressionHolds(bound, () => undefined)).toBe(true); // exists('ok')
  });

  it('keeps offsets, does not modify its input, and binds each value type', () => {
    const expr = parse('params.n + 1 == 3 and params.s == "a" and params.b');
    const before = structuredClone(expr);
    const { expr: bound, missing } = bindParams(expr, { n: 2, s: 'a', b: true });
    expect(expr).toEqual(before);
    expect(missing).toEqual([]);
    expect(bound).toMatchObject({ left: { left: { left: { left: { kind: 'literal', value: 2, offset: 0 } } } } });
    expect(expressionHolds(bound, () => undefined)).toBe(true);
  });

  it('ignores inherited names and leaves expressions without params alone', () => {
    expect(bindParams(parse('params.toString == 1'), {}).missing).toEqual(['toString']);
    const expr = parse('event.a == 1');
    expect(bindParams(expr, { a: 1 })).toEqual({ expr, missing: [] });
  });
});

describe('realistic guards', () => {
  const quorum = parse('event.opinionsGiven >= params.meetingOpinionRatio * event.attendees');
  const ready = parse('counters.openComplaints == 0 and exists(data.MEETING_HELD.date)');

  it.each<[number, number, boolean]>([
    [10, 20, true],
    [9, 20, false],
    [11, 20, true],
    [0, 0, true],
  ])('%i opinions out of %i attendees reach a 0.5 quorum: %p', (opinionsGiven, attendees, expected) => {
    const { expr, missing } = bindParams(quorum, { meetingOpinionRatio: 0.5 });
    expect(missing).toEqual([]);
    expect(
      expressionHolds(expr, lookupIn({ 'event.opinionsGiven': opinionsGiven, 'event.attendees': attendees })),
    ).toBe(expected);
  });

  it('fails the quorum when a number is missing or the ratio is unbound', () => {
    const { expr } = bindParams(quorum, { meetingOpinionRatio: 0.5 });
    expect(expressionHolds(expr, lookupIn({ 'event.opinionsGiven': 10 }))).toBe(false);
    expect(expressionHolds(quorum, lookupIn({ 'event.opinionsGiven': 10, 'event.attendees': 20 }))).toBe(false);
    expect(bindParams(quorum, {}).missing).toEqual(['meetingOpinionRatio']);
  });

  it('reads the ratio exactly: 2/3 of 30 attendees needs 20 opinions', () => {
    const { expr } = bindParams(quorum, { meetingOpinionRatio: 2 / 3 });
    expect(expressionHolds(expr, lookupIn({ 'event.opinionsGiven': 20, 'event.attendees': 30 }))).toBe(true);
    expect(expressionHolds(expr, lookupIn({ 'event.opinionsGiven': 19, 'event.attendees': 30 }))).toBe(false);
  });

  it.each<[Values, boolean]>([
    [{ 'counters.openComplaints': 0, 'data.MEETING_HELD.date': '2025-10-10' }, true],
    [{ 'counters.openComplaints': 1, 'data.MEETING_HELD.date': '2025-10-10' }, false],
    [{ 'counters.openComplaints': 0 }, false],
    [{ 'counters.openComplaints': 0, 'data.MEETING_HELD.date': null }, false],
    [{ 'data.MEETING_HELD.date': '2025-10-10' }, false],
  ])('the ready guard on %p holds: %p', (values, expected) => {
    expect(expressionHolds(ready, lookupIn(values))).toBe(expected);
  });

  it('reports the paths a guard reads, so a validator can check them', () => {
    expect(parseExpression('counters.openComplaints == 0 and exists(data.MEETING_HELD.date)')).toMatchObject({
      ok: true,
      paths: ['counters.openComplaints', 'data.MEETING_HELD.date'],
    });
  });
});

describe('parseExpression: robustness', () => {
  // Well-formed tokens (every other string uses only these, so that some parse) and noise.
  const tokens = [
    '1',
    '0.5',
    "'a'",
    '"b"',
    'event.x',
    'data.A.b',
    'params.r',
    'counters.c',
    '(',
    ')',
    ',',
    '+',
    '-',
    '*',
    '/',
    '%',
    '==',
    '!=',
  ];
  const moreTokens = ['<', '<=', '>', '>=', 'and', 'or', 'not', 'true', 'null', 'min(', 'abs(', 'exists(', 'coalesce('];
  const noise = ["'", '"', '\\', 'foo', 'foo.bar', '.', '=', '!', '\n', '#', '&', 'é', 'sum', 'max', 'round', ''];

  it('never throws on 500 pseudo-random token strings, and errors point inside the source', () => {
    let seed = 20251003;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648; // LCG, glibc constants
      return seed % n;
    };
    let parsed = 0;
    for (let i = 0; i < 500; i++) {
      const alphabet = i % 2 === 0 ? [...tokens, ...moreTokens] : [...tokens, ...moreTokens, ...noise];
      const words = Array.from({ length: 1 + random(12) }, () => alphabet[random(alphabet.length)]);
      const source = words.join(i % 2 === 0 || random(2) === 0 ? ' ' : '');
      let result: ReturnType<typeof parseExpression> | undefined;
      expect(() => (result = parseExpression(source))).not.toThrow();
      if (result?.ok) {
        parsed++;
        const expr = result.expr;
        expect(() => evaluateExpression(expr, (p) => [undefined, null, 0, 'x', true, {}][p.length % 6])).not.toThrow();
      } else if (result) {
        expect(result.error.offset).toBeGreaterThanOrEqual(0);
        expect(result.error.offset).toBeLessThanOrEqual(source.length);
        expect(result.error.message).not.toBe('');
      }
    }
    expect(parsed).toBeGreaterThan(25);
  });
});
