/**
 * A small, safe expression language for transition guards, e.g.
 * `event.agreeing / event.attendees >= params.householdAgreementRatio`.
 *
 * Grammar (lowest precedence first):
 *   or         := and ('or' and)*
 *   and        := comparison ('and' comparison)*
 *   comparison := additive (('==' | '!=' | '<' | '<=' | '>' | '>=') additive)?   -- non-associative
 *   additive   := multiplicative (('+' | '-') multiplicative)*
 *   multiplicative := unary (('*' | '/' | '%') unary)*
 *   unary      := ('-' | 'not') unary | primary
 *   primary    := number | string | 'true' | 'false' | 'null' | path | function '(' args ')' | '(' or ')'
 * Paths are dotted names under event, data, counters, milestones, params or households, with at least
 * one field. Functions: min, max, abs, round, floor, ceil, exists, coalesce. Note that `not` binds
 * tighter than comparisons: `not a == b` is `(not a) == b`.
 *
 * Evaluation is total: ill-typed operands give `undefined` (arithmetic) or `false` (comparisons and
 * logic), never an exception. The rules are documented on `evaluateExpression`.
 */

type Literal = number | string | boolean | null;
type BinaryOperator = 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';
type FunctionName = 'min' | 'max' | 'abs' | 'round' | 'floor' | 'ceil' | 'exists' | 'coalesce';

/** The syntax tree. `offset` is the 0-based source offset of the operator (unary, binary) or of the node's first character. */
export type Expr =
  | { kind: 'literal'; value: Literal; offset: number }
  | { kind: 'path'; path: string; offset: number }
  | { kind: 'unary'; op: '-' | 'not'; operand: Expr; offset: number }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr; offset: number }
  | { kind: 'call'; fn: FunctionName; args: Expr[]; offset: number };

/** A parse error. `message` is specific English without the position (callers add it from `offset` in their own format). */
export interface ExpressionError {
  /** 0-based character offset in the source. */
  offset: number;
  message: string;
}

/** The outcome of `parseExpression`; `paths` lists every referenced path once, in source order. */
export type ParseResult = { ok: true; expr: Expr; paths: string[] } | { ok: false; error: ExpressionError };

const MAX_LENGTH = 1000;
const MAX_DEPTH = 32;
const ROOTS = ['event', 'data', 'counters', 'milestones', 'params', 'households'];
const COMPARISONS = ['==', '!=', '<', '<=', '>', '>='];
/** Allowed argument counts, [min, max]. */
const ARITY: Record<FunctionName, [number, number]> = {
  min: [2, Infinity],
  max: [2, Infinity],
  abs: [1, 1],
  round: [1, 1],
  floor: [1, 1],
  ceil: [1, 1],
  exists: [1, 1],
  coalesce: [2, Infinity],
};
const FUNCTIONS = Object.keys(ARITY) as FunctionName[];
const TWO_CHAR_OPERATORS = ['==', '!=', '<=', '>='];
const ONE_CHAR_OPERATORS = ['<', '>', '+', '-', '*', '/', '%', '(', ')', ','];
const CHARACTER_HINTS: Record<string, string> = {
  '=': 'unexpected "=" (use "==" to compare)',
  '!': 'unexpected "!" (use "not", or "!=" to compare)',
  '&': 'unexpected "&" (use "and")',
  '|': 'unexpected "|" (use "or")',
};

class ParseFailure {
  constructor(readonly error: ExpressionError) {}
}

