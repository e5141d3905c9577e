import type { Actor } from '@rasoat/contracts';
import type { AdminUnit } from '@rasoat/persistence';
import { AuthException } from '../auth';
import type { UnitDirectory } from './unit-directory';
import type { ExistingUnit } from './unit-import-plan';
import { UnitImportService } from './unit-import.service';
import type { UnitImportStatements, UnitRepository } from './unit.repository';
import { UnitNotFoundException } from './units.exception';

const NOW = new Date('2026-11-02T03:00:00Z');
const ADMIN_24: Actor = { sub: 'admin@24', role: 'province_admin', unit: '24' };
const NATIONAL: Actor = { sub: 'admin@VN', role: 'national_admin', unit: 'VN' };
const OPTIONS = { villagesOnly: true, maxRows: 100 };

const existing = (code: string, fields: Partial<ExistingUnit>): ExistingUnit => ({
  code,
  name: `Đơn vị ${code}`,
  level: 'village',
  parentCode: '07210',
  path: `/24/07210/${code}/`,
  provinceCode: '24',
  unitType: 'Tổ dân phố',
  source: 'import',
  retiredAt: null,
  mergedInto: null,
  ...fields,
});
const UNITS = [
  existing('07210', { level: 'commune', parentCode: '24', path: '/24/07210/', unitType: 'Phường', source: 'vn-2026' }),
  existing('07210001', { name: 'Tổ dân phố số 1' }),
  existing('07210002', { name: 'Tổ dân phố số 2' }),
];

function setup(running: Map<string, number> = new Map()) {
  const statements = {
    existing: jest.fn(async (codes: readonly string[]) => UNITS.filter((u) => codes.includes(u.code))),
    runningCases: jest.fn(async () => running),
    insert: jest.fn(async (rows: readonly unknown[]) => rows.length),
    rename: jest.fn(),
    retire: jest.fn(),
    recordChanges: jest.fn(),
  } satisfies Record<keyof UnitImportStatements, jest.Mock>;
  const repository = {
    transaction: jest.fn(async (work: (tx: UnitImportStatements) => Promise<unknown>) =>
      work(statements as unknown as UnitImportStatements),
    ),
    findByCode: jest.fn(async (code: string) =>
      code === '07210001' ? ({ code, path: '/24/07210/07210001/' } as AdminUnit) : null,
    ),
    changes: jest.fn().mockResolvedValue([]),
  };
  const directory = { forget: jest.fn() };
  const service = new UnitImportService(
    repository as unknown as UnitRepository,
    directory as unknown as UnitDirectory,
    { now: () => NOW },
  );
  return { service, repository, statements, directory };
}

const FILE = (rows: string) => `Mã đơn vị,Tên,Loại,Mã đơn vị cấp trên,Sáp nhập vào\n${rows}`;

