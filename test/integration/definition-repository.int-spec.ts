import { contentHash, loadCatalog, type CatalogEntry } from '@rasoat/definition-catalog';
import { DefinitionRepository } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const NOW = new Date('2026-09-01T02:00:00Z');
const catalog = loadCatalog();
const entry = catalog.get('periodic-review@1') as CatalogEntry;
const admin = { sub: 'province_admin@T1', role: 'province_admin', unit: 'T1' };

/** A version of t1-review to add under the lock. */
const t1 = (version: number) => ({
  key: `t1-review@${version}`,
  definitionId: 't1-review',
  version,
  contentHash: `hash-${version}`,
  body: { id: 't1-review', version, title: 'T1' },
  sourceFile: 't1-review.yaml',
  sourceText: `id: t1-review\nversion: ${version}\n`,
  provinceCode: 'T1',
  effectiveFrom: null,
  publishedAt: NOW,
  publishedBy: admin.sub,
});
const audit = (version: number, provinceCode: string | null = 'T1') => ({
  at: NOW,
  action: 'publish' as const,
  definitionId: 't1-review',
  version,
  provinceCode,
  actor: admin,
  diff: `+version: ${version}`,
  details: { key: `t1-review@${version}` },
});

/**
 * The definitions' statements on a real PostgreSQL, each test on a fresh (migrated, empty)
 * database. What may be published by whom is the services' (unit tests); boot publishing and
 * amending through the engine are in definition-amendment.int-spec.ts.
 */
