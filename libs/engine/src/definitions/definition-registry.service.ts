import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadCatalog, type CatalogEntry } from '@rasoat/definition-catalog';
import type { DefinitionVersion } from '@rasoat/persistence';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import {
  amendedMarkings,
  compileDefinition,
  DefinitionSchema,
  isFieldMarkingAmendment,
  unifiedDiff,
  type CompiledDefinition,
} from '@rasoat/workflow-core';
import { DefinitionRepository } from './definition.repository';
import { DefinitionNotFoundException, DefinitionVersionChangedException } from './definitions.exception';

/**
 * Published definition versions, compiled once per process. At boot the shipped files under
 * `workflows/` are published (idempotently, by content hash); a file whose published version
 * changed makes the process refuse to start.
 */
@Injectable()
export class DefinitionRegistry {
  private readonly logger = new Logger(DefinitionRegistry.name);
  private readonly compiled = new Map<string, CompiledDefinition>();

  constructor(private readonly definitions: DefinitionRepository) {}

  async publishShipped(now: Date, catalog: Map<string, CatalogEntry> = loadCatalog()): Promise<void> {
    for (const entry of catalog.values()) {
      const existing = await this.definitions.findByKey(entry.key);
      if (existing && existing.contentHash !== entry.contentHash) {
        const published = DefinitionSchema.parse(existing.body);
        if (!isFieldMarkingAmendment(published, entry.definition))
          throw new DefinitionVersionChangedException(entry.key, entry.file);
        await this.amend(existing, entry, amendedMarkings(published, entry.definition), now);
      }
      if (!existing) {
        await this.definitions.insertShipped(entry, now);
        this.logger.log(`published ${entry.key} from ${entry.file}`);
      }
      this.compiled.set(entry.key, entry.compiled);
    }
  }

  /**
   * A shipped version that only took on personal-text markers, numeric maxima or a last day for
   * new campaigns (`isFieldMarkingAmendment`) is updated in place, with a `definition_audit` row
   * (`amend`, by the system, the YAML diff, the markings changed): running cases keep their
   * version and read the markings at once; an `effectiveTo` refuses new campaigns from then on.
   * Processes booting together amend once (the update is conditional on the old hash).
   */
  private async amend(existing: DefinitionVersion, entry: CatalogEntry, markings: string[], now: Date): Promise<void> {
    const diff = unifiedDiff(existing.sourceText ?? '', entry.text, `${existing.sourceFile} (published)`, entry.file);
    await this.definitions.amendShipped(entry, existing.contentHash, now, SYSTEM_ACTOR, diff, {
      key: entry.key,
      from: existing.contentHash,
      to: entry.contentHash,
      reason: `markings only (${markings.join(', ')})`,
      markings,
    });
    this.logger.log(`amended ${entry.key} from ${entry.file}: markings only (${markings.join(', ')})`);
  }

  /**
   * The compiled machine of a published version (compiled from the database on first use).
   * Inside a transaction pass its `em`: asking the pool for a second connection while holding
   * row locks deadlocks once every pooled connection waits for those locks.
   */
  async get(key: string, em?: EntityManager): Promise<CompiledDefinition> {
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const row = await this.definitions.findByKey(key, em);
    if (!row) throw new DefinitionNotFoundException(key);
    const compiled = compileDefinition(DefinitionSchema.parse(row.body));
    this.compiled.set(key, compiled);
    return compiled;
  }

  /** True when an admin rolled the version back (running cases keep it; new campaigns may not start on it). */
  isRetired(key: string): Promise<boolean> {
    return this.definitions.isRetired(key);
  }

  /** The keys of a process's versions not rolled back, the newest first (empty when the process is unknown). */
  async liveKeys(definitionId: string): Promise<string[]> {
    return (await this.definitions.liveVersions(definitionId)).map((row) => row.key);
  }
}
