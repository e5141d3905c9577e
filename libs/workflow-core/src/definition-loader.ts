import { CST, isMap, isNode, isSeq, Lexer, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { DefinitionSchema, type Definition } from './definition.schema';
import {
  jsonPath,
  MAX_REPORTED_ERRORS,
  moreErrors,
  type DefinitionError,
  type PathSegment,
  type SourceLocator,
} from './definition-error';

/**
 * What a definition file may hold before it is parsed at all. The largest shipped definition
 * (regular-review.yaml) is 17 KB with about 850 values and flow collections 3 deep; YAML
 * parsing costs memory and time in the number of values (a 660 KB flow sequence of 330,000
 * numbers took 12 s and 400 MB) and in the nesting of flow collections (a megabyte of "["
 * ran a 320 MB process out of memory), so both are counted first by the lexer, which builds
 * nothing.
 */
export const DEFINITION_TEXT_LIMITS = Object.freeze({ maxCharacters: 200_000, maxValues: 20_000, maxFlowDepth: 64 });

/** The outcome of reading a definition: the value, or every error found. */
export type LoadResult<T, S extends SourceLocator = SourceMap> =
  { ok: true; value: T; source: S } | { ok: false; errors: DefinitionError[] };

/** Maps JSON paths of a parsed YAML document back to line and column. */
export class SourceMap implements SourceLocator {
  constructor(
    readonly file: string,
    private readonly doc: Document.Parsed | null,
    private readonly lines: LineCounter | null,
  ) {}

  /** Position of the deepest existing node on `path` (a missing key points at its parent). */
  locate(path: readonly PathSegment[]): { line: number; col: number } {
    if (!this.doc || !this.lines) return { line: 0, col: 0 };
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        // For a map entry, point at the key, which is where an admin looks.
        const keyPos = depth > 0 ? this.keyOffset(path.slice(0, depth)) : undefined;
        return this.lines.linePos(keyPos ?? node.range[0]);
      }
    }
    return { line: 1, col: 1 };
  }

  error(path: readonly PathSegment[], message: string): DefinitionError {
    return { file: this.file, ...this.locate(path), path: jsonPath(path), message };
  }

  private keyOffset(path: readonly PathSegment[]): number | undefined {
    const parent = path.length === 1 ? this.doc?.contents : this.doc?.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === last);
      if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
    }
    if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last];
      if (isNode(item) && item.range) return item.range[0];
    }
    return undefined;
  }
}

/**
 * Parses YAML text into plain data, keeping positions. Syntax errors, duplicate keys and
 * aliases are all reported with their place; nothing is cast.
 */
export function parseYaml(text: string, file: string): LoadResult<unknown> {
  const tooLarge = checkSize(text, file);
  if (tooLarge !== undefined) return { ok: false, errors: [tooLarge] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: false });
  const errors: DefinitionError[] = [...doc.errors, ...doc.warnings].map((e) => {
    // With prettyErrors off, yaml sets only the offsets (`pos`), never `linePos`.
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    return { file, line: pos.line, col: pos.col, path: '$', message: `YAML: ${e.message.split('\n')[0]}` };
  });
  // toJS({ maxAliasCount: 0 }) would throw on the first alias; report each one instead.
  visit(doc, {
    Alias(_, node) {
      const pos = node.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
      errors.push({
        file,
        line: pos.line,
        col: pos.col,
        path: '$',
        message: `YAML: aliases are not allowed (*${node.source})`,
      });
    },
  });
  if (errors.length > MAX_REPORTED_ERRORS) {
    const source = new SourceMap(file, doc, lines);
    return {
      ok: false,
      errors: [...errors.slice(0, MAX_REPORTED_ERRORS), moreErrors(source, errors.length - MAX_REPORTED_ERRORS)],
    };
  }
  if (errors.length > 0) return { ok: false, errors };
  const value: unknown = doc.toJS({ maxAliasCount: 0 });
  return { ok: true, value, source: new SourceMap(file, doc, lines) };
}

/**
 * The text's size, its number of values (scalars, flow collections, sequence items) and the
 * depth of its flow collections against `DEFINITION_TEXT_LIMITS`, read by the lexer alone; the
 * first limit passed, located, or undefined.
 */
function checkSize(text: string, file: string): DefinitionError | undefined {
  const { maxCharacters, maxValues, maxFlowDepth } = DEFINITION_TEXT_LIMITS;
  const at = (offset: number, vi: string, en: string): DefinitionError => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    return { file, line, col: offset - before.lastIndexOf('\n'), path: '$', message: `YAML: ${vi} / ${en}` };
  };
  if (text.length > maxCharacters)
    return at(
      0,
      `tệp có ${text.length} ký tự, quá giới hạn ${maxCharacters}`,
      `the file has ${text.length} characters, more than the limit of ${maxCharacters}`,
    );
  let values = 0;
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (
      type === 'scalar' ||
      type === 'single-quoted-scalar' ||
      type === 'double-quoted-scalar' ||
      type === 'seq-item-ind' ||
      type === 'flow-seq-start' ||
      type === 'flow-map-start'
    ) {
      if (++values > maxValues)
        return at(
          offset,
          `tệp có hơn ${maxValues} giá trị, quá giới hạn`,
          `the file has more than ${maxValues} values, more than the limit`,
        );
    }
    if (type === 'flow-seq-start' || type === 'flow-map-start') {
      if (++depth > maxFlowDepth)
        return at(
          offset,
          `ngoặc [ ] hoặc { } lồng nhau quá ${maxFlowDepth} cấp`,
          `flow collections ([ ] or { }) nested more than ${maxFlowDepth} deep`,
        );
    } else if (type === 'flow-seq-end' || type === 'flow-map-end') {
      depth--;
    }
    // The lexer's markers are not text of the file.
    if (token !== CST.SCALAR && token !== CST.DOCUMENT && token !== CST.FLOW_END) offset += token.length;
  }
  return undefined;
}

/** Turns zod issues into located definition errors (at most `MAX_REPORTED_ERRORS`, then one saying how many more). */
export function zodErrors(issues: readonly z.core.$ZodIssue[], source: SourceLocator): DefinitionError[] {
  const flat = issues.flatMap((issue) => flattenIssue(issue, []));
  const located = flat.slice(0, MAX_REPORTED_ERRORS).map(({ path, message }) => source.error(path, message));
  return flat.length > MAX_REPORTED_ERRORS
    ? [...located, moreErrors(source, flat.length - MAX_REPORTED_ERRORS)]
    : located;
}

function flattenIssue(issue: z.core.$ZodIssue, prefix: PathSegment[]): { path: PathSegment[]; message: string }[] {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  // A union that failed in every branch: report the branch that got furthest, not "invalid input".
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0];
    if (best.length > 0 && depth(best) > 0) return best.flatMap((i) => flattenIssue(i, path));
  }
  // zod says only "Invalid key in record"; the key schema's own message says what to fix.
  if (issue.code === 'invalid_key' && issue.issues.length > 0) {
    return issue.issues.map((i) => ({ path, message: `invalid key "${String(path[path.length - 1])}": ${i.message}` }));
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}"` }));
  }
  return [{ path, message: issue.message }];
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length + (i.code === 'invalid_type' ? 0 : 1)));
}

/** Reads one definition file's text against the schema (no semantic checks; see `validateDefinition`). */
export function loadDefinitionYaml(text: string, file: string): LoadResult<Definition> {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return parsed;
  const result = DefinitionSchema.safeParse(parsed.value);
  if (!result.success) return { ok: false, errors: zodErrors(result.error.issues, parsed.source) };
  return { ok: true, value: result.data, source: parsed.source };
}