describe('DefinitionRepository', () => {
  let db: TestOrm;
  let definitions: DefinitionRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);

  beforeEach(async () => {
    db = await createTestOrm();
    definitions = new DefinitionRepository(db.em);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('publishes a shipped file once, as the workflows directory, and reads it back by key', async () => {
    await definitions.insertShipped(entry, NOW);
    await definitions.insertShipped({ ...entry, contentHash: 'another' }, NOW); // a concurrent boot published it first

    const row = await definitions.findByKey(entry.key);
    expect(row).toMatchObject({
      key: entry.key,
      definitionId: 'periodic-review',
      version: 1,
      contentHash: entry.contentHash,
      sourceFile: entry.file,
      sourceText: entry.text,
      provinceCode: null,
      publishedBy: 'workflows/',
      retiredAt: null,
    });
    expect(row?.publishedAt.toISOString()).toBe(NOW.toISOString());
    expect(row?.body).toEqual(JSON.parse(JSON.stringify(entry.definition)));
    expect(await definitions.findByKey('periodic-review@9')).toBeNull();
    expect(await definitions.isRetired(entry.key)).toBe(false);
  });

  it('amends a shipped version in place while its hash is the one expected, with one audit row', async () => {
    await definitions.insertShipped(entry, NOW);
    const amended = {
      ...entry,
      contentHash: contentHash({ amended: true }),
      text: `${entry.text}# changed\n`,
      file: 'workflows/changed.yaml',
    };
    const details = {
      key: entry.key,
      from: entry.contentHash,
      to: amended.contentHash,
      reason: 'field markings (personal, max)',
    };

    await definitions.amendShipped(amended, entry.contentHash, NOW, { sub: 'system' }, '+# changed', details);
    await definitions.amendShipped(amended, entry.contentHash, NOW, { sub: 'system' }, '+# changed', details); // a concurrent boot amended it first

    expect(await definitions.findByKey(entry.key)).toMatchObject({
      contentHash: amended.contentHash,
      sourceText: amended.text,
      sourceFile: 'workflows/changed.yaml',
    });
    expect(
      await sql(`select action, definition_id, version, province_code, actor, diff, details from definition_audit`),
    ).toEqual([
      {
        action: 'amend',
        definition_id: 'periodic-review',
        version: 1,
        province_code: null,
        actor: { sub: 'system' },
        diff: '+# changed',
        details,
      },
    ]);
  });

  it('writes what a change added, versions and audit, when it returns; nothing when it throws', async () => {
    await definitions.withDefinitionLock('t1-review', async (tx) => {
      expect(await tx.versions('t1-review')).toEqual([]);
      tx.add(t1(1));
      tx.audit(audit(1));
    });
    await expect(
      definitions.withDefinitionLock('t1-review', async (tx) => {
        tx.add(t1(2));
        tx.audit(audit(2));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');

    expect((await definitions.list()).map((r) => r.key)).toEqual(['t1-review@1']);
    expect(await sql(`select action, version from definition_audit`)).toEqual([{ action: 'publish', version: 1 }]);
  });

  it('serialises the changes of one definition id: a second change waits for the first to commit, then sees its version', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const first = definitions.withDefinitionLock('t1-review', async (tx) => {
      locked();
      await held;
      tx.add(t1(1));
    });
    await isLocked;
    let secondRead: number[] | undefined;
    const second = definitions.withDefinitionLock('t1-review', async (tx) => {
      secondRead = (await tx.versions('t1-review')).map((v) => v.version);
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(secondRead).toBeUndefined();
    release();
    await Promise.all([first, second]);
    expect(secondRead).toEqual([1]);
  });

  it('retires a version read under the lock; the live versions leave it out, newest first', async () => {
    await definitions.withDefinitionLock('t1-review', async (tx) => {
      for (const n of [1, 2, 3]) tx.add(t1(n));
    });
    await definitions.withDefinitionLock('t1-review', async (tx) => {
      const [newest] = await tx.liveVersions('t1-review');
      tx.retire(newest, NOW, admin.sub, 'Sai thời hạn niêm yết');
    });

    expect((await definitions.liveVersions('t1-review')).map((r) => r.version)).toEqual([2, 1]);
    expect(
      await definitions.withDefinitionLock('t1-review', async (tx) =>
        (await tx.versions('t1-review')).map((r) => r.version),
      ),
    ).toEqual([3, 2, 1]);
    expect(await definitions.findByKey('t1-review@3')).toMatchObject({
      retiredBy: admin.sub,
      retireReason: 'Sai thời hạn niêm yết',
    });
    expect(await definitions.isRetired('t1-review@3')).toBe(true);
    expect(await definitions.isRetired('t1-review@2')).toBe(false);
  });

  it('lists every version by id and version, and by key', async () => {
    await definitions.withDefinitionLock('t1-review', async (tx) => {
      tx.add(t1(2));
      tx.add(t1(1));
    });
    await definitions.insertShipped(entry, NOW);
    expect((await definitions.list()).map((r) => r.key)).toEqual(['periodic-review@1', 't1-review@1', 't1-review@2']);
    expect([...(await definitions.byKey()).keys()].sort()).toEqual(['periodic-review@1', 't1-review@1', 't1-review@2']);
  });

  it('reads the newest 200 audit entries, of one province when asked', async () => {
    await definitions.withDefinitionLock('t1-review', async (tx) => {
      for (let n = 1; n <= 201; n++) tx.audit(audit(n));
      tx.audit(audit(999, 'T2'));
    });
    const all = await definitions.audits();
    expect(all).toHaveLength(200);
    expect(all.slice(0, 2).map((a) => a.version)).toEqual([999, 201]);
    const ofT1 = await definitions.audits('T1');
    expect(ofT1).toHaveLength(200);
    expect([ofT1[0].version, ofT1[199].version]).toEqual([201, 2]);
    expect((await definitions.audits('T2')).map((a) => a.version)).toEqual([999]);
  });

  it('reads the province of a unit', async () => {
    await sql(
      `insert into admin_unit (code, name, level, parent_code, path, province_code) values ('T1', 'Tỉnh', 'province', null, '/T1/', 'T1'), ('T1C1', 'Xã', 'commune', 'T1', '/T1/T1C1/', 'T1')`,
    );
    expect(await definitions.provinceOfUnit('T1C1')).toBe('T1');
    expect(await definitions.provinceOfUnit('VN')).toBeUndefined();
  });
});