function fail(message: string, offset: number): never {
  throw new ParseFailure({ offset, message });
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

interface Token {
  kind: 'number' | 'string' | 'name' | 'operator' | 'end';
  /** The raw source text (empty for `end`). */
  text: string;
  /** The decoded value of a number or string; the text otherwise. */
  value: number | string;
  offset: number;
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isNameStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isNamePart = (c: string) => isNameStart(c) || isDigit(c);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], start: number, value: number | string = src.slice(start, i)) =>
    tokens.push({ kind, text: src.slice(start, i), value, offset: start });
  while (i < src.length) {
    const start = i;
    const c = src.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (isDigit(c)) {
      while (isDigit(src.charAt(i))) i++;
      if (src.charAt(i) === '.') {
        i++;
        if (!isDigit(src.charAt(i))) fail(`invalid number "${src.slice(start, i)}" (expected digits after ".")`, start);
        while (isDigit(src.charAt(i))) i++;
      }
      push('number', start, Number(src.slice(start, i)));
    } else if (c === '"' || c === "'") {
      let value = '';
      for (i++; src.charAt(i) !== c; i++) {
        if (i >= src.length) fail('unterminated string', start);
        let ch = src.charAt(i);
        if (ch === '\\') {
          ch = src.charAt(++i);
          if (ch === '') fail('unterminated string', start);
          if (ch !== '"' && ch !== "'" && ch !== '\\')
            fail(`invalid escape "\\${ch}" (only \\' \\" and \\\\ are allowed)`, i - 1);
        }
        value += ch;
      }
      i++;
      push('string', start, value);
    } else if (isNameStart(c)) {
      for (;;) {
        while (isNamePart(src.charAt(i))) i++;
        if (src.charAt(i) !== '.') break;
        if (!isNameStart(src.charAt(i + 1))) fail('expected a name after "."', i + 1);
        i++;
      }
      push('name', start);
    } else {
      const two = src.slice(i, i + 2);
      const op = TWO_CHAR_OPERATORS.includes(two) ? two : ONE_CHAR_OPERATORS.includes(c) ? c : undefined;
      if (op === undefined) fail(CHARACTER_HINTS[c] ?? `unexpected character ${JSON.stringify(c)}`, i);
      i += op.length;
      push('operator', start);
    }
  }
  tokens.push({ kind: 'end', text: '', value: '', offset: src.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser (recursive descent, one method per precedence level)

const describe = (t: Token) => (t.kind === 'end' ? 'end of expression' : JSON.stringify(t.text));

class Parser {
  private pos = 0;
  private depth = 0;
  readonly paths: string[] = [];

  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.or();
    if (this.peek().kind !== 'end') this.unexpected(this.peek());
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  /** Whether the next token is one of these operators or keywords. */
  private at(...texts: string[]): boolean {
    const t = this.peek();
    return (t.kind === 'operator' || t.kind === 'name') && texts.includes(t.text);
  }

  private expect(text: string, what = `"${text}"`): Token {
    return this.at(text)
      ? this.next()
      : fail(`expected ${what} but found ${describe(this.peek())}`, this.peek().offset);
  }

  private unexpected(t: Token): never {
    return fail(t.kind === 'end' ? 'unexpected end of expression' : `unexpected ${describe(t)}`, t.offset);
  }

  /** Runs `parse` one nesting level deeper (parentheses, calls, unary operators). */
  private nested<T>(offset: number, parse: () => T): T {
    if (++this.depth > MAX_DEPTH) fail(`expression is nested too deeply (max ${MAX_DEPTH} levels)`, offset);
    const result = parse();
    this.depth--;
    return result;
  }

  private binary(ops: string[], operand: () => Expr): Expr {
    let left = operand();
    while (this.at(...ops)) {
      const t = this.next();
      left = { kind: 'binary', op: t.text as BinaryOperator, left, right: operand(), offset: t.offset };
    }
    return left;
  }

  private or(): Expr {
    return this.binary(['or'], () => this.and());
  }

  private and(): Expr {
    return this.binary(['and'], () => this.comparison());
  }

  private comparison(): Expr {
    const left = this.additive();
    if (!this.at(...COMPARISONS)) return left;
    const t = this.next();
    const expr: Expr = { kind: 'binary', op: t.text as BinaryOperator, left, right: this.additive(), offset: t.offset };
    if (this.at(...COMPARISONS)) fail('chained comparison is not allowed', this.peek().offset);
    return expr;
  }

  private additive(): Expr {
    return this.binary(['+', '-'], () => this.multiplicative());
  }

  private multiplicative(): Expr {
    return this.binary(['*', '/', '%'], () => this.unary());
  }

  private unary(): Expr {
    if (!this.at('-', 'not')) return this.primary();
    const t = this.next();
    return this.nested(t.offset, () => ({
      kind: 'unary',
      op: t.text as '-' | 'not',
      operand: this.unary(),
      offset: t.offset,
    }));
  }

  private primary(): Expr {
    const t = this.next();
    if (t.kind === 'number' || t.kind === 'string') return { kind: 'literal', value: t.value, offset: t.offset };
    if (t.kind === 'name') return this.name(t);
    if (t.text === '(') {
      return this.nested(t.offset, () => {
        const expr = this.or();
        this.expect(')');
        return expr;
      });
    }
    return this.unexpected(t);
  }

  private name(t: Token): Expr {
    if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true', offset: t.offset };
    if (t.text === 'null') return { kind: 'literal', value: null, offset: t.offset };
    if (t.text === 'and' || t.text === 'or') this.unexpected(t);
    const segments = t.text.split('.');
    const root = segments[0];
    if (segments.length === 1 && this.at('(')) return this.call(t);
    if (segments.length === 1 && FUNCTIONS.includes(root as FunctionName))
      fail(`expected "(" after function name "${root}"`, this.peek().offset);
    if (!ROOTS.includes(root))
      fail(`unknown path root "${root}" (expected event, data, counters, milestones, params or households)`, t.offset);
    if (segments.length === 1) fail(`path "${root}" needs a field, e.g. ${root}.name`, t.offset);
    if (!this.paths.includes(t.text)) this.paths.push(t.text);
    return { kind: 'path', path: t.text, offset: t.offset };
  }

  private call(t: Token): Expr {
    const fn = t.text as FunctionName;
    if (!FUNCTIONS.includes(fn)) fail(`unknown function "${t.text}"`, t.offset);
    return this.nested(t.offset, () => {
      this.next(); // "("
      const args: Expr[] = [];
      const starts: number[] = [];
      while (!this.at(')')) {
        if (args.length > 0) this.expect(',', '"," or ")"');
        starts.push(this.peek().offset);
        args.push(this.or());
      }
      this.next(); // ")"
      const [lo, hi] = ARITY[fn];
      const expected = lo === hi ? `${lo} argument${lo === 1 ? '' : 's'}` : `at least ${lo} arguments`;
      if (args.length < lo || args.length > hi) fail(`${fn}() takes ${expected}, got ${args.length}`, t.offset);
      if (fn === 'exists' && args[0].kind !== 'path')
        fail('exists() takes a path, e.g. exists(data.MEETING_HELD.date)', starts[0]);
      return { kind: 'call', fn, args, offset: t.offset };
    });
  }
}

/** Parses a guard expression. Never throws: syntax errors, unknown names and limit violations come back as `{ ok: false }`. */
export function parseExpression(source: string): ParseResult {
  try {
    if (typeof source !== 'string') fail('expression must be a string', 0);
    if (source.length > MAX_LENGTH)
      fail(`expression is too long (${source.length} characters, max ${MAX_LENGTH})`, MAX_LENGTH);
    const parser = new Parser(tokenize(source));
    const expr = parser.parse();
    return { ok: true, expr, paths: parser.paths };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.error };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluator

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** A finite arithmetic result (with -0 normalised to 0), or undefined. */
const finite = (n: number): number | undefined => (Number.isFinite(n) ? n + 0 : undefined);

/** -1, 0 or 1 for two numbers or two strings (code-unit order); undefined for anything else, NaN included. */
function order(a: unknown, b: unknown): number | undefined {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')))
    return undefined;
  return a < b ? -1 : a > b ? 1 : a === b ? 0 : undefined;
}

function binary(op: BinaryOperator, a: unknown, b: unknown): unknown {
  const o = order(a, b);
  switch (op) {
    case '==':
      return a !== undefined && b !== undefined && a === b;
    case '!=':
      return a !== undefined && b !== undefined && a !== b;
    case '<':
      return o !== undefined && o < 0;
    case '<=':
      return o !== undefined && o <= 0;
    case '>':
      return o !== undefined && o > 0;
    case '>=':
      return o !== undefined && o >= 0;
  }
  if (!isFiniteNumber(a) || !isFiniteNumber(b)) return undefined;
  switch (op) {
    case '+':
      return finite(a + b);
    case '-':
      return finite(a - b);
    case '*':
      return finite(a * b);
    case '/':
      return b === 0 ? undefined : finite(a / b);
    case '%':
      return b === 0 ? undefined : finite(a % b);
  }
  return undefined;
}

function call(fn: FunctionName, args: Expr[], ev: (e: Expr) => unknown): unknown {
  if (fn === 'exists') {
    const v = args.length > 0 ? ev(args[0]) : undefined;
    return v !== undefined && v !== null;
  }
  if (fn === 'coalesce') {
    for (const arg of args) {
      const v = ev(arg);
      if (v !== undefined && v !== null) return v;
    }
    return undefined;
  }
  const values = args.map(ev);
  if (values.length === 0 || !values.every(isFiniteNumber)) return undefined;
  const x = values[0];
  const results: Record<typeof fn, () => number> = {
    min: () => Math.min(...values),
    max: () => Math.max(...values),
    abs: () => Math.abs(x),
    round: () => Math.sign(x) * Math.round(Math.abs(x)),
    floor: () => Math.floor(x),
    ceil: () => Math.ceil(x),
  };
  return finite(results[fn]());
}

/**
 * Evaluates; `lookup(path)` returns the value at a path (undefined when absent). Never throws for
 * well-typed or ill-typed data (only a throwing `lookup` can make it throw). The rules:
 * - `+ - * / %` and unary `-` need finite numbers, else `undefined`; a non-finite result, or `/` or `%`
 *   by zero, is `undefined` too. `%` keeps JavaScript's sign rule (`-7 % 3` is `-1`).
 * - `< <= > >=` compare two numbers or two strings (code-unit order), exactly, without epsilon;
 *   any other pair is `false`.
 * - `==` / `!=` are strict (`1 == '1'` is false); if either side is `undefined` (a missing value) both
 *   are `false`: absent is neither equal nor unequal. `null` is a value: `null == null` is true.
 * - `and` / `or` give booleans and count only exactly `true` as true (`1 and true` is false);
 *   `not x` is true only when `x` is exactly `false`, so a missing or non-boolean operand never
 *   turns into true. `and` / `or` short-circuit.
 * - `min max abs round floor ceil` need finite numbers, else `undefined`; `round` rounds halves away
 *   from zero. `exists(x)` is true when `x` is neither `undefined` nor `null`; `coalesce(a, b, ...)`
 *   is the first argument that is neither, else `undefined`.
 */
export function evaluateExpression(expr: Expr, lookup: (path: string) => unknown): unknown {
  const ev = (e: Expr): unknown => evaluateExpression(e, lookup);
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'path':
      return lookup(expr.path);
    case 'unary': {
      const v = ev(expr.operand);
      return expr.op === 'not' ? v === false : isFiniteNumber(v) ? finite(-v) : undefined;
    }
    case 'binary':
      if (expr.op === 'and') return ev(expr.left) === true && ev(expr.right) === true;
      if (expr.op === 'or') return ev(expr.left) === true || ev(expr.right) === true;
      return binary(expr.op, ev(expr.left), ev(expr.right));
    case 'call':
      return call(expr.fn, expr.args, ev);
  }
  return undefined;
}

/** True only when the result is exactly boolean true. */
export function expressionHolds(expr: Expr, lookup: (path: string) => unknown): boolean {
  return evaluateExpression(expr, lookup) === true;
}

/**
 * Replaces `params.X` paths by literals (compile-time substitution); returns the names of params not
 * found in `params` (deduplicated, in order), whose paths stay in place. The input tree is not modified.
 */
export function bindParams(
  expr: Expr,
  params: Record<string, number | string | boolean>,
): { expr: Expr; missing: string[] } {
  const missing: string[] = [];
  const bind = (e: Expr): Expr => {
    switch (e.kind) {
      case 'path': {
        if (!e.path.startsWith('params.')) return e;
        const name = e.path.slice('params.'.length);
        if (Object.hasOwn(params, name)) return { kind: 'literal', value: params[name], offset: e.offset };
        if (!missing.includes(name)) missing.push(name);
        return e;
      }
      case 'unary':
        return { ...e, operand: bind(e.operand) };
      case 'binary':
        return { ...e, left: bind(e.left), right: bind(e.right) };
      case 'call':
        return { ...e, args: e.args.map(bind) };
      default:
        return e;
    }
  };
  return { expr: bind(expr), missing };
}

/** One-paragraph reference of the expression language, printed by `rasoat definitions guards`. */
export const EXPRESSION_HELP =
  'Biểu thức an toàn (không chạy mã) / a safe expression: paths event.F, data.EVENT.F, counters.C, milestones.M, params.P; ' +
  "numbers, 'strings', true, false, null; + - * / %; == != < <= > >=; and, or, not; ( ); " +
  'min(a, b, ...), max(...), abs(x), round(x), floor(x), ceil(x), exists(path), coalesce(a, b, ...). ' +
  'A missing value never satisfies a comparison; only exactly true passes.';
