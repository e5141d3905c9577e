import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  compileDefinition,
  loadDefinitionYaml,
  validateDefinition,
  type CompiledDefinition,
  type Definition,
  type DefinitionError,
  stableJson,
} from '@rasoat/workflow-core';

/** A definition file read from `workflows/`, validated and compiled. */
export interface CatalogEntry {
  /** `periodic-review@1` */
  key: string;
  file: string;
  definition: Definition;
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

/** Reads, validates and compiles one file; every problem is returned with its place. */
export function readDefinitionFile(file: string, displayRoot = process.cwd()): { entry?: CatalogEntry; errors: DefinitionError[] } {
  const display = relative(displayRoot, file) || file;
  const loaded = loadDefinitionYaml(readFileSync(file, 'utf8'), display);
  if (!loaded.ok) return { errors: loaded.errors };
  const errors = validateDefinition(loaded.value, loaded.source);
  if (errors.length > 0) return { errors };
  const definition = loaded.value;
  return {
    errors: [],
    entry: {
      key: definitionKey(definition),
      file: display,
      definition,
      compiled: compileDefinition(definition),
      contentHash: contentHash(definition),
    },
  };
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
    super(`Definitions under workflows/ are invalid:\n${errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.path} ${e.message}`).join('\n')}`);
    this.name = 'CatalogInvalidError';
  }
}

/**
 * Loads every definition under `dir`. Throws with every error of every file when any is
 * invalid or when two files claim the same id and version: the processes refuse to start.
 */
export function loadCatalog(dir: string = WORKFLOWS_DIR): Map<string, CatalogEntry> {
  const entries = new Map<string, CatalogEntry>();
  const errors: DefinitionError[] = [];
  for (const file of definitionFiles(dir)) {
    const { entry, errors: fileErrors } = readDefinitionFile(file);
    errors.push(...fileErrors);
    if (!entry) continue;
    const existing = entries.get(entry.key);
    if (existing) {
      errors.push({ file: entry.file, line: 1, col: 1, path: '$.version', message: `${entry.key} is already defined in ${existing.file}` });
      continue;
    }
    entries.set(entry.key, entry);
  }
  if (errors.length > 0) throw new CatalogInvalidError(errors);
  return entries;
}
