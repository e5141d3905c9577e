import { readFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { compileDefinition } from './definition-compiler';
import type { DefinitionError, PathSegment } from './definition-error';
import { loadDefinitionDocument, type BaseResolver, type LocatedDefinition } from './definition-overlay';
import { validateDefinition } from './definition-validator';
import { evaluateExpression, parseExpression } from './expression';

// Property-based fuzzing of everything an admin can type: definition files, overlays and guard
// expressions. A failure prints fast-check's seed and counterexample; re-run it with FUZZ_SEED.
const SEED = Number(process.env.FUZZ_SEED ?? 20250901);
const runs = (n: number) => Math.max(1, Math.round(n * Number(process.env.FUZZ_RUNS_FACTOR ?? 1)));

const BASE_FILE = join(__dirname, '../../../workflows/national/2022-2025/periodic-review.yaml');
const BASE_TEXT = readFileSync(BASE_FILE, 'utf8');
const BASE_DATA = parse(BASE_TEXT) as Record<string, unknown>;
const OVERLAY_FILE = 'workflows/provinces/99-fuzz/overlay.yaml';

const baseLoaded = loadDefinitionDocument(BASE_TEXT, BASE_FILE);
if (!baseLoaded.ok) throw new Error(`the shipped base is invalid: ${JSON.stringify(baseLoaded.errors)}`);
const BASE: LocatedDefinition = { definition: baseLoaded.value, source: baseLoaded.source };
const BASE_KEY = `${BASE.definition.id}@${BASE.definition.version}`;
const resolveBase: BaseResolver = (key) => (key === BASE_KEY ? BASE : undefined);

/** Every error must say where (file, line, col, JSON path) and what. */
function expectLocated(errors: DefinitionError[], files: string[]): void {
  for (const e of errors) {
    const problems = [
      files.includes(e.file) ? null : `file ${JSON.stringify(e.file)}`,
      Number.isInteger(e.line) && e.line >= 0 ? null : `line ${e.line}`,
      Number.isInteger(e.col) && e.col >= 0 ? null : `col ${e.col}`,
      typeof e.path === 'string' && e.path.startsWith('$') ? null : `path ${JSON.stringify(e.path)}`,
      typeof e.message === 'string' && e.message.trim() !== '' ? null : 'empty message',
    ].filter((p) => p !== null);
    if (problems.length > 0) throw new Error(`badly located error (${problems.join(', ')}): ${JSON.stringify(e)}`);
  }
}

/**
 * Loads, validates and (when valid) compiles a document the way `definitions validate` and the
 * admin API do. Returns the number of errors; throws only when a property is broken.
 */
function checkDocument(text: string, file: string): number {
  const loaded = loadDefinitionDocument(text, file, resolveBase);
  if (!loaded.ok) {
    if (loaded.errors.length === 0) throw new Error('a failed load must report at least one error');
    expectLocated(loaded.errors, [file, BASE_FILE]);
    return loaded.errors.length;
  }
  const errors = validateDefinition(loaded.value, loaded.source);
  expectLocated(errors, [file, BASE_FILE]);
  // A definition that validates must compile: the compiler relies on the validator's checks.
  if (errors.length === 0) compileDefinition(loaded.value, undefined, loaded.source);
  return errors.length;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** Text that looks like YAML: indentation, keys, flow collections, anchors, tags, scalars. */
const yamlToken = fc.oneof(
  fc.constantFrom(
    '\n',
    '\r\n',
    '  ',
    '    ',
    '\t',
    '- ',
    ': ',
    ':',
    '? ',
    ',',
    '{',
    '}',
    '[',
    ']',
    '"',
    "'",
    '#',
    '|',
    '>',
    '|-',
    '&a ',
    '*a',
    '<<: ',
    '!!str ',
    '!!int ',
    '!!map',
    '!tag ',
    '---\n',
    '...\n',
    '%YAML 1.2\n',
    '~',
    'null',
    'true',
    'no',
    '0x1F',
    '1e400',
    '.nan',
    '-.inf',
    'id',
    'version',
    'steps',
    'events',
    'roles',
    'initial',
    'extends',
    'patch',
    'add',
    'on',
    'target',
    'guard',
    'expr',
    'regions',
    'periodic-review@1',
    'listing',
    'SURVEY_COMPLETED',
    '\uFEFF',
    '\u0000',
    '\u202E',
    'Rà soát',
    '😀',
    '\uD800',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const yamlishText = fc.array(yamlToken, { maxLength: 80 }).map((parts) => parts.join(''));

/** A JSON value with unicode strings (lone surrogates, RTL marks, emoji, NUL). */
const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '\u202Egnp.exe', 'Ấp Đông', '$', '__proto__', 'constructor'),
);
const randomValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: weirdString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, 0, -1, 1.5, 1e308, -0, true, [], {}, { param: 'x' }, { expr: 'event.x >' }),
  },
);
/** Keys that the schema knows, plus arbitrary ones. */
const randomKey = fc.oneof(
  fc.constantFrom(
    'id',
    'version',
    'label',
    'roles',
    'fields',
    'type',
    'on',
    'target',
    'guard',
    'actions',
    'deadline',
    'regions',
    'initial',
    'steps',
    'onDone',
    'param',
    'expr',
    '__proto__',
    'constructor',
  ),
  weirdString,
);

