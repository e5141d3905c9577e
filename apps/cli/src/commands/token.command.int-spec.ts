import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { UserRole } from '@rasoat/contracts';
import { verifyToken, withPaths } from '@rasoat/engine';
import { freePort } from '@rasoat/local-services';
import { createTestDatabase, testProvinces } from '@rasoat/testing';
import { tokenUnitRefusal } from './token-unit-check';

const ROOT = resolve(__dirname, '../../../..');
const SECRET = 'token-command-test-secret-0123456789abcdef';
const run = promisify(execFile);

/** `token` against a real database holding the test provinces: it mints only what the API would accept. */
describe('token command: a role only at a unit of its level', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'rasoat-token-'));
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = withPaths(testProvinces()).map((u) => ({
        code: u.code,
        name: u.name,
        level: u.level,
        parent_code: u.parentCode,
        path: u.path,
        province_code: u.provinceCode,
      }));
      await client.query(
        `insert into admin_unit (code, name, level, parent_code, path, province_code)
         select code, name, level, parent_code, path, province_code
         from jsonb_to_recordset($1::jsonb) as t(code text, name text, level text, parent_code text, path text, province_code text)`,
        [JSON.stringify(rows)],
      );
    } finally {
      await client.end();
    }
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const check = (role: UserRole, unit: string) => tokenUnitRefusal(role, unit, { databaseUrl: db.url, dataDir });

  it.each([
    ['village_board', 'T1C1V1'],
    ['surveyor', 'T2C1V3'],
    ['commune_committee', 'T1C1'],
    ['commune_chairman', 'T2C1'],
    ['district_chairman', 'T1D1'],
    ['province_admin', 'T2'],
    ['national_admin', 'VN'],
  ] as [UserRole, string][])('mints %s at %s', async (role, unit) => {
    expect(await check(role, unit)).toBeNull();
  });

  it.each([
    ['village_board', 'T1C1', 'role village_board acts only from a village, not from T1C1 (a commune)'],
    ['village_board', 'VN', 'role village_board acts only from a village, not from VN (the nation (VN))'],
    ['province_admin', 'VN', 'role province_admin acts only from a province, not from VN (the nation (VN))'],
    ['national_admin', 'T1', 'role national_admin acts only from the nation (VN), not from T1 (a province)'],
    ['commune_committee', 'T1D1', 'role commune_committee acts only from a commune, not from T1D1 (a district)'],
    ['village_board', 'T9C9V9', 'unknown administrative unit "T9C9V9"; role village_board acts from a village'],
  ] as [UserRole, string, string][])('refuses %s at %s (exit 2), saying why', async (role, unit, why) => {
    const refusal = await check(role, unit);
    expect(refusal?.exit).toBe(2);
    expect(refusal?.message).toContain(why);
  });

  it('refuses to mint without a database to check the unit in, saying how to proceed (exit 1)', async () => {
    const none = await tokenUnitRefusal('village_board', 'T1C1V1', { databaseUrl: undefined, dataDir });
    expect(none).toEqual({
      exit: 1,
      message: expect.stringContaining(
        `no embedded PostgreSQL runs for ${dataDir}; set DATABASE_URL or start rasoat (npm start), then retry`,
      ),
    });
    const down = await tokenUnitRefusal('village_board', 'T1C1V1', {
      databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/rasoat`,
      dataDir,
    });
    expect(down).toEqual({
      exit: 1,
      message: expect.stringContaining('cannot read unit "T1C1V1" from postgres://postgres@127.0.0.1:'),
    });
    // VN needs no database.
    expect(await tokenUnitRefusal('national_admin', 'VN', { databaseUrl: undefined, dataDir })).toBeNull();
  });

  it('the command (a real process) refuses a bad pair with nothing on stdout, and mints a good one', async () => {
    const token = (unit: string) =>
      run(
        process.execPath,
        [join(ROOT, 'scripts/run.js'), 'apps/cli/src/main.ts', 'token', '--role', 'village_board', '--unit', unit],
        {
          cwd: ROOT,
          env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: db.url, JWT_SECRET: SECRET, RASOAT_DATA_DIR: dataDir },
        },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const bad = await token('T1C1');
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining(
        '--unit: Vai trò village_board chỉ hoạt động ở cấp thôn, không ở T1C1 (cấp xã) / role village_board acts only from a village',
      ),
    });
    const good = await token('T1C1V1');
    expect(good.code).toBe(0);
    expect(verifyToken(good.stdout.trim(), SECRET, new Date())).toMatchObject({
      role: 'village_board',
      unit: 'T1C1V1',
    });
  }, 60_000);
});
