import { Injectable } from '@nestjs/common';
import { EntityManager, type RequiredEntityData } from '@mikro-orm/postgresql';
import type { CatalogEntry } from '@rasoat/definition-catalog';
import { DefinitionAudit, DefinitionVersion } from '@rasoat/persistence';

/**
 * The SQL of published definitions (`definition_version`) and their audit (`definition_audit`):
 * reads, the shipped files' publication and amendment at boot, and the admin's changes under a
 * per-definition lock.
 */
@Injectable()
export class DefinitionRepository {
  constructor(private readonly em: EntityManager) {}

  /** A version by key; on `em` when given (inside a transaction, see `DefinitionRegistry.get`). */
  findByKey(key: string, em?: EntityManager): Promise<DefinitionVersion | null> {
    return (em ?? this.em.fork()).findOne(DefinitionVersion, { key });
  }

  /** True when the version was rolled back. */
  async isRetired(key: string): Promise<boolean> {
    const row = await this.em.fork().findOne(DefinitionVersion, { key }, { fields: ['retiredAt'] });
    return !!row?.retiredAt;
  }

  /** Every version, by definition id and version. */
  list(): Promise<DefinitionVersion[]> {
    return this.em.fork().find(DefinitionVersion, {}, { orderBy: { definitionId: 'asc', version: 'asc' } });
  }

  /** Every version by key (what an overlay may extend). */
  async byKey(): Promise<Map<string, DefinitionVersion>> {
    const rows = await this.em.fork().find(DefinitionVersion, {});
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** The versions of an id not rolled back, the newest first. */
  liveVersions(definitionId: string): Promise<DefinitionVersion[]> {
    return this.em.fork().find(DefinitionVersion, { definitionId, retiredAt: null }, { orderBy: { version: 'desc' } });
  }

  /** The newest 200 audit entries, of one province's definitions when `provinceCode` is given. */
  audits(provinceCode?: string): Promise<DefinitionAudit[]> {
    return this.em
      .fork()
      .find(DefinitionAudit, provinceCode ? { provinceCode } : {}, { orderBy: { id: 'desc' }, limit: 200 });
  }

  /** The province of a unit; undefined when there is no such unit. */
  async provinceOfUnit(code: string): Promise<string | undefined> {
    const [unit] = await this.em
      .fork()
      .execute<{ province_code: string }[]>('select province_code from admin_unit where code = ?', [code]);
    return unit?.province_code;
  }

  /** Publishes a shipped file's version unless its key exists (a concurrent boot published it). */
  async insertShipped(entry: CatalogEntry, now: Date): Promise<void> {
    await this.em.getConnection().execute(
      `insert into definition_version (key, definition_id, version, content_hash, body, source_file, source_text, province_code, effective_from, effective_to, published_at, published_by)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'workflows/') on conflict (key) do nothing`,
      [
        entry.key,
        entry.definition.id,
        entry.definition.version,
        entry.contentHash,
        JSON.stringify(entry.definition),
        entry.file,
        entry.text,
        entry.definition.province ?? null,
        entry.definition.effectiveFrom ?? null,
        entry.definition.effectiveTo ?? null,
        now,
      ],
      'run',
    );
  }

  /**
   * Replaces a published version's content by a shipped file's, with an `amend` audit row by
   * `actor` carrying `diff` and `details` — only while its hash is still `fromHash`, so that
   * processes booting together amend once.
   */
  async amendShipped(
    entry: CatalogEntry,
    fromHash: string,
    now: Date,
    actor: unknown,
    diff: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.em.getConnection().execute(
      `with amended as (
         update definition_version set content_hash = ?, body = ?::jsonb, source_text = ?, source_file = ?, effective_to = ?::date where key = ? and content_hash = ?
         returning definition_id, version, province_code)
       insert into definition_audit (at, action, definition_id, version, province_code, actor, diff, details)
       select ?, 'amend', definition_id, version, province_code, ?::jsonb, ?, ?::jsonb from amended`,
      [
        entry.contentHash,
        JSON.stringify(entry.definition),
        entry.text,
        entry.file,
        entry.definition.effectiveTo ?? null,
        entry.key,
        fromHash,
        now,
        JSON.stringify(actor),
        diff,
        JSON.stringify(details),
      ],
      'run',
    );
  }

  /**
   * Runs `work` in one transaction holding the lock of `definitionId` (one publisher per id at a
   * time: versions stay gap-free and ordered); what `work` added or changed is written when it returns.
   */
  withDefinitionLock<T>(definitionId: string, work: (tx: DefinitionChangeStatements) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`definition:${definitionId}`]);
      const result = await work(new DefinitionChangeStatements(tx));
      await tx.flush();
      return result;
    });
  }
}

/** What an admin's change reads and writes, inside the transaction of `DefinitionRepository.withDefinitionLock`. */
export class DefinitionChangeStatements {
  constructor(private readonly tx: EntityManager) {}

  /** The versions of an id, the newest first. */
  versions(definitionId: string): Promise<DefinitionVersion[]> {
    return this.tx.find(DefinitionVersion, { definitionId }, { orderBy: { version: 'desc' } });
  }

  /** The versions of an id not rolled back, the newest first. */
  liveVersions(definitionId: string): Promise<DefinitionVersion[]> {
    return this.tx.find(DefinitionVersion, { definitionId, retiredAt: null }, { orderBy: { version: 'desc' } });
  }

  add(version: RequiredEntityData<DefinitionVersion>): DefinitionVersion {
    return this.tx.create(DefinitionVersion, version);
  }

  audit(entry: RequiredEntityData<DefinitionAudit>): void {
    this.tx.create(DefinitionAudit, entry);
  }

  /** Marks a version read in this transaction as rolled back. */
  retire(version: DefinitionVersion, at: Date, by: string, reason: string): void {
    version.retiredAt = at;
    version.retiredBy = by;
    version.retireReason = reason;
  }
}