type Json = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Json => v !== null && typeof v === 'object';

/** Every path to a node of a plain JSON value (the root excluded). */
function allPaths(value: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  if (!isContainer(value)) return out;
  const entries: [PathSegment, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries) {
    out.push([...prefix, k]);
    allPaths(v, [...prefix, k], out);
  }
  return out;
}
function getAt(root: unknown, path: PathSegment[]): unknown {
  return path.reduce<unknown>(
    (node, k) => (isContainer(node) ? (node as Record<PathSegment, unknown>)[k] : undefined),
    root,
  );
}
function parentOf(root: unknown, path: PathSegment[]): Json | undefined {
  const parent = getAt(root, path.slice(0, -1));
  return isContainer(parent) ? parent : undefined;
}
function setAt(root: unknown, path: PathSegment[], value: unknown): void {
  const parent = parentOf(root, path);
  if (parent) (parent as Record<PathSegment, unknown>)[path[path.length - 1]] = value;
}

/** A structural mutation of a parsed document; indices pick nodes modulo the number of paths. */
type Mutation =
  | { kind: 'delete' | 'duplicate' | 'retype' | 'rename' | 'unicode'; at: number; value: unknown; key: string }
  | { kind: 'swap'; at: number; other: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('delete', 'duplicate', 'retype', 'rename', 'unicode' as const),
    at: fc.nat(),
    value: randomValue,
    key: randomKey,
  }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
);

function mutate(doc: unknown, m: Mutation): void {
  const paths = allPaths(doc);
  if (paths.length === 0) return;
  const path = paths[m.at % paths.length];
  const parent = parentOf(doc, path);
  if (!parent) return;
  const last = path[path.length - 1];
  const current = getAt(doc, path);
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last as string];
      return;
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(structuredClone(current));
      else parent[`${String(last)}${m.key}`] = structuredClone(current);
      return;
    case 'retype':
      setAt(doc, path, m.value);
      return;
    case 'rename':
      if (Array.isArray(parent)) return;
      delete parent[last as string];
      parent[m.key] = current;
      return;
    case 'unicode':
      setAt(doc, path, typeof current === 'string' ? `${current.slice(0, 3)}${m.key}${current.slice(3)}` : m.key);
      return;
    case 'swap': {
      const other = paths[m.other % paths.length];
      const otherValue = getAt(doc, other);
      setAt(doc, path, structuredClone(otherValue));
      setAt(doc, other, structuredClone(current));
      return;
    }
  }
}

/** A change of the text itself: truncation, insertion, lost or repeated lines. */
type TextEdit = { kind: 'truncate' | 'insert' | 'deleteLine' | 'duplicateLine' | 'indent'; at: number; text: string };
const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  kind: fc.constantFrom('truncate', 'insert', 'deleteLine', 'duplicateLine', 'indent' as const),
  at: fc.nat(),
  text: fc.oneof(yamlToken, weirdString),
});

function editText(text: string, e: TextEdit): string {
  const offset = e.at % (text.length + 1);
  const lines = text.split('\n');
  const line = e.at % lines.length;
  switch (e.kind) {
    case 'truncate':
      return text.slice(0, offset);
    case 'insert':
      return text.slice(0, offset) + e.text + text.slice(offset);
    case 'deleteLine':
      return [...lines.slice(0, line), ...lines.slice(line + 1)].join('\n');
    case 'duplicateLine':
      return [...lines.slice(0, line + 1), ...lines.slice(line)].join('\n');
    case 'indent':
      return [...lines.slice(0, line), ` ${lines[line]}`, ...lines.slice(line + 1)].join('\n');
  }
}

