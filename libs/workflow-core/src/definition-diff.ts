import type { Definition } from './definition.schema';
import { stableJson } from './stable-json';
import { allSteps } from './step-tree';

/** What changed between two definitions, section by section, as a reviewer reads it. */
export interface DefinitionDiff {
  steps: SectionDiff;
  events: SectionDiff;
  roles: SectionDiff;
  parameters: SectionDiff & { values: { name: string; from: unknown; to: unknown }[] };
  /** Other top-level fields that changed (title, window, sources…). */
  fields: string[];
}

export interface SectionDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

function section(a: Record<string, unknown>, b: Record<string, unknown>): SectionDiff {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: SectionDiff = { added: [], removed: [], changed: [] };
  for (const key of keys) {
    if (!(key in a)) out.added.push(key);
    else if (!(key in b)) out.removed.push(key);
    else if (stableJson(a[key]) !== stableJson(b[key])) out.changed.push(key);
  }
  return out;
}

/** Compares two definitions: steps (regions included), events, roles, parameters and the rest. */
export function diffDefinitions(from: Definition, to: Definition): DefinitionDiff {
  const steps = (d: Definition) =>
    Object.fromEntries(allSteps(d).map((e) => [e.id, { ...e.step, regions: undefined }]));
  const params = section(from.parameters, to.parameters);
  const values = params.changed
    .filter((name) => from.parameters[name].value !== to.parameters[name].value)
    .map((name) => ({ name, from: from.parameters[name].value, to: to.parameters[name].value }));
  const sections = new Set(['steps', 'events', 'roles', 'parameters', 'version']);
  const topFrom = Object.fromEntries(Object.entries(from).filter(([k]) => !sections.has(k)));
  const topTo = Object.fromEntries(Object.entries(to).filter(([k]) => !sections.has(k)));
  const top = section(topFrom, topTo);
  return {
    steps: section(steps(from), steps(to)),
    events: section(from.events, to.events),
    roles: section(from.roles, to.roles),
    parameters: { ...params, values },
    fields: [...top.added, ...top.removed, ...top.changed].sort(),
  };
}

/**
 * A unified diff of two texts by lines (longest common subsequence), with `context` lines
 * around each change, as `diff -u` prints it. Texts are small (a definition is a few hundred
 * lines), so the quadratic table is fine; beyond 5,000 lines each it falls back to one hunk.
 */
export function unifiedDiff(fromText: string, toText: string, fromName = 'a', toName = 'b', context = 3): string {
  const a = fromText.split('\n');
  const b = toText.split('\n');
  if (fromText === toText) return '';
  const ops =
    a.length * b.length > 25_000_000
      ? [...a.map((l) => ['-', l] as const), ...b.map((l) => ['+', l] as const)]
      : lineOps(a, b);

  const lines = [`--- ${fromName}`, `+++ ${toName}`];
  let i = 0;
  // Positions (1-based) in a and b of each op, to write hunk headers.
  const pos: { a: number; b: number }[] = [];
  let ai = 1;
  let bi = 1;
  for (const [op] of ops) {
    pos.push({ a: ai, b: bi });
    if (op !== '+') ai++;
    if (op !== '-') bi++;
  }
  while (i < ops.length) {
    if (ops[i][0] === ' ') {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are within 2 × context of each other.
    while (end < ops.length) {
      if (ops[end][0] !== ' ') {
        end++;
        continue;
      }
      let next = end;
      while (next < ops.length && ops[next][0] === ' ') next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + context);
    const hunk = ops.slice(start, stop);
    const aLen = hunk.filter(([op]) => op !== '+').length;
    const bLen = hunk.filter(([op]) => op !== '-').length;
    lines.push(`@@ -${pos[start].a},${aLen} +${pos[start].b},${bLen} @@`);
    for (const [op, text] of hunk) lines.push(`${op}${text}`);
    i = stop;
  }
  return `${lines.join('\n')}\n`;
}

function lineOps(a: string[], b: string[]): (readonly [' ' | '-' | '+', string])[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: (readonly [' ' | '-' | '+', string])[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push([' ', a[i]]);
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) ops.push(['-', a[i++]]);
    else ops.push(['+', b[j++]]);
  }
  while (i < n) ops.push(['-', a[i++]]);
  while (j < m) ops.push(['+', b[j++]]);
  return ops;
}
