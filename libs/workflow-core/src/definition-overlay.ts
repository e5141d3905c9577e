import { z } from 'zod';
import { DefinitionSchema, LocalizedTextSchema, SourceSchema, type Definition } from './definition.schema';
import { jsonPath, type DefinitionError, type PathSegment, type SourceLocator } from './definition-error';
import { parseYaml, zodErrors, type LoadResult, type SourceMap } from './definition-loader';

/**
 * A province overlay: it `extends` a published definition and states only what differs.
 *
 * - `patch` changes what exists: objects merge key by key, anything else (a string, a number, a
 *   list such as an event's transitions) replaces the base value, `null` removes it. Inside
 *   collections (steps, events, roles, parameters, fields, transitions `on`, regions) every key
 *   must already exist in the base: a patch that targets nothing is an error, never a silent add.
 * - `add` adds new entries to those collections (a new step, event, role, parameter…); an entry
 *   that already exists is an error.
 *
 * The merged result is validated as a whole, and its errors point back into the file each part
 * came from.
 */
export const OverlaySchema = z.strictObject({
  $schema: z.string().optional(),
  /** The definition this one extends: `id@version`. */
  extends: z.string().regex(/^[a-z][a-z0-9-]*@\d+$/, 'must look like periodic-review@1'),
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case'),
  version: z.number().int().positive(),
  province: z
    .string()
    .regex(/^[0-9A-Z]{2,8}$/, 'must be a province code such as "20"')
    .optional(),
  title: LocalizedTextSchema.optional(),
  description: LocalizedTextSchema.optional(),
  effectiveFrom: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a civil date YYYY-MM-DD')
    .optional(),
  /** This version's own last day for new campaigns; never inherited from the base. */
  effectiveTo: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a civil date YYYY-MM-DD')
    .optional(),
  /** The province's own plan and notices, added to the base's sources. */
  sources: z.array(SourceSchema).default([]),
  add: z.record(z.string(), z.unknown()).optional(),
  patch: z.record(z.string(), z.unknown()).optional(),
});
export type Overlay = z.infer<typeof OverlaySchema>;

