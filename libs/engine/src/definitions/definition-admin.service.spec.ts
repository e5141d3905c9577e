import type { Actor } from '@rasoat/contracts';
import { loadCatalog, type CatalogEntry } from '@rasoat/definition-catalog';
import type { DefinitionAudit, DefinitionVersion } from '@rasoat/persistence';
import { AuthException } from '../auth';
import { ManualClock } from '../infrastructure';
import { DefinitionAdminService } from './definition-admin.service';
import type { DefinitionRegistry } from './definition-registry.service';
import type { DefinitionChangeStatements, DefinitionRepository } from './definition.repository';
import {
  DefinitionConflictException,
  DefinitionInvalidException,
  DefinitionNotFoundException,
} from './definitions.exception';

const NOW = new Date('2026-10-01T03:00:00Z');
const catalog = loadCatalog();
const NATIONAL = catalog.get('periodic-review@1') as CatalogEntry;

const t1Review = (version: number, postingDays = 3) => `extends: periodic-review@1
id: t1-review
version: ${version}
province: T1
title: { vi: Rà soát định kỳ tỉnh T1, en: Province T1 periodic review }
sources: [Kế hoạch rà soát tỉnh T1 năm 2026]
patch:
  parameters:
    postingWorkingDays: { value: ${postingDays} }
`;

const provinceAdmin: Actor = { sub: 'province_admin@T1', role: 'province_admin', unit: 'T1' };
const otherProvinceAdmin: Actor = { sub: 'province_admin@T2', role: 'province_admin', unit: 'T2' };
const national: Actor = { sub: 'national_admin@VN', role: 'national_admin', unit: 'VN' };

/** A published row: the shipped national version, or a version of t1-review. */
const version = (fields: Partial<DefinitionVersion> & Pick<DefinitionVersion, 'key'>): DefinitionVersion => ({
  definitionId: fields.key.split('@')[0],
  version: Number(fields.key.split('@')[1]),
  contentHash: `hash-of-${fields.key}`,
  body: {},
  sourceFile: 'definition.yaml',
  provinceCode: null,
  effectiveFrom: null,
  publishedAt: new Date('2026-09-01T00:00:00Z'),
  publishedBy: 'someone',
  sourceText: null,
  retiredAt: null,
  retiredBy: null,
  retireReason: null,
  ...fields,
});
const shipped = version({
  key: NATIONAL.key,
  body: NATIONAL.definition as unknown as Record<string, unknown>,
  sourceText: NATIONAL.text,
  sourceFile: NATIONAL.file,
  publishedBy: 'workflows/',
});
const t1 = (n: number, fields: Partial<DefinitionVersion> = {}) =>
  version({
    key: `t1-review@${n}`,
    provinceCode: 'T1',
    sourceText: t1Review(n, n + 2),
    body: { ...NATIONAL.definition, id: 't1-review', version: n, province: 'T1', extends: NATIONAL.key },
    ...fields,
  });

function setup(rows: DefinitionVersion[] = [shipped, t1(1)]) {
  const tx = {
    versions: jest.fn(async (id: string) =>
      rows.filter((r) => r.definitionId === id).sort((a, b) => b.version - a.version),
    ),
    liveVersions: jest.fn(async (id: string) =>
      rows.filter((r) => r.definitionId === id && !r.retiredAt).sort((a, b) => b.version - a.version),
    ),
    add: jest.fn((fields: DefinitionVersion) => version(fields)),
    audit: jest.fn(),
    retire: jest.fn((row: DefinitionVersion, at: Date, by: string, reason: string) =>
      Object.assign(row, { retiredAt: at, retiredBy: by, retireReason: reason }),
    ),
  } satisfies Record<keyof DefinitionChangeStatements, jest.Mock>;
  const definitions = {
    findByKey: jest.fn(async (key: string) => rows.find((r) => r.key === key) ?? null),
    isRetired: jest.fn(),
    list: jest.fn(async () => rows),
    byKey: jest.fn(async () => new Map(rows.map((r) => [r.key, r]))),
    liveVersions: jest.fn(async (id: string) =>
      rows.filter((r) => r.definitionId === id && !r.retiredAt).sort((a, b) => b.version - a.version),
    ),
    audits: jest.fn<Promise<DefinitionAudit[]>, [string | undefined]>().mockResolvedValue([]),
    provinceOfUnit: jest.fn(async (code: string) => ({ T1: 'T1', T1C1: 'T1', T2: 'T2' })[code]),
    insertShipped: jest.fn(),
    amendShipped: jest.fn(),
    withDefinitionLock: jest.fn(
      async (_id: string, work: (statements: DefinitionChangeStatements) => Promise<unknown>) =>
        work(tx as unknown as DefinitionChangeStatements),
    ),
  } satisfies Record<keyof DefinitionRepository, jest.Mock>;
  const registry = { get: jest.fn(async (key: string) => (catalog.get(key) ?? catalog.get(NATIONAL.key))!.compiled) };
  const service = new DefinitionAdminService(
    definitions as unknown as DefinitionRepository,
    registry as unknown as DefinitionRegistry,
    new ManualClock(NOW),
  );
  return { service, definitions, tx };
}