describe('UnitImportService', () => {
  it('refuses a role that may not change units before reading the file', async () => {
    const { service, repository } = setup();
    await expect(
      service.importFile(
        { format: 'csv', content: FILE('07210003,Tổ dân phố số 3,Tổ dân phố,07210,\n') },
        { sub: 'c', role: 'commune_committee', unit: '07210' },
        OPTIONS,
      ),
    ).rejects.toBeInstanceOf(AuthException);
    expect(repository.transaction).not.toHaveBeenCalled();
  });

  it('returns the file’s errors without opening a transaction', async () => {
    const { service, repository } = setup();
    expect(await service.importFile({ format: 'csv', content: 'code,name\n1,A\n' }, ADMIN_24, OPTIONS)).toEqual({
      ok: false,
      errors: [{ row: 1, column: 'Loại', message: 'Thiếu cột bắt buộc "Loại" / Missing required column "Loại"' }],
    });
    expect(repository.transaction).not.toHaveBeenCalled();
  });

  it('creates, renames and merges in one transaction, records each change with the import’s id, file and actor, and forgets the cached names', async () => {
    const { service, statements, directory } = setup();
    const content = FILE(
      '07210003,Tổ dân phố số 3,Tổ dân phố,07210,\n07210001,Tổ dân phố Trần Phú,Tổ dân phố,07210,\n07210002,Tổ dân phố số 2,Tổ dân phố,07210,07210001\n',
    );
    const outcome = await service.importFile({ format: 'csv', content, fileName: 'thon-24.csv' }, ADMIN_24, OPTIONS);
    expect(outcome).toEqual({
      ok: true,
      importId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      created: 1,
      renamed: 1,
      merged: 1,
      unchanged: 0,
    });
    expect(statements.existing.mock.calls[0]?.[0]).toEqual(
      expect.arrayContaining(['07210', '07210001', '07210002', '07210003']),
    );
    expect(statements.runningCases).toHaveBeenCalledWith(['07210002']);
    expect(statements.insert).toHaveBeenCalledWith(
      [expect.objectContaining({ code: '07210003', path: '/24/07210/07210003/', unitType: 'Tổ dân phố' })],
      'import',
    );
    expect(statements.rename).toHaveBeenCalledWith([
      expect.objectContaining({ code: '07210001', after: { name: 'Tổ dân phố Trần Phú', unitType: 'Tổ dân phố' } }),
    ]);
    expect(statements.retire).toHaveBeenCalledWith(
      [expect.objectContaining({ code: '07210002', mergedInto: '07210001' })],
      NOW,
    );
    const [[record, changes]] = statements.recordChanges.mock.calls;
    expect(record).toEqual({
      importId: outcome.ok && outcome.importId,
      at: NOW,
      actor: ADMIN_24,
      fileName: 'thon-24.csv',
      fileSha256: outcome.ok && outcome.fileSha256,
    });
    expect(changes).toEqual([
      {
        unitCode: '07210003',
        provinceCode: '24',
        kind: 'created',
        before: null,
        after: { name: 'Tổ dân phố số 3', unitType: 'Tổ dân phố', parentCode: '07210' },
        mergedInto: null,
      },
      {
        unitCode: '07210001',
        provinceCode: '24',
        kind: 'renamed',
        before: { name: 'Tổ dân phố số 1', unitType: 'Tổ dân phố' },
        after: { name: 'Tổ dân phố Trần Phú', unitType: 'Tổ dân phố' },
        mergedInto: null,
      },
      {
        unitCode: '07210002',
        provinceCode: '24',
        kind: 'merged',
        before: { name: 'Tổ dân phố số 2', unitType: 'Tổ dân phố' },
        after: null,
        mergedInto: '07210001',
      },
    ]);
    expect(directory.forget).toHaveBeenCalledTimes(1);
  });

  it('writes nothing, history included, for a file the tree already holds', async () => {
    const { service, statements, directory } = setup();
    const outcome = await service.importFile(
      { format: 'csv', content: FILE('07210001,Tổ dân phố số 1,Tổ dân phố,07210,\n') },
      ADMIN_24,
      OPTIONS,
    );
    expect(outcome).toMatchObject({ ok: true, importId: null, created: 0, renamed: 0, merged: 0, unchanged: 1 });
    for (const write of [statements.insert, statements.rename, statements.retire, statements.recordChanges])
      expect(write).not.toHaveBeenCalled();
    expect(directory.forget).not.toHaveBeenCalled();
  });

  it('writes nothing when the plan refuses a row (a merge of a village with a running case)', async () => {
    const { service, statements } = setup(new Map([['07210002', 2026]]));
    const outcome = await service.importFile(
      {
        format: 'csv',
        content: FILE(
          '07210003,Tổ dân phố số 3,Tổ dân phố,07210,\n07210002,Tổ dân phố số 2,Tổ dân phố,07210,07210001\n',
        ),
      },
      ADMIN_24,
      OPTIONS,
    );
    expect(outcome).toMatchObject({ ok: false, outOfScope: false, errors: [{ row: 3, column: 'Sáp nhập vào' }] });
    expect(statements.insert).not.toHaveBeenCalled();
    expect(statements.recordChanges).not.toHaveBeenCalled();
  });

  it('reads the history of a unit in scope, of the caller’s province by default, of every province for a national admin', async () => {
    const { service, repository } = setup();
    expect(await service.changes(ADMIN_24, { unit: '07210001', limit: 2 })).toEqual({ changes: [], nextBefore: null });
    expect(repository.changes).toHaveBeenLastCalledWith({
      unitCode: '07210001',
      provinceCode: undefined,
      before: undefined,
      limit: 2,
    });
    await service.changes(ADMIN_24, { limit: 10, before: '40' });
    expect(repository.changes).toHaveBeenLastCalledWith({
      unitCode: undefined,
      provinceCode: '24',
      before: '40',
      limit: 10,
    });
    await service.changes(NATIONAL, { limit: 10 });
    expect(repository.changes).toHaveBeenLastCalledWith({
      unitCode: undefined,
      provinceCode: undefined,
      before: undefined,
      limit: 10,
    });
    await expect(service.changes(ADMIN_24, { province: '20', limit: 10 })).rejects.toBeInstanceOf(AuthException);
    await expect(service.changes(ADMIN_24, { unit: 'T9', limit: 10 })).rejects.toBeInstanceOf(UnitNotFoundException);
    repository.changes.mockResolvedValueOnce([{ id: '7' }, { id: '5' }]);
    expect(await service.changes(ADMIN_24, { limit: 2 })).toMatchObject({ nextBefore: '5' });
  });
});
