import { Redis } from 'ioredis';
import { Client } from 'pg';
import { withDatabase } from '@rasoat/local-services';
import { TEST_ENV, testJwtSecret, testRedisUrl } from '@rasoat/testing';
import { memoryIo } from '../memory-io';
import { createSimulateCommand } from './simulate.command';

/**
 * A small season (30 villages of the demo province) on real PostgreSQL and Redis: the servers
 * of the test run, a throwaway database and queue prefix per run.
 */
describe('simulate command', () => {
  const env = () => ({
    ...process.env,
    DATABASE_URL: withDatabase(process.env[TEST_ENV.pgServer] as string, 'postgres'),
    REDIS_URL: testRedisUrl(),
    JWT_SECRET: testJwtSecret(),
    NODE_ENV: 'test',
  });
  const simulate = async (args: string[]) => {
    const { io, stdout, stderr } = memoryIo();
    const code = await createSimulateCommand({ env: env() }).run(args, io);
    return { code, stdout: stdout(), stderr: stderr() };
  };
  const withoutWallTime = (text: string) => text.replace(/^ {2}Thời gian chạy \/ wall time .*$/m, '');
  let first: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    first = await simulate(['--villages', '30', '--seed', '7']);
  }, 180_000);

  it('prints the header, one line per virtual week, and the summary', () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      'Tỉnh / province             24 Tỉnh 24 (mô phỏng, quy mô Bắc Giang 2021 / simulated): 1 huyện / districts, 3 xã / communes, 30 thôn / villages',
    );
    expect(first.stdout).toContain('Quy trình / definition      periodic-review@1');
    expect(first.stdout).toContain('Thời gian / window          01/09/2026 – 14/12/2026');
    const weeks = first.stdout.split('\n').filter((l) => /^ +\d+ {2}\d\d\/\d\d\/\d{4} /.test(l));
    // 1 September to 24 December: 16 weeks and 3 days.
    expect(weeks).toHaveLength(17);
    expect(weeks[0]).toMatch(/^ +1 {2}07\/09\/2026 /);
    expect(weeks[16]).toMatch(/^ +17 {2}24\/12\/2026 /);
    expect(first.stdout).toMatch(
      /^ Tuần {2}Đến ngày {2}Bước 1 {2}Bước 2 .* Bước 7 {2}Đang quá hạn {2}Nhắc việc {2}Báo quá hạn {3}Vượt cấp/m,
    );
    expect(first.stdout).toMatch(/^ {2}Thời gian chạy \/ wall time +\d+ phút \d+ giây \/ \d+ min \d+ s$/m);
    expect(first.stderr).toContain('tuần / week 17');
  });

  it('plays a season: villages complete; reminders, overdue notices and escalations are sent; digests delivered', () => {
    const number = (label: string) =>
      Number(new RegExp(`^ {2}${label.replace(/[/()]/g, '\\$&')} +(\\d+)`, 'm').exec(first.stdout)?.[1]);
    expect(number('Thôn hoàn thành / villages completed')).toBeGreaterThan(20);
    expect(number('Nhắc việc / reminders')).toBeGreaterThan(0);
    expect(number('Báo quá hạn / overdue notices')).toBeGreaterThan(0);
    expect(number('Cảnh báo vượt cấp / escalations')).toBeGreaterThan(0);
    expect(first.stdout).toMatch(/Bản tin \/ digests +[1-9]\d* bản tin \/ digests, (\d+)\/\1 lần gửi thành công/);
    expect(first.stdout).not.toContain('refused at acceptance');
  });

  it('is reproducible: the same seed prints the same report', async () => {
    const again = await simulate(['--villages', '30', '--seed', '7']);
    expect(again.code).toBe(0);
    expect(withoutWallTime(again.stdout)).toBe(withoutWallTime(first.stdout));
  }, 180_000);

  it('--json prints the same weeks as machine-readable rows; another seed plays another season', async () => {
    const json = await simulate(['--villages', '30', '--seed', '7', '--json']);
    expect(json.code).toBe(0);
    const rows = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows[0]).toMatchObject({
      type: 'header',
      seed: 7,
      window: { start: '2026-09-01', end: '2026-12-14' },
      province: { villages: 30 },
    });
    const weeks = rows.filter((r) => r.type === 'week');
    expect(weeks).toHaveLength(17);
    expect(weeks[16]).toMatchObject({ week: 17, from: '2026-12-22', to: '2026-12-24' });
    expect(Object.keys(weeks[0].finished as object)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    const summary = rows[rows.length - 1] as { type: string; completed: number; notifications: Record<string, number> };
    expect(summary.type).toBe('summary');
    // The same season as the table's: the completed count and the week-17 line agree.
    expect(first.stdout).toContain(`Thôn hoàn thành / villages completed           ${summary.completed} / 30`);
    const reminders = weeks.reduce((sum, w) => sum + (w.reminders as number), 0);
    expect(reminders).toBe(summary.notifications['deadline-reminder']);

    const other = await simulate(['--villages', '30', '--seed', '8']);
    expect(withoutWallTime(other.stdout)).not.toBe(withoutWallTime(first.stdout));
  }, 240_000);

  it('drops its database and deletes its queue keys', async () => {
    const prefixes = [...first.stderr.matchAll(/queue prefix (rasoat-sim-\S+)/g)].map((m) => m[1]);
    expect(prefixes).toHaveLength(1);
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 3 });
    try {
      expect(await redis.keys(`${prefixes[0]}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    const pg = new Client({ connectionString: withDatabase(process.env[TEST_ENV.pgServer] as string, 'postgres') });
    await pg.connect();
    try {
      const { rows } = await pg.query(`select datname from pg_database where datname like $1`, [
        `rasoat\\_sim\\_${process.pid}\\_%`,
      ]);
      expect(rows).toEqual([]);
    } finally {
      await pg.end();
    }
  });

  it('refuses bad arguments and unsupported definitions before starting anything', async () => {
    expect(await simulate(['--villages', 'many'])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('bad --villages "many"'),
    });
    expect(await simulate(['--definition', 'regular-review@1'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('another process'),
    });
    expect(await simulate(['--definition', 'lang-son-periodic-review-2024@1', '--year', '2026'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--year 2026 does not match'),
    });
  });

  it('plays a definition that moves on the household records (periodic-review@4): lists imported, surveyed, voted on', async () => {
    const run = await simulate([
      '--definition',
      'periodic-review@4',
      '--villages',
      '12',
      '--seed',
      '3',
      '--days-after',
      '0',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Quy trình / definition      periodic-review@4');
    const number = (label: string) =>
      Number(new RegExp(`^ {2}${label.replace(/[/()]/g, '\\$&')} +(\\d+)`, 'm').exec(run.stdout)?.[1]);
    expect(number('Thôn hoàn thành / villages completed')).toBeGreaterThan(8);
    expect(run.stdout).not.toContain('refused at acceptance');
    expect(run.stderr).not.toMatch(/refused/);
  }, 240_000);
});