/** JSON Schema of overlay files for editors; `patch` and `add` are checked once merged. */
export function overlayJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(OverlaySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Keys whose value is a collection keyed by id; every other object is a structure with fixed keys. */
const COLLECTIONS = new Set(['roles', 'parameters', 'events', 'steps', 'fields', 'items', 'on', 'regions', 'anyStep']);
const HEADER_KEYS = ['id', 'version', 'province', 'title', 'description', 'effectiveFrom', 'effectiveTo'] as const;

/** A definition together with the means to locate its parts in the file(s) it came from. */
export interface LocatedDefinition {
  definition: Definition;
  source: SourceLocator;
}

/** True when a parsed YAML document is an overlay rather than a complete definition. */
export function isOverlayDocument(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'extends' in value;
}

/**
 * Locates errors of a merged definition: parts the overlay wrote point into the overlay file,
 * inherited parts point into the base file(s).
 */
export class OverlaySourceLocator implements SourceLocator {
  constructor(
    private readonly overlaySource: SourceMap,
    private readonly base: SourceLocator,
    private readonly extendsKey: string,
    /** Merged JSON path → the path in the overlay document that wrote it. */
    private readonly written: Map<string, PathSegment[]>,
  ) {}

  error(path: readonly PathSegment[], message: string): DefinitionError {
    for (let depth = path.length; depth >= 0; depth--) {
      const origin = this.written.get(jsonPath(path.slice(0, depth)));
      if (origin) return this.overlaySource.error([...origin, ...path.slice(depth)], message);
      if (depth === 0) break;
    }
    return this.base.error(
      path,
      `${message} (inherited from ${this.extendsKey}; merged by ${this.overlaySource.file})`,
    );
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Merges an overlay into its base and validates the result against the schema. */
export function applyOverlay(
  base: LocatedDefinition,
  overlay: Overlay,
  overlaySource: SourceMap,
): LoadResult<Definition, SourceLocator> {
  const errors: DefinitionError[] = [];
  const written = new Map<string, PathSegment[]>();
  const merged = structuredClone(base.definition) as unknown as Json;
  // The base's last day is the base's own: it may be added to a published version in place, and
  // must not change (or invalidate) the overlays already published on it. An overlay states its own.
  delete merged.effectiveTo;

  for (const key of HEADER_KEYS) {
    if (overlay[key] === undefined) continue;
    merged[key] = structuredClone(overlay[key]);
    written.set(jsonPath([key]), [key]);
  }
  merged.extends = overlay.extends;
  written.set(jsonPath(['extends']), ['extends']);
  if (overlay.sources.length > 0) {
    const offset = base.definition.sources.length;
    merged.sources = [...base.definition.sources, ...overlay.sources];
    overlay.sources.forEach((_, i) => written.set(jsonPath(['sources', offset + i]), ['sources', i]));
  }

  const fail = (at: PathSegment[], message: string) => errors.push(overlaySource.error(at, message));
  const assign = (target: Json, key: string, value: unknown, mergedPath: PathSegment[], overlayPath: PathSegment[]) => {
    target[key] = structuredClone(value);
    written.set(jsonPath([...mergedPath, key]), [...overlayPath, key]);
  };

  /** `patch`: change what exists; objects merge, other values replace, null removes. */
  const patch = (
    target: Json,
    changes: Json,
    inCollection: boolean,
    mergedPath: PathSegment[],
    overlayPath: PathSegment[],
  ) => {
    for (const [key, value] of Object.entries(changes)) {
      const at = [...overlayPath, key];
      const exists = Object.hasOwn(target, key);
      if (inCollection && !exists) {
        fail(
          at,
          `patch targets nothing: ${describe(mergedPath)} has no "${key}" (it has: ${Object.keys(target).join(', ') || 'nothing'}); to add a new one, put it under "add"`,
        );
        continue;
      }
      if (value === null) {
        if (!exists) fail(at, `nothing to remove: ${describe(mergedPath)} has no "${key}"`);
        else delete target[key];
        continue;
      }
      if (exists && isObject(value) && isObject(target[key])) {
        patch(target[key] as Json, value, !inCollection && COLLECTIONS.has(key), [...mergedPath, key], at);
      } else {
        assign(target, key, value, mergedPath, overlayPath);
      }
    }
  };

  /** `add`: new entries in collections; walks through existing entries to reach nested collections. */
  const add = (
    target: Json,
    additions: Json,
    inCollection: boolean,
    mergedPath: PathSegment[],
    overlayPath: PathSegment[],
  ) => {
    for (const [key, value] of Object.entries(additions)) {
      const at = [...overlayPath, key];
      const exists = Object.hasOwn(target, key);
      if (inCollection) {
        if (!exists) assign(target, key, value, mergedPath, overlayPath);
        else if (isObject(value) && isObject(target[key]))
          add(target[key] as Json, value, false, [...mergedPath, key], at);
        else fail(at, `"${key}" already exists in ${describe(mergedPath)}; change it under "patch"`);
        continue;
      }
      if (!COLLECTIONS.has(key)) {
        fail(
          at,
          `"add" only adds entries to ${[...COLLECTIONS].join(', ')}; "${key}" is not one: change it under "patch"`,
        );
        continue;
      }
      if (!isObject(value)) {
        fail(at, `expected the new entries of "${key}" as a mapping`);
        continue;
      }
      if (!exists) target[key] = {};
      if (!isObject(target[key])) fail(at, `${describe([...mergedPath, key])} is not a collection`);
      else add(target[key] as Json, value, true, [...mergedPath, key], at);
    }
  };

  if (overlay.add) add(merged, overlay.add, false, [], ['add']);
  if (overlay.patch) patch(merged, overlay.patch, false, [], ['patch']);
  if (errors.length > 0) return { ok: false, errors };

  const source = new OverlaySourceLocator(overlaySource, base.source, overlay.extends, written);
  const result = DefinitionSchema.safeParse(merged);
  if (!result.success) return { ok: false, errors: zodErrors(result.error.issues, source) };
  return { ok: true, value: result.data, source };
}

function describe(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'the definition' : `the base's ${jsonPath(path)}`;
}

/** Finds the base of an overlay: a located definition, the errors that make it unusable, or undefined when unknown. */
export type BaseResolver = (key: string) => LocatedDefinition | { errors: DefinitionError[] } | undefined;

/**
 * Reads a definition file, complete or overlay. An overlay's base comes from `resolveBase`
 * (the catalog under workflows/, or the published versions in the database).
 */
export function loadDefinitionDocument(
  text: string,
  file: string,
  resolveBase: BaseResolver = () => undefined,
): LoadResult<Definition, SourceLocator> {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return parsed;
  if (!isOverlayDocument(parsed.value)) {
    const result = DefinitionSchema.safeParse(parsed.value);
    return result.success
      ? { ok: true, value: result.data, source: parsed.source }
      : { ok: false, errors: zodErrors(result.error.issues, parsed.source) };
  }
  const overlay = OverlaySchema.safeParse(parsed.value);
  if (!overlay.success) return { ok: false, errors: zodErrors(overlay.error.issues, parsed.source) };
  const base = resolveBase(overlay.data.extends);
  if (!base)
    return {
      ok: false,
      errors: [
        parsed.source.error(
          ['extends'],
          `unknown definition "${overlay.data.extends}": no published or shipped definition has this id and version`,
        ),
      ],
    };
  if ('errors' in base) {
    return {
      ok: false,
      errors: [
        parsed.source.error(
          ['extends'],
          `the base "${overlay.data.extends}" is invalid (${base.errors.length} error(s), listed under its own file)`,
        ),
      ],
    };
  }
  return applyOverlay(base, overlay.data, parsed.source);
}
