import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  compileDefinition,
  loadDefinitionDocument,
  parseYaml,
  validateDefinition,
  type CompiledDefinition,
  type Definition,
  type DefinitionError,
  type LocatedDefinition,
  type SourceLocator,
  stableJson,
} from '@rasoat/workflow-core';

/** A definition file read from `workflows/`, validated and compiled. */
export interface CatalogEntry {
  /** `periodic-review@1` */
  key: string;
  file: string;
  /** The file's text as written (an overlay stays an overlay). */
  text: string;
  definition: Definition;
  source: SourceLocator;
  compiled: CompiledDefinition;
  contentHash: string;
}

export const WORKFLOWS_DIR = resolve(__dirname, '../../../workflows');

/** Every definition file under a directory (golden-case files excluded). */
export function definitionFiles(dir: string = WORKFLOWS_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...definitionFiles(full));
    else if (/\.ya?ml$/.test(name) && !/\.golden\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

/**
 * Reads definition files, resolving each overlay's `extends` chain through the other files of
 * the catalog directory. Each file is read, validated and compiled at most once.
 */
export class CatalogReader {
  private keys?: Map<string, string>;
  private readonly results = new Map<string, { entry?: CatalogEntry; errors: DefinitionError[] }>();
  private readonly reading = new Set<string>();

  constructor(
    private readonly dir: string = WORKFLOWS_DIR,
    private readonly displayRoot: string = process.cwd(),
  ) {}

  /** Reads, validates and compiles one file (inside the catalog directory or not); every problem is returned with its place. */
  read(file: string): { entry?: CatalogEntry; errors: DefinitionError[] } {
    const full = resolve(file);
    const cached = this.results.get(full);
    if (cached) return cached;
    const display = relative(this.displayRoot, full) || full;
    if (this.reading.has(full))
      return {
        errors: [
          { file: display, line: 1, col: 1, path: '$.extends', message: 'overlay chain loops back to this file' },
        ],
      };
    this.reading.add(full);
    try {
      const text = readFileSync(full, 'utf8');
      const result = this.compile(text, display);
      this.results.set(full, result);
      return result;
    } finally {
      this.reading.delete(full);
    }
  }

  /** Every definition of the directory, by key; duplicates reported. */
  readAll(): { entries: Map<string, CatalogEntry>; errors: DefinitionError[] } {
    const entries = new Map<string, CatalogEntry>();
    const errors: DefinitionError[] = [];
    for (const file of definitionFiles(this.dir)) {
      const { entry, errors: fileErrors } = this.read(file);
      errors.push(...fileErrors);
      if (!entry) continue;
      const existing = entries.get(entry.key);
      if (existing) {
        errors.push({
          file: entry.file,
          line: 1,
          col: 1,
          path: '$.version',
          message: `${entry.key} is already defined in ${existing.file}`,
        });
        continue;
      }
      entries.set(entry.key, entry);
    }
    return { entries, errors };
  }

  private compile(text: string, display: string): { entry?: CatalogEntry; errors: DefinitionError[] } {
    const loaded = loadDefinitionDocument(text, display, (key) => this.resolveBase(key));
    if (!loaded.ok) return { errors: loaded.errors };
    const errors = validateDefinition(loaded.value, loaded.source);
    if (errors.length > 0) return { errors };
    const definition = loaded.value;
    const entry: CatalogEntry = {
      key: definitionKey(definition),
      file: display,
      text,
      definition,
      source: loaded.source,
      compiled: compileDefinition(definition, undefined, loaded.source),
      contentHash: contentHash(definition),
    };
    return { errors: [], entry };
  }

  private resolveBase(key: string): LocatedDefinition | { errors: DefinitionError[] } | undefined {
    const file = this.keyIndex().get(key);
    if (!file) return undefined;
    const { entry, errors } = this.read(file);
    return entry ? { definition: entry.definition, source: entry.source } : { errors };
  }

  /** `id@version` → file, read from each file's header without validating it. */
  private keyIndex(): Map<string, string> {
    if (!this.keys) {
      this.keys = new Map();
      for (const file of definitionFiles(this.dir)) {
        const parsed = parseYaml(readFileSync(file, 'utf8'), file);
        const head = parsed.ok ? (parsed.value as { id?: unknown; version?: unknown } | null) : null;
        if (head && typeof head.id === 'string' && typeof head.version === 'number')
          this.keys.set(`${head.id}@${head.version}`, resolve(file));
      }
    }
    return this.keys;
  }
}

/** Reads, validates and compiles one file; an overlay's base is looked up under `workflows/`. */
export function readDefinitionFile(
  file: string,
  displayRoot = process.cwd(),
): { entry?: CatalogEntry; errors: DefinitionError[] } {
  return new CatalogReader(WORKFLOWS_DIR, displayRoot).read(file);
}

export function definitionKey(definition: Pick<Definition, 'id' | 'version'>): string {
  return `${definition.id}@${definition.version}`;
}

/** sha256 of the canonical JSON (keys sorted), so formatting and comments do not change it. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

export class CatalogInvalidError extends Error {
  constructor(readonly errors: DefinitionError[]) {
    super(
      `Definitions under workflows/ are invalid:\n${errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.path} ${e.message}`).join('\n')}`,
    );
    this.name = 'CatalogInvalidError';
  }
}

/**
 * Loads every definition under `dir`. Throws with every error of every file when any is
 * invalid or when two files claim the same id and version: the processes refuse to start.
 */
export function loadCatalog(dir: string = WORKFLOWS_DIR): Map<string, CatalogEntry> {
  const { entries, errors } = new CatalogReader(dir).readAll();
  if (errors.length > 0) throw new CatalogInvalidError(errors);
  return entries;
}