const pathsOfBase = allPaths(BASE_DATA).filter(
  (p) => typeof p[0] === 'string' && ['roles', 'parameters', 'events', 'steps'].includes(p[0]),
);

/** An overlay document: sometimes well-formed and aimed at real parts of the base, sometimes not. */
const overlayDocument = fc
  .record({
    extends: fc.oneof(
      { weight: 5, arbitrary: fc.constant(BASE_KEY) },
      { weight: 1, arbitrary: fc.constantFrom('periodic-review@99', 'nope', '') },
      { weight: 1, arbitrary: weirdString },
    ),
    id: fc.oneof(fc.constant('periodic-review-fuzz'), weirdString),
    version: fc.oneof(fc.constant(1), fc.integer(), fc.double()),
    province: fc.option(fc.oneof(fc.constant('99'), weirdString), { nil: undefined }),
    patches: fc.array(
      fc.tuple(fc.nat(), fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: randomValue })),
      { maxLength: 6 },
    ),
    adds: fc.array(
      fc.tuple(
        fc.constantFrom('roles', 'parameters', 'events', 'steps', 'fields', 'on', 'title', 'regions'),
        randomKey,
        randomValue,
      ),
      { maxLength: 4 },
    ),
    extra: fc.option(fc.dictionary(randomKey, randomValue, { maxKeys: 2 }), { nil: undefined }),
  })
  .map(({ patches, adds, extra, province, ...header }) => {
    const patch: Record<string, unknown> = {};
    for (const [at, value] of patches) {
      const path = pathsOfBase[at % pathsOfBase.length];
      let node = patch;
      path.slice(0, -1).forEach((k) => {
        const key = String(k);
        if (!isContainer(node[key]) || Array.isArray(node[key])) node[key] = {};
        node = node[key] as Record<string, unknown>;
      });
      node[String(path[path.length - 1])] = value;
    }
    const add: Record<string, unknown> = {};
    for (const [collection, key, value] of adds)
      add[collection] = { ...(isContainer(add[collection]) ? add[collection] : {}), [key]: value };
    return { ...header, ...(province === undefined ? {} : { province }), patch, add, ...extra };
  });

// ---------------------------------------------------------------------------------------------

