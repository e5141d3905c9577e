import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { contentHash, loadCatalog, WORKFLOWS_DIR, type CatalogEntry } from '@rasoat/definition-catalog';
import { CampaignsService, DefinitionRegistry, DefinitionVersionChangedException } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';
import type { Definition } from '@rasoat/workflow-core';

/**
 * Shipped versions are immutable, except for markings (personal text, numeric maxima, a last day
 * for new campaigns):
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

  it('takes on an end date (effectiveTo) in place from the files: new campaigns after it are refused, running cases and the overlays on it keep theirs', async () => {
    const campaigns = engine.get(CampaignsService);
    const window = { year: 2026, windowStart: '2026-09-01', windowEnd: '2026-12-14' };
    const running = await campaigns.start({ provinceCode: 'T1', definitionKey: KEY, ...window }, SYSTEM_ACTOR);
    expect(running.casesCreated).toBe(6);
    const hashes = new Map(
      (await sql<{ key: string; content_hash: string }>('select key, content_hash from definition_version')).map(
        (r) => [r.key, r.content_hash],
      ),
    );

    // The shipped files with one line added to periodic-review@1, as the change that ends it will ship them.
    const dir = mkdtempSync(join(tmpdir(), 'rasoat-workflows-'));
    try {
      cpSync(WORKFLOWS_DIR, dir, { recursive: true });
      const file = join(dir, 'national/2022-2025/periodic-review.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace('\nversion: 1\n', '\nversion: 1\neffectiveTo: 2025-06-30\n'),
      );
      const catalog = loadCatalog(dir);
      const registry = engine.get(DefinitionRegistry);
      await registry.publishShipped(engine.clock.now(), catalog);
      await registry.publishShipped(engine.clock.now(), catalog);

      const rows = await sql<{ key: string; content_hash: string; effective_to: string | null; body: any }>(
        `select key, content_hash, effective_to::text, body from definition_version`,
      );
      for (const row of rows) {
        if (row.key === KEY) {
          expect(row).toMatchObject({ effective_to: '2025-06-30', body: { effectiveTo: '2025-06-30' } });
          expect(row.content_hash).not.toBe(hashes.get(KEY));
        } else {
          // periodic-review@2 and the province overlays of version 1 do not inherit the end date.
          expect([row.key, row.content_hash]).toEqual([row.key, hashes.get(row.key)]);
        }
      }
      const audit = await sql<{ details: any }>(`select details from definition_audit where action = 'amend'`);
      expect(audit).toEqual([
        {
          details: expect.objectContaining({
            key: KEY,
            reason: 'markings only (effectiveTo)',
            markings: ['effectiveTo'],
          }),
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    await expect(campaigns.start({ provinceCode: 'T2', definitionKey: KEY, ...window }, SYSTEM_ACTOR)).rejects.toThrow(
      'periodic-review@1 applies to campaigns starting on or before 2025-06-30; this one starts on 2026-09-01',
    );
    const cases = await sql<{ definition_key: string; n: number }>(
      'select definition_key, count(*)::int as n from review_case group by definition_key',
    );
    expect(cases).toEqual([{ definition_key: KEY, n: 6 }]);
    // The campaign already running on it may still be started again (as a boot seeding it does): nothing new to pin.
    expect(await campaigns.start({ provinceCode: 'T1', definitionKey: KEY, ...window }, SYSTEM_ACTOR)).toMatchObject({
      casesCreated: 0,
    });
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