describe('DefinitionAdminService', () => {
  describe('reading', () => {
    it('lists the national versions and the actor’s province’s; a national admin sees all; another province is 403', async () => {
      const { service } = setup([shipped, t1(1), version({ key: 't2-review@1', provinceCode: 'T2' })]);
      expect((await service.list(provinceAdmin)).map((v) => v.key)).toEqual([NATIONAL.key, 't1-review@1']);
      expect((await service.list({ sub: 'bcd', role: 'commune_committee', unit: 'T1C1' })).map((v) => v.key)).toEqual([
        NATIONAL.key,
        't1-review@1',
      ]);
      expect((await service.list(national)).map((v) => v.key)).toEqual([NATIONAL.key, 't1-review@1', 't2-review@1']);
      expect((await service.list(national, 'T2')).map((v) => v.key)).toEqual([NATIONAL.key, 't2-review@1']);
      await expect(service.list(provinceAdmin, 'T2')).rejects.toMatchObject({ code: 'AUTH_OUT_OF_SCOPE' });
      // A unit that does not exist is no scope at all.
      await expect(service.list({ sub: 'x', role: 'province_admin', unit: 'T9' })).rejects.toBeInstanceOf(
        AuthException,
      );
    });

    it('shows a version in scope with its source and diagram; 404 when unknown, 403 for another province’s', async () => {
      const { service } = setup();
      expect(await service.show('t1-review@1', provinceAdmin)).toMatchObject({
        key: 't1-review@1',
        provinceCode: 'T1',
        status: 'published',
        sourceText: t1Review(1, 3),
        diagram: expect.stringContaining('stateDiagram'),
      });
      await expect(service.show('t1-review@9', provinceAdmin)).rejects.toBeInstanceOf(DefinitionNotFoundException);
      await expect(service.show('t1-review@1', otherProvinceAdmin)).rejects.toMatchObject({
        code: 'AUTH_OUT_OF_SCOPE',
      });
    });

    it('reads the audit of the actor’s province (a national admin: all, or one province)', async () => {
      const { service, definitions } = setup();
      await service.audit(provinceAdmin);
      expect(definitions.audits).toHaveBeenLastCalledWith('T1');
      await service.audit(national);
      expect(definitions.audits).toHaveBeenLastCalledWith(undefined);
      await service.audit(national, 'T2');
      expect(definitions.audits).toHaveBeenLastCalledWith('T2');
      await expect(service.audit(provinceAdmin, 'T2')).rejects.toMatchObject({ code: 'AUTH_OUT_OF_SCOPE' });
      expect(definitions.audits).toHaveBeenCalledTimes(3);
    });

    it('names the newest live version in effect on a date', async () => {
      const { service } = setup([t1(1), t1(2, { effectiveFrom: '2027-01-01' }), t1(3, { retiredAt: NOW })]);
      expect(await service.current('t1-review', '2026-10-01')).toBe('t1-review@1');
      expect(await service.current('t1-review', '2027-01-01')).toBe('t1-review@2');
      await expect(service.current('t9-review', '2026-10-01')).rejects.toBeInstanceOf(DefinitionNotFoundException);
    });

    it('passes over a version whose last day for new campaigns is before the date', async () => {
      const { service } = setup([t1(1), t1(2, { effectiveTo: '2025-06-30' })]);
      expect(await service.current('t1-review', '2025-06-30')).toBe('t1-review@2');
      expect(await service.current('t1-review', '2025-07-01')).toBe('t1-review@1');
    });
  });

  describe('publishing', () => {
    it('publishes the next version of an overlay, resolved through the published versions, with its audit and diff', async () => {
      const { service, definitions, tx } = setup();
      const published = await service.publish(t1Review(2, 5), provinceAdmin, 't1-review.yaml');

      expect(definitions.withDefinitionLock).toHaveBeenCalledWith('t1-review', expect.any(Function));
      expect(tx.add).toHaveBeenCalledWith(
        expect.objectContaining({
          key: 't1-review@2',
          definitionId: 't1-review',
          version: 2,
          provinceCode: 'T1',
          sourceFile: 't1-review.yaml',
          sourceText: t1Review(2, 5),
          publishedAt: NOW,
          publishedBy: provinceAdmin.sub,
        }),
      );
      expect(tx.audit).toHaveBeenCalledWith(
        expect.objectContaining({
          at: NOW,
          action: 'publish',
          definitionId: 't1-review',
          version: 2,
          provinceCode: 'T1',
          actor: provinceAdmin,
          diff: expect.stringContaining('+    postingWorkingDays: { value: 5 }'),
        }),
      );
      expect(published).toMatchObject({
        key: 't1-review@2',
        extends: 'periodic-review@1',
        status: 'published',
        publishedBy: provinceAdmin.sub,
      });
    });

    it('refuses (409) a version that is not the next one, and an id that belongs to another province', async () => {
      const { service, tx } = setup();
      await expect(service.publish(t1Review(3), provinceAdmin)).rejects.toMatchObject({
        code: 'DEFINITION_CONFLICT',
        details: { expectedVersion: 2 },
      });
      await expect(service.publish(t1Review(1), provinceAdmin)).rejects.toBeInstanceOf(DefinitionConflictException);
      const nationalId = setup([shipped, t1(1, { provinceCode: null })]);
      await expect(nationalId.service.publish(t1Review(2), provinceAdmin)).rejects.toMatchObject({
        code: 'DEFINITION_CONFLICT',
        message: expect.stringContaining('belongs to the nation'),
      });
      expect(tx.add).not.toHaveBeenCalled();
    });

    it('refuses (403) another province’s definition, a national one for a province admin, and anyone but an admin; (400) an invalid one', async () => {
      const { service, definitions } = setup();
      await expect(service.publish(t1Review(2), otherProvinceAdmin)).rejects.toMatchObject({
        code: 'AUTH_OUT_OF_SCOPE',
      });
      await expect(
        service.publish(NATIONAL.text.replace('version: 1', 'version: 9'), provinceAdmin),
      ).rejects.toMatchObject({ code: 'AUTH_OUT_OF_SCOPE' });
      await expect(
        service.publish(t1Review(2), { sub: 'bcd', role: 'commune_committee', unit: 'T1C1' }),
      ).rejects.toMatchObject({ code: 'AUTH_ROLE_NOT_ALLOWED' });
      await expect(
        service.publish(t1Review(2).replace('extends: periodic-review@1', 'extends: periodic-review@7'), provinceAdmin),
      ).rejects.toBeInstanceOf(DefinitionInvalidException);
      expect(definitions.withDefinitionLock).not.toHaveBeenCalled();
    });

    it('validates without writing: errors with their place, or the definition and its diagram', async () => {
      const { service, definitions } = setup();
      expect(await service.validate(t1Review(2), provinceAdmin)).toMatchObject({
        valid: true,
        key: 't1-review@2',
        errors: [],
        diagram: expect.stringContaining('stateDiagram'),
      });
      const invalid = await service.validate('id: broken\nversion: one\n', provinceAdmin, 'broken.yaml');
      expect(invalid).toMatchObject({ valid: false, key: null, diagram: null, definition: null });
      expect(invalid.errors[0]).toMatchObject({ file: 'broken.yaml' });
      expect(definitions.withDefinitionLock).not.toHaveBeenCalled();
    });
  });

  describe('rolling back', () => {
    it('retires the newest live version, audited with the reason, and names the one before', async () => {
      const { service, tx } = setup([shipped, t1(1), t1(2)]);
      const { retired, current } = await service.rollback('t1-review', provinceAdmin, 'Sai thời hạn niêm yết');
      expect(tx.retire).toHaveBeenCalledWith(
        expect.objectContaining({ key: 't1-review@2' }),
        NOW,
        provinceAdmin.sub,
        'Sai thời hạn niêm yết',
      );
      expect(tx.audit).toHaveBeenCalledWith(
        expect.objectContaining({
          action: 'rollback',
          definitionId: 't1-review',
          version: 2,
          provinceCode: 'T1',
          details: { retired: 't1-review@2', current: 't1-review@1', reason: 'Sai thời hạn niêm yết' },
        }),
      );
      expect(retired).toMatchObject({
        key: 't1-review@2',
        status: 'retired',
        retireReason: 'Sai thời hạn niêm yết',
        retiredAt: NOW.toISOString(),
      });
      expect(current).toMatchObject({ key: 't1-review@1', status: 'published' });
    });

    it('refuses (409) to retire the only live version, (404) an unknown id, (403) another province’s', async () => {
      const { service, tx } = setup([shipped, t1(1), t1(2, { retiredAt: NOW })]);
      await expect(service.rollback('t1-review', provinceAdmin, 'lần nữa')).rejects.toBeInstanceOf(
        DefinitionConflictException,
      );
      await expect(service.rollback('t9-review', provinceAdmin, 'không có')).rejects.toBeInstanceOf(
        DefinitionNotFoundException,
      );
      await expect(service.rollback('t1-review', otherProvinceAdmin, 'nhầm tỉnh')).rejects.toMatchObject({
        code: 'AUTH_OUT_OF_SCOPE',
      });
      expect(tx.retire).not.toHaveBeenCalled();
    });
  });
});
