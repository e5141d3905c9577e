import { EntityManager } from '@mikro-orm/postgresql';
import { contentHash, loadCatalog, type CatalogEntry } from '@rasoat/definition-catalog';
import { DefinitionRegistry, DefinitionVersionChangedException } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';
import type { Definition } from '@rasoat/workflow-core';

/**
 * Shipped versions are immutable, except for field markings (personal text, numeric maxima):
 * a database that published a version before it took them on is amended in place at boot,
 * audited, instead of refusing to start.
 */
describe('amending a published shipped version at boot', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let sql: <T = Record<string, any>>(q: string, p?: unknown[]) => Promise<T[]>;
  const KEY = 'periodic-review@1';

  /** The shipped catalog with periodic-review@1 changed by `change`. */
  function catalogWith(change: (d: Definition) => void): Map<string, CatalogEntry> {
    const catalog = loadCatalog();
    const entry = catalog.get(KEY) as CatalogEntry;
    const definition = structuredClone(entry.definition);
    change(definition);
    catalog.set(KEY, { ...entry, definition, contentHash: contentHash(definition), text: `${entry.text}# changed\n` });
    return catalog;
  }

  beforeEach(async () => {
    engine = await startTestEngine({ worker: false });
    sql = (q, p = []) =>
      engine
        .get(EntityManager)
        .fork()
        .execute(q, p as never[]);
  });
  afterEach(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('takes on a new personal marker and a max in place, once, with an audit row', async () => {
    const [before] = await sql<{ content_hash: string }>('select content_hash from definition_version where key = ?', [
      KEY,
    ]);
    const catalog = catalogWith((d) => {
      Object.assign(d.events.MEETING_HELD.fields.minutesRef, { personal: true });
      Object.assign(d.events.MEETING_HELD.fields.attendees, { max: 5000 });
    });
    const registry = engine.get(DefinitionRegistry);
    await registry.publishShipped(engine.clock.now(), catalog);
    await registry.publishShipped(engine.clock.now(), catalog);

    const [row] = await sql<{ content_hash: string; body: any; source_text: string }>(
      'select content_hash, body, source_text from definition_version where key = ?',
      [KEY],
    );
    expect(row.content_hash).toBe((catalog.get(KEY) as CatalogEntry).contentHash);
    expect(row.content_hash).not.toBe(before.content_hash);
    expect(row.body.events.MEETING_HELD.fields.minutesRef.personal).toBe(true);
    expect(row.source_text.endsWith('# changed\n')).toBe(true);
    const audit = await sql<{
      action: string;
      definition_id: string;
      version: number;
      actor: any;
      diff: string;
      details: any;
    }>(`select * from definition_audit where action = 'amend'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      definition_id: 'periodic-review',
      version: 1,
      actor: { sub: 'system' },
      details: { key: KEY, from: before.content_hash, to: row.content_hash },
    });
    expect(audit[0].diff).toContain('+# changed');
  });

  it('still refuses any other change to a published version', async () => {
    const catalog = catalogWith((d) => {
      d.events.MEETING_HELD.fields.attendees = { type: 'integer', required: true, min: 1 };
    });
    await expect(engine.get(DefinitionRegistry).publishShipped(engine.clock.now(), catalog)).rejects.toBeInstanceOf(
      DefinitionVersionChangedException,
    );
    const step = catalogWith((d) => {
      d.steps.listing.label = 'Bước khác';
    });
    await expect(engine.get(DefinitionRegistry).publishShipped(engine.clock.now(), step)).rejects.toBeInstanceOf(
      DefinitionVersionChangedException,
    );
  });
});
