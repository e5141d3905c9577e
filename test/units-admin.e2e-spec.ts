import { EntityManager } from '@mikro-orm/postgresql';
import { Workbook } from 'exceljs';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

const HEADER = 'Mã đơn vị,Tên,Loại,Mã đơn vị cấp trên,Sáp nhập vào';
const csv = (...rows: string[]) => [HEADER, ...rows].join('\r\n');

/**
 * A province's villages through `POST /api/admin/units/import`, over HTTP on a database that
 * holds the official list (loaded at the engine's start): all or nothing, errors by row and
 * column, the uploader's province only, re-imports that change nothing, renames and merges with
 * their history, a merge refused while the village's case runs, XLSX, and the limits.
 */
describe('a province’s villages through the admin API', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const admin24 = () => token('province_admin', '24');
  const admin20 = () => token('province_admin', '20');
  const national = () => token('national_admin', 'VN');

  beforeAll(async () => {
    engine = await startTestEngine({
      http: true,
      worker: false,
      config: { 'uploads.unitsFile.maxRows': 50, 'uploads.unitsFile.maxBytes': 64 * 1024 },
    });
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  async function call(method: string, path: string, bearer: string, body?: string | Buffer, contentType = 'text/csv') {
    const res = await fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': contentType, authorization: `Bearer ${bearer}` },
      body: body === undefined ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const upload = (
    file: string | Buffer,
    bearer = admin24(),
    query = '?fileName=thon.csv',
    type = 'text/csv; charset=utf-8',
  ) => call('POST', `/api/admin/units/import${query}`, bearer, file, type);
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(text, params);
  const villagesUnder = async (commune: string) =>
    (await sql<{ code: string }>(`select code from admin_unit where parent_code = ? order by code`, [commune])).map(
      (r) => r.code,
    );

  it('refuses a whole file with one bad row, each error naming its row and column, in Vietnamese then English', async () => {
    const res = await upload(
      csv(
        '07228101,Tổ dân phố số 1,Tổ dân phố,07228,',
        '07228102,,Tổ dân phố,07228,',
        '07211101,Thôn Ma,Thôn,07211,',
        '07228103,Tổ dân phố số 3,Xã,07228,',
      ),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'UNIT_IMPORT_INVALID',
      message: 'tệp có lỗi: 3 lỗi, chưa nhập đơn vị nào / the file has errors: 3 error(s), nothing was imported',
    });
    // The file's own errors and the tree's, all at once.
    expect(res.body.errors).toEqual([
      { row: 3, column: 'Tên', message: 'Bắt buộc, không được để trống / Required' },
      {
        row: 4,
        column: 'Mã đơn vị cấp trên',
        message: expect.stringMatching(/^không có đơn vị mã "07211" .* \/ no unit has code "07211"$/),
      },
      {
        row: 5,
        column: 'Loại',
        message: expect.stringMatching(
          /^chỉ nhập được thôn, tổ dân phố, bản, ấp…; xã do danh mục quốc gia .* \/ only villages can be uploaded/,
        ),
      },
    ]);
    expect(await villagesUnder('07228')).toEqual([]);
    expect(await sql(`select count(*)::int as n from unit_change`)).toEqual([{ n: 0 }]);
  });

  it('refuses villages under a commune of another province (403, row and column), which that province’s admin may upload', async () => {
    const file = csv('06325101,Thôn Nà Lầu,Thôn,06325,');
    const refused = await upload(file);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error: { code: 'UNIT_IMPORT_OUT_OF_SCOPE' },
      errors: [
        {
          row: 2,
          column: 'Mã đơn vị cấp trên',
          message: '06325 thuộc tỉnh 20, ngoài đơn vị của bạn / 06325 is in province 20, outside your unit',
        },
      ],
    });
    expect(await villagesUnder('06325')).toEqual([]);
    const accepted = await upload(file, admin20());
    expect(accepted).toMatchObject({ status: 200, body: { created: 1 } });
    expect(await villagesUnder('06325')).toEqual(['06325101']);
  });

  it('creates villages with their types under real communes; the same file again changes nothing and writes no history', async () => {
    const file = csv(
      '07210101,Tổ dân phố Trần Phú,Tổ dân phố,07210,',
      '07210102,Tổ dân phố Lê Lợi,Tổ dân phố,07210,',
      '07246101,Thôn Đồng Quan,Thôn,07246,',
    );
    const first = await upload(file);
    expect(first).toMatchObject({
      status: 200,
      body: { ok: true, created: 3, renamed: 0, merged: 0, unchanged: 0, importId: expect.any(String) },
    });
    const commune = await call('GET', '/api/units/07210', admin24());
    expect(commune.body.unit).toMatchObject({
      code: '07210',
      name: 'Phường Bắc Giang',
      unitType: 'Phường',
      nameEn: 'Bac Giang',
    });
    expect(commune.body.children).toEqual([
      expect.objectContaining({
        code: '07210101',
        name: 'Tổ dân phố Trần Phú',
        unitType: 'Tổ dân phố',
        path: '/24/07210/07210101/',
      }),
      expect.objectContaining({ code: '07210102', name: 'Tổ dân phố Lê Lợi', unitType: 'Tổ dân phố' }),
    ]);
    const [{ n }] = await sql<{ n: number }>(`select count(*)::int as n from unit_change`);
    const again = await upload(file);
    expect(again).toMatchObject({
      status: 200,
      body: { created: 0, renamed: 0, merged: 0, unchanged: 3, importId: null },
    });
    expect(await sql(`select count(*)::int as n from unit_change`)).toEqual([{ n }]);
  });

  it('renames and merges villages with history; the merged village is retired, kept, and points to its new village; again: nothing', async () => {
    await upload(
      csv('07264101,Thôn Đông,Thôn,07264,', '07264102,Thôn Tây,Thôn,07264,', '07264103,Thôn Nam,Thôn,07264,'),
      admin24(),
      '?fileName=thon-tam-tien-2025.csv',
    );
    const changes = csv('07264101,Thôn Đông Tiến,Thôn,07264,', '07264102,Thôn Tây,Thôn,07264,07264101');
    const res = await upload(changes, admin24(), '?fileName=sap-nhap-2026.csv');
    expect(res).toMatchObject({ status: 200, body: { created: 0, renamed: 1, merged: 1, unchanged: 0 } });
    const merged = await call('GET', '/api/units/07264102', admin24());
    expect(merged.body.unit).toMatchObject({ name: 'Thôn Tây', mergedInto: '07264101', retiredAt: expect.any(String) });

    const history = await call(
      'GET',
      '/api/admin/units/changes?unit=07264101',
      admin24(),
      undefined,
      'application/json',
    );
    expect(history.status).toBe(200);
    expect(
      history.body.changes.map((c: { unitCode: string; kind: string; fileName: string }) => [
        c.unitCode,
        c.kind,
        c.fileName,
      ]),
    ).toEqual([
      ['07264102', 'merged', 'sap-nhap-2026.csv'],
      ['07264101', 'renamed', 'sap-nhap-2026.csv'],
      ['07264101', 'created', 'thon-tam-tien-2025.csv'],
    ]);
    expect(history.body.changes[1]).toMatchObject({
      before: { name: 'Thôn Đông', unitType: 'Thôn' },
      after: { name: 'Thôn Đông Tiến', unitType: 'Thôn' },
      actor: { sub: 'province_admin@24', role: 'province_admin', unit: '24' },
      fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const again = await upload(changes, admin24(), '?fileName=sap-nhap-2026.csv');
    expect(again).toMatchObject({ status: 200, body: { renamed: 0, merged: 0, unchanged: 2, importId: null } });
    expect((await call('GET', '/api/admin/units/changes?unit=07264101', admin24())).body.changes).toHaveLength(3);
    // The merged village's code is not used again.
    const reuse = await upload(csv('07264102,Thôn Tây Mới,Thôn,07264,'));
    expect(reuse.status).toBe(400);
    expect(reuse.body.errors[0]).toMatchObject({
      row: 2,
      column: 'Mã đơn vị',
      message: expect.stringMatching(/đã sáp nhập vào 07264101/),
    });
    // A province admin reads their own province's history, not another's.
    expect((await call('GET', '/api/admin/units/changes?province=20', admin24())).status).toBe(403);
    expect(
      (await call('GET', '/api/admin/units/changes', admin24())).body.changes.every(
        (c: { provinceCode: string }) => c.provinceCode === '24',
      ),
    ).toBe(true);
  });

  it('opens no case for a merged village, and refuses to merge a village whose case is running', async () => {
    await upload(
      csv('07282101,Thôn Kỳ Sơn,Thôn,07282,', '07282102,Thôn Kỳ Lâm,Thôn,07282,', '07282103,Thôn Kỳ Hạ,Thôn,07282,'),
    );
    await upload(csv('07282103,Thôn Kỳ Hạ,Thôn,07282,07282102'));
    await engine
      .get(CampaignsService)
      .start(
        {
          provinceCode: '24',
          year: 2026,
          definitionKey: 'periodic-review@1',
          windowStart: '2026-09-01',
          windowEnd: '2026-12-14',
        },
        SYSTEM_ACTOR,
      );
    const cases = await sql<{ village_code: string }>(
      `select village_code from review_case where commune_code = '07282' order by village_code`,
    );
    expect(cases.map((c) => c.village_code)).toEqual(['07282101', '07282102']);
    const refused = await upload(csv('07282101,Thôn Kỳ Sơn,Thôn,07282,07282102'));
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      {
        row: 2,
        column: 'Sáp nhập vào',
        message:
          '"Thôn Kỳ Sơn" (07282101) còn hồ sơ rà soát năm 2026 chưa kết thúc; sáp nhập sau khi hồ sơ kết thúc / "Thôn Kỳ Sơn" (07282101) has a case of the 2026 review still running; merge it once that case is done',
      },
    ]);
    expect(await sql(`select retired_at from admin_unit where code = '07282101'`)).toEqual([{ retired_at: null }]);
  });

  it('reads an XLSX upload, its format told by the content type', async () => {
    const workbook = new Workbook();
    const sheet = workbook.addWorksheet('Thôn');
    sheet.addRow(['Mã đơn vị', 'Tên', 'Loại', 'Mã đơn vị cấp trên']);
    sheet.addRow(['07294101', 'Thôn Bố Hạ', 'Thôn', '07294']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const res = await upload(xlsx, national(), '', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res).toMatchObject({ status: 200, body: { created: 1 } });
    expect(await villagesUnder('07294')).toEqual(['07294101']);
  });

  it('answers 413 past the units file’s own limits (rows while reading, bytes before), and 400 for a body that is no file', async () => {
    const rows = Array.from({ length: 51 }, (_, i) => `07306${String(100 + i)},Thôn ${i},Thôn,07306,`);
    const tooMany = await upload(csv(...rows));
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error).toMatchObject({ code: 'UNITS_FILE_TOO_MANY_ROWS', details: { limit: 50, row: 52 } });
    const tooLarge = await upload(csv(...rows.slice(0, 2)) + `\r\n${' '.repeat(70 * 1024)}`);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('REQUEST_BODY_TOO_LARGE');
    const json = await call('POST', '/api/admin/units/import?format=csv', admin24(), '{"a":1}', 'application/json');
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe('REQUEST_INVALID');
    expect(await villagesUnder('07306')).toEqual([]);
  });
});
