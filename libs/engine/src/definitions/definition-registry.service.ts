import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { loadCatalog, type CatalogEntry } from '@rasoat/definition-catalog';
import { DefinitionVersion } from '@rasoat/persistence';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { compileDefinition, DefinitionSchema, isFieldMarkingAmendment, unifiedDiff, type CompiledDefinition } from '@rasoat/workflow-core';
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

  constructor(private readonly em: EntityManager) {}

  async publishShipped(now: Date, catalog: Map<string, CatalogEntry> = loadCatalog()): Promise<void> {
    const em = this.em.fork();
    for (const entry of catalog.values()) {
      const existing = await em.findOne(DefinitionVersion, { key: entry.key });
      if (existing && existing.contentHash !== entry.contentHash) {
        if (!isFieldMarkingAmendment(DefinitionSchema.parse(existing.body), entry.definition)) throw new DefinitionVersionChangedException(entry.key, entry.file);
        await this.amend(em, existing, entry, now);
      }
      if (!existing) {
        await em.getConnection().execute(
          `insert into definition_version (key, definition_id, version, content_hash, body, source_file, source_text, province_code, effective_from, published_at, published_by)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'workflows/') on conflict (key) do nothing`,
          [entry.key, entry.definition.id, entry.definition.version, entry.contentHash, JSON.stringify(entry.definition), entry.file, entry.text, entry.definition.province ?? null, entry.definition.effectiveFrom ?? null, now],
          'run',
        );
        this.logger.log(`published ${entry.key} from ${entry.file}`);
      }
      this.compiled.set(entry.key, entry.compiled);
    }
  }

  /**
   * A shipped version that only took on personal-text markers or numeric maxima
   * (`isFieldMarkingAmendment`) is updated in place, with a `definition_audit` row (`amend`,
   * by the system, the YAML diff): running cases keep their version and read the markings at
   * once. Processes booting together amend once (the update is conditional on the old hash).
   */
  private async amend(em: EntityManager, existing: DefinitionVersion, entry: CatalogEntry, now: Date): Promise<void> {
    const diff = unifiedDiff(existing.sourceText ?? '', entry.text, `${existing.sourceFile} (published)`, entry.file);
    await em.getConnection().execute(
      `with amended as (
         update definition_version set content_hash = ?, body = ?::jsonb, source_text = ?, source_file = ? where key = ? and content_hash = ?
         returning definition_id, version, province_code)
       insert into definition_audit (at, action, definition_id, version, province_code, actor, diff, details)
       select ?, 'amend', definition_id, version, province_code, ?::jsonb, ?, ?::jsonb from amended`,
      [entry.contentHash, JSON.stringify(entry.definition), entry.text, entry.file, entry.key, existing.contentHash,
        now, JSON.stringify(SYSTEM_ACTOR), diff, JSON.stringify({ key: entry.key, from: existing.contentHash, to: entry.contentHash, reason: 'field markings (personal, max)' })],
      'run',
    );
    this.logger.log(`amended ${entry.key} from ${entry.file}: field markings only`);
  }

  /**
   * The compiled machine of a published version (compiled from the database on first use).
   * Inside a transaction pass its `em`: asking the pool for a second connection while holding
   * row locks deadlocks once every pooled connection waits for those locks.
   */
  async get(key: string, em?: EntityManager): Promise<CompiledDefinition> {
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const row = await (em ?? this.em.fork()).findOne(DefinitionVersion, { key });
    if (!row) throw new DefinitionNotFoundException(key);
    const compiled = compileDefinition(DefinitionSchema.parse(row.body));
    this.compiled.set(key, compiled);
    return compiled;
  }

  /** True when an admin rolled the version back (running cases keep it; new campaigns may not start on it). */
  async isRetired(key: string): Promise<boolean> {
    const row = await this.em.fork().findOne(DefinitionVersion, { key }, { fields: ['retiredAt'] });
    return !!row?.retiredAt;
  }

  async list(): Promise<DefinitionVersion[]> {
    return this.em.fork().find(DefinitionVersion, {}, { orderBy: { definitionId: 'asc', version: 'asc' } });
  }
}
