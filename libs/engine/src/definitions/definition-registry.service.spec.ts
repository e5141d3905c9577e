import type { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { contentHash, loadCatalog, type CatalogEntry } from '@rasoat/definition-catalog';
import type { DefinitionVersion } from '@rasoat/persistence';
import type { Definition } from '@rasoat/workflow-core';
import { DefinitionRegistry } from './definition-registry.service';
import type { DefinitionRepository } from './definition.repository';
import { DefinitionNotFoundException, DefinitionVersionChangedException } from './definitions.exception';

const NOW = new Date('2026-09-01T02:00:00Z');
const KEY = 'periodic-review@1';
const shipped = loadCatalog();
const entry = shipped.get(KEY) as CatalogEntry;

/** The published row of a catalog entry, as the database would give it back. */
const published = (e: CatalogEntry): DefinitionVersion =>
  ({
    key: e.key,
    definitionId: e.definition.id,
    version: e.definition.version,
    contentHash: e.contentHash,
    body: JSON.parse(JSON.stringify(e.definition)),
    sourceFile: e.file,
    sourceText: e.text,
  }) as DefinitionVersion;

/** A catalog of periodic-review@1 alone, changed by `change`. */
function changed(change: (d: Definition) => void): Map<string, CatalogEntry> {
  const definition = structuredClone(entry.definition);
  change(definition);
  return new Map([
    [KEY, { ...entry, definition, contentHash: contentHash(definition), text: `${entry.text}# changed\n` }],
  ]);
}

function setup(rows: DefinitionVersion[] = []) {
  const definitions = {
    findByKey: jest.fn(async (key: string, _em?: EntityManager) => rows.find((r) => r.key === key) ?? null),
    isRetired: jest.fn().mockResolvedValue(true),
    insertShipped: jest.fn().mockResolvedValue(undefined),
    amendShipped: jest.fn().mockResolvedValue(undefined),
    liveVersions: jest.fn().mockResolvedValue([]),
  } satisfies Partial<Record<keyof DefinitionRepository, jest.Mock>>;
  return { registry: new DefinitionRegistry(definitions as unknown as DefinitionRepository), definitions };
}

describe('DefinitionRegistry', () => {
  it('publishes the shipped files not published yet, and compiles each once', async () => {
    const { registry, definitions } = setup([published(entry)]);
    await registry.publishShipped(NOW, shipped);
    expect(definitions.insertShipped).toHaveBeenCalledTimes(shipped.size - 1);
    expect(definitions.insertShipped).not.toHaveBeenCalledWith(entry, NOW);
    expect(definitions.insertShipped).toHaveBeenCalledWith(shipped.get('periodic-review@2'), NOW);
    expect(definitions.amendShipped).not.toHaveBeenCalled();
    // Compiled at boot: no read when asked.
    expect(await registry.get(KEY)).toBe(entry.compiled);
    expect(definitions.findByKey).toHaveBeenCalledTimes(shipped.size);
  });

  it('amends in place a published version that only took on field markings, with the system as author and the YAML diff', async () => {
    const { registry, definitions } = setup([published(entry)]);
    const catalog = changed((d) => {
      Object.assign(d.events.MEETING_HELD.fields.minutesRef, { personal: true });
      Object.assign(d.events.MEETING_HELD.fields.attendees, { max: 5000 });
    });
    await registry.publishShipped(NOW, catalog);
    const amended = catalog.get(KEY) as CatalogEntry;
    expect(definitions.amendShipped).toHaveBeenCalledWith(
      amended,
      entry.contentHash,
      NOW,
      SYSTEM_ACTOR,
      expect.stringContaining('+# changed'),
      {
        key: KEY,
        from: entry.contentHash,
        to: amended.contentHash,
        reason: 'markings only (max, personal)',
        markings: ['max', 'personal'],
      },
    );
    expect(definitions.insertShipped).not.toHaveBeenCalled();
  });

  it('amends in place a published version that only took on a last day for new campaigns (effectiveTo), saying so in the audit', async () => {
    const { registry, definitions } = setup([published(entry)]);
    const catalog = changed((d) => {
      d.effectiveTo = '2025-06-30';
    });
    await registry.publishShipped(NOW, catalog);
    const amended = catalog.get(KEY) as CatalogEntry;
    expect(definitions.amendShipped).toHaveBeenCalledWith(
      amended,
      entry.contentHash,
      NOW,
      SYSTEM_ACTOR,
      expect.any(String),
      {
        key: KEY,
        from: entry.contentHash,
        to: amended.contentHash,
        reason: 'markings only (effectiveTo)',
        markings: ['effectiveTo'],
      },
    );
  });

  it('refuses to start when a published version changed otherwise', async () => {
    const { registry, definitions } = setup([published(entry)]);
    const catalog = changed((d) => {
      d.steps.listing.label = 'Bước khác';
    });
    await expect(registry.publishShipped(NOW, catalog)).rejects.toBeInstanceOf(DefinitionVersionChangedException);
    expect(definitions.amendShipped).not.toHaveBeenCalled();
  });

  it('compiles a version published by an admin on first use, reading it on the caller’s transaction when given; 404 when unknown', async () => {
    const { registry, definitions } = setup([published(entry)]);
    const tx = {} as EntityManager;
    const compiled = await registry.get(KEY, tx);
    expect(compiled.definition.id).toBe('periodic-review');
    expect(definitions.findByKey).toHaveBeenCalledWith(KEY, tx);
    expect(await registry.get(KEY)).toBe(compiled);
    expect(definitions.findByKey).toHaveBeenCalledTimes(1);
    await expect(registry.get('periodic-review@9')).rejects.toBeInstanceOf(DefinitionNotFoundException);
  });

  it('lists the keys of a process’s live versions, the newest first', async () => {
    const { registry, definitions } = setup();
    definitions.liveVersions.mockResolvedValue([{ key: 'periodic-review@4' }, { key: 'periodic-review@3' }]);
    expect(await registry.liveKeys('periodic-review')).toEqual(['periodic-review@4', 'periodic-review@3']);
    expect(definitions.liveVersions).toHaveBeenCalledWith('periodic-review');
  });

  it('says whether a version was rolled back', async () => {
    const { registry, definitions } = setup();
    expect(await registry.isRetired(KEY)).toBe(true);
    expect(definitions.isRetired).toHaveBeenCalledWith(KEY);
  });
});