describe('definition loader under fuzzing (never throws, every error located)', () => {
  it('reads random YAML-ish text', () => {
    fc.assert(
      fc.property(yamlishText, (text) => {
        checkDocument(text, OVERLAY_FILE);
      }),
      { seed: SEED, numRuns: runs(1500) },
    );
  });

  it('reads structural mutations of the shipped periodic review (deleted, duplicated, retyped, renamed, swapped keys, unicode)', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const doc = structuredClone(BASE_DATA);
        mutations.forEach((m) => mutate(doc, m));
        checkDocument(stringify(doc), BASE_FILE);
      }),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  it('reads textual mutations of the shipped periodic review (truncated, inserted text, lost and repeated lines)', () => {
    fc.assert(
      fc.property(fc.array(textEdit, { minLength: 1, maxLength: 3 }), (edits) => {
        checkDocument(
          edits.reduce((text, e) => editText(text, e), BASE_TEXT),
          BASE_FILE,
        );
      }),
      { seed: SEED, numRuns: runs(200) },
    );
  });

  it('merges random overlays onto the shipped periodic review; errors point into the overlay or the base', () => {
    let valid = 0;
    fc.assert(
      fc.property(overlayDocument, fc.boolean(), (overlay, asFlow) => {
        const text = asFlow ? JSON.stringify(overlay) : stringify(overlay);
        if (checkDocument(text, OVERLAY_FILE) === 0) valid++;
      }),
      { seed: SEED, numRuns: runs(400) },
    );
    // Not only rejections: some generated overlays are valid (a header-only change, a removed label…).
    expect(valid).toBeGreaterThan(0);
  });

  it('keeps the unmutated base and a minimal overlay valid (the fuzzing starts from good documents)', () => {
    expect(checkDocument(BASE_TEXT, BASE_FILE)).toBe(0);
    expect(checkDocument(stringify({ extends: BASE_KEY, id: 'periodic-review-fuzz', version: 1 }), OVERLAY_FILE)).toBe(
      0,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Guard expressions

const exprToken = fc.oneof(
  fc.constantFrom(
    ' ',
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
    '<',
    '<=',
    '>',
    '>=',
    '=',
    '!',
    '&&',
    '||',
    'and',
    'or',
    'not',
    'true',
    'false',
    'null',
    'event.attendees',
    'event.opinionsGiven',
    'data.MEETING_HELD.date',
    'counters.openComplaints',
    'milestones.listing',
    'params.meetingOpinionRatio',
    'households.poor',
    'event',
    'params',
    'foo.bar',
    'min',
    'max',
    'abs',
    'round',
    'floor',
    'ceil',
    'exists',
    'coalesce',
    'eval',
    '0',
    '1',
    '0.5',
    '1.',
    '1e9',
    '99999999999999999999999',
    "'x'",
    '"y"',
    "'unterminated",
    "'\\n'",
    "'\\''",
    '.',
    '..',
    '\u00a0',
    'Đ',
  ),
  fc.string({ maxLength: 6 }),
);
const expressionText = fc.oneof(
  { weight: 4, arbitrary: fc.array(exprToken, { maxLength: 40 }).map((t) => t.join(' ')) },
  { weight: 2, arbitrary: fc.array(exprToken, { maxLength: 40 }).map((t) => t.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat({ max: 2000 }), fc.constantFrom('(', 'not ', '-', 'abs('))
      .map(([n, open]) => `${open.repeat(n)}1`),
  },
  { weight: 1, arbitrary: fc.nat({ max: 1100 }).map((n) => Array.from({ length: n }, () => '1').join('+')) },
);
/** What a lookup may find in a case: any JSON value, missing, or a number JSON cannot hold. */
const lookupValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant(undefined),
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -0, '', '1'),
);

describe('guard expressions under fuzzing', () => {
  it('parses random text without throwing; errors have an offset inside the text and a message', () => {
    let parsed = 0;
    fc.assert(
      fc.property(expressionText, fc.func(lookupValue), (text, lookup) => {
        const result = parseExpression(text);
        if (!result.ok) {
          expect(result.error.offset).toBeGreaterThanOrEqual(0);
          expect(result.error.offset).toBeLessThanOrEqual(text.length);
          expect(result.error.message.trim()).not.toBe('');
          return;
        }
        parsed++;
        expect(result.paths.every((p) => p.includes('.'))).toBe(true);
        // Evaluation is total: any lookup, any value, never an exception.
        evaluateExpression(result.expr, (path) => lookup(path));
      }),
      { seed: SEED, numRuns: runs(3000) },
    );
    expect(parsed).toBeGreaterThan(0);
  });

  it('evaluates well-formed expressions over random case data without throwing', () => {
    const leaf = fc.constantFrom(
      'event.a',
      'event.b',
      'counters.c',
      'data.E.f',
      'params.p',
      '1',
      '0',
      "'s'",
      'null',
      'true',
    );
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc
          .tuple(
            tie('e'),
            fc.constantFrom('+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', 'and', 'or'),
            tie('e'),
          )
          .map(([a, op, b]) => `(${a} ${op} ${b})`),
        tie('e').map((a) => `not (${a})`),
        tie('e').map((a) => `-(${a})`),
        fc.tuple(fc.constantFrom('min', 'max', 'coalesce'), tie('e'), tie('e')).map(([f, a, b]) => `${f}(${a}, ${b})`),
        fc.tuple(fc.constantFrom('abs', 'round', 'floor', 'ceil'), tie('e')).map(([f, a]) => `${f}(${a})`),
        fc.constantFrom('exists(event.a)', 'exists(data.E.f)'),
      ),
    })).e;
    fc.assert(
      fc.property(
        expr,
        fc.dictionary(fc.constantFrom('event.a', 'event.b', 'counters.c', 'data.E.f', 'params.p'), lookupValue),
        (text, values) => {
          const result = parseExpression(text);
          if (!result.ok) {
            // Only the limits may refuse a generated expression.
            expect(result.error.message).toMatch(/too deeply|too long|chained comparison/);
            return;
          }
          const value = evaluateExpression(result.expr, (path) => values[path]);
          expect(['number', 'string', 'boolean', 'undefined', 'object']).toContain(typeof value);
        },
      ),
      { seed: SEED, numRuns: runs(1500) },
    );
  });
});
