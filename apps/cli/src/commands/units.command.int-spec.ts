import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '@rasoat/local-services';
import { adminQuery, TEST_ENV, testJwtSecret } from '@rasoat/testing';
import { memoryIo } from '../memory-io';
import { createUnitsCommand } from './units.command';

/**
 * `units import` on a brand-new, empty database (not even migrated), as after a fresh clone:
 * it migrates, loads the official list as a first start would, then takes a village file under
 * real communes of Bắc Ninh (24).
 */
describe('units import on a fresh database', () => {
  const name = `rasoat_units_cli_${randomUUID().slice(0, 8)}`;
  const url = withDatabase(process.env[TEST_ENV.pgServer] as string, name);
  let dir: string;
  let db: Client;

  beforeAll(async () => {
    await adminQuery(`create database "${name}"`);
    dir = mkdtempSync(join(tmpdir(), 'rasoat-units-cli-'));
    db = new Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await adminQuery(`drop database if exists "${name}" with (force)`);
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    ...process.env,
    DATABASE_URL: url,
    JWT_SECRET: testJwtSecret(),
    RASOAT_DATA_DIR: dir,
    NODE_ENV: 'test',
  });
  const units = async (...args: string[]) => {
    const { io, stdout, stderr } = memoryIo();
    const code = await createUnitsCommand({ env: env() }).run(args, io);
    return { code, stdout: stdout(), stderr: stderr() };
  };
  const file = (fileName: string, content: string) => {
    const path = join(dir, fileName);
    writeFileSync(path, content);
    return path;
  };
  const query = async <T>(text: string, params: unknown[] = []) => (await db.query(text, params)).rows as T[];

  it('imports villages under real communes after loading the official list; the same file again changes nothing', async () => {
    const villages = file(
      'thon-bac-ninh.csv',
      'Mã đơn vị;Tên;Loại;Mã đơn vị cấp trên\n' +
        '07210101;Tổ dân phố Trần Phú;Tổ dân phố;07210\n' +
        '07210102;Tổ dân phố Lê Lợi;Tổ dân phố;07210\n' +
        '07246101;Thôn Đồng Quan;Thôn;07246\n',
    );
    const first = await units('import', villages);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(
      /^3 đơn vị mới, 0 đổi tên, 0 sáp nhập, 0 không đổi \/ 3 created, .* \(import [0-9a-f-]{36}\)\n$/,
    );

    expect(await query('select name, sha256, units from unit_list')).toEqual([
      { name: 'vn-2026', sha256: '7ad29c91dac6d40540c21cdac5be184b282c01aeb7ab620e5359fe80cb7f4906', units: 3355 },
    ]);
    expect(
      await query(
        `select level, count(*)::int as n from admin_unit where source = 'vn-2026' group by level order by level`,
      ),
    ).toEqual([
      { level: 'commune', n: 3321 },
      { level: 'province', n: 34 },
    ]);
    expect(
      await query(
        `select code, name, unit_type, path, province_code, source from admin_unit where level = 'village' order by code`,
      ),
    ).toEqual([
      {
        code: '07210101',
        name: 'Tổ dân phố Trần Phú',
        unit_type: 'Tổ dân phố',
        path: '/24/07210/07210101/',
        province_code: '24',
        source: 'import',
      },
      {
        code: '07210102',
        name: 'Tổ dân phố Lê Lợi',
        unit_type: 'Tổ dân phố',
        path: '/24/07210/07210102/',
        province_code: '24',
        source: 'import',
      },
      {
        code: '07246101',
        name: 'Thôn Đồng Quan',
        unit_type: 'Thôn',
        path: '/24/07246/07246101/',
        province_code: '24',
        source: 'import',
      },
    ]);
    const [history] = await query<{ n: number; actor: { role: string; unit: string }; file_name: string }>(
      `select count(*)::int as n, min(actor::text)::jsonb as actor, min(file_name) as file_name from unit_change where kind = 'created'`,
    );
    expect(history).toMatchObject({
      n: 3,
      actor: { role: 'national_admin', unit: 'VN' },
      file_name: 'thon-bac-ninh.csv',
    });

    const again = await units('import', villages);
    expect(again).toMatchObject({
      code: 0,
      stdout: '0 đơn vị mới, 0 đổi tên, 0 sáp nhập, 3 không đổi / 0 created, 0 renamed, 0 merged, 3 unchanged\n',
    });
    expect(await query('select count(*)::int as n from unit_change')).toEqual([{ n: 3 }]);
  });

  it('refuses a whole file with one bad row, naming the row and the column, and writes nothing', async () => {
    const before = await query<{ n: number }>('select count(*)::int as n from admin_unit');
    const bad = file(
      'thon-sai.csv',
      'Mã đơn vị,Tên,Loại,Mã đơn vị cấp trên\n07228101,Tổ dân phố số 1,Tổ dân phố,07228\n07211101,Thôn Ma,Thôn,07211\n',
    );
    const result = await units('import', bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `${bad}: dòng 3, cột "Mã đơn vị cấp trên": không có đơn vị mã "07211" (xã chưa có trong danh mục) / no unit has code "07211"\n` +
        `${bad}: 1 lỗi, không nhập đơn vị nào / 1 error(s), nothing imported\n`,
    );
    expect(await query('select count(*)::int as n from admin_unit')).toEqual(before);
  });

  it('acts as one province’s admin with --province: a commune of another province is refused', async () => {
    const other = file('thon-lang-son.csv', 'Mã đơn vị,Tên,Loại,Mã đơn vị cấp trên\n06325101,Thôn Nà Lầu,Thôn,06325\n');
    const refused = await units('import', other, '--province', '24');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('dòng 2, cột "Mã đơn vị cấp trên": 06325 thuộc tỉnh 20, ngoài đơn vị của bạn');
    const accepted = await units('import', other, '--province', '20');
    expect(accepted).toMatchObject({ code: 0 });
    expect(await query(`select path from admin_unit where code = '06325101'`)).toEqual([
      { path: '/20/06325/06325101/' },
    ]);
  });
});
