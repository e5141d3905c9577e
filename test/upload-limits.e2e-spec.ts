import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken } from '@rasoat/engine';
import { writeHouseholdFile, type HouseholdRecordInput } from '@rasoat/household-records';
import {
  deleteQueueKeys,
  FaultResources,
  householdCsv,
  startTestEngine,
  xlsxBomb,
  xlsxSharedStringsFlood,
  type AppProcess,
  type TestEngine,
} from '@rasoat/testing';

/**
 * A household file (or any upload) cannot kill the process. The real all-in-one process
 * (`apps/rasoat/src/main.ts`, API and workers in one, with `npm start`'s 320 MB old space) gets
 * the files a careless or hostile village could send: an XLSX of 0.87 MB whose worksheet
 * inflates to 4,000,000 rows (220 MB of XML), the same lying about its size (smaller and larger
 * than the row limit), a 10 MB CSV of 90,000 valid-looking rows, a body past the 10 MB limit,
 * a gzip-encoded body inflating to 100 MB, eight of them at once; each is refused with 413 and a code naming the limit. An XLSX within
 * every limit but with a million shared strings (46 MB inflated) is read whole. Then the largest
 * legitimate list (10,000 households) imports, and definitions of a megabyte of "[" and of
 * 20,001 values are refused before they are parsed. The process stays up, answers /health, and
 * its peak resident memory (VmHWM, read from /proc) stays under 350 MB.
 *
 * Why 350 MB: the process may use 320 MB of V8 old space and is at 230–250 MB resident once
 * started. Before the fix the bomb ran it out of heap (killed by SIGABRT); without the bombs,
 * the 10 MB CSV (answered 400 after parsing all 91,364 rows) and the 10,000-household file took
 * it to 385 MB. With the fix the bombs add nothing, the CSV about 10 MB.
 */

const JWT_SECRET = `upload-limits-${randomUUID()}`;
const MB = 1024 * 1024;
const PEAK_RSS_BOUND_MB = 350;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Resident memory of a process from /proc: now and its peak since it started. */
function memoryOf(p: AppProcess): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${p.child.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

describe('upload limits: the all-in-one process survives hostile household files with flat memory', () => {
  const resources = new FaultResources();
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let rasoat: AppProcess & { baseUrl: string };
  let caseId: string;
  let baseline: { rssMb: number; peakMb: number };
  let floodOfSharedStrings: Buffer;

  const board = () =>
    signToken({ sub: 'village_board@T1C1V1', role: 'village_board', unit: 'T1C1V1' }, JWT_SECRET, new Date());
  async function upload(body: Buffer, contentType: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${rasoat.baseUrl}/api/cases/${caseId}/households/import`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${board()}` },
      body: new Uint8Array(body),
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  }
  /** Fails with the process's last lines when it died. */
  function expectAlive(): void {
    if (!rasoat.alive()) throw new Error(`the process died\n${rasoat.tail(30)}`);
  }

  beforeAll(async () => {
    // The files first: making them takes seconds of this process's CPU, during which pooled
    // keep-alive connections would be closed by the server without this process noticing.
    floodOfSharedStrings = xlsxSharedStringsFlood();
    // This process owns the database (migrated, units of province T1) and opens the campaign;
    // the all-in-one process serves HTTP on it. Real time in both.
    engine = await startTestEngine({ worker: false, start: new Date() });
    const started = await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@2',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-31',
      },
      SYSTEM_ACTOR,
    );
    const [row] = await engine
      .get(EntityManager)
      .fork()
      .execute<{ id: string }[]>(`select id from review_case where campaign_id = ? and village_code = 'T1C1V1'`, [
        started.campaign.id,
      ]);
    caseId = row.id;
    rasoat = await resources.startApi(
      'rasoat',
      {
        NODE_OPTIONS: '--max-old-space-size=320', // as `npm start`
        NODE_ENV: 'production',
        DATABASE_URL: engine.config.databaseUrl,
        REDIS_URL: engine.config.redisUrl,
        QUEUE_PREFIX: engine.config.queuePrefix,
        JWT_SECRET,
        DEMO_SEED: 'false',
      },
      120_000,
      'apps/rasoat/src/main.ts',
    );
    baseline = memoryOf(rasoat);
  }, 180_000);

  afterAll(async () => {
    const problems = await resources.cleanup();
    await engine?.close();
    await engine?.dropDatabase();
    if (engine) await deleteQueueKeys(engine.config.redisUrl as string, engine.config.queuePrefix);
    if (problems.length > 0) console.warn(`[upload-limits] cleanup: ${problems.join('; ')}`);
  }, 60_000);

  it('refuses an XLSX whose worksheet inflates to 4,000,000 rows before inflating it (413 UPLOAD_EXPANDS_TOO_MUCH)', async () => {
    const bomb = xlsxBomb({ rows: 4_000_000 });
    expect(bomb.length).toBeLessThan(MB);
    const res = await upload(bomb, XLSX_TYPE);
    expectAlive();
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'UPLOAD_EXPANDS_TOO_MUCH',
      message: expect.stringMatching(
        /^Tệp XLSX giải nén ra quá lớn: phần "xl\/worksheets\/sheet1.xml" khai báo 209.8 MB, vượt quá giới hạn 50 MB cho cả tệp \/ /,
      ),
      details: {
        code: 'UPLOAD_EXPANDS_TOO_MUCH',
        unit: 'bytes',
        limit: 50 * MB,
        found: expect.any(Number),
        part: 'xl/worksheets/sheet1.xml',
      },
    });
    expect(res.body.error.details.found).toBeGreaterThan(200 * MB);
  });

  it('stops inflating the same bomb at the first byte past the size it lies about (413 UPLOAD_EXPANDS_TOO_MUCH)', async () => {
    // 256 KB hold about 4,500 rows: the inflating stops before the row limit does.
    const res = await upload(xlsxBomb({ rows: 4_000_000, declaredSize: 256 * 1024 }), XLSX_TYPE);
    expectAlive();
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'UPLOAD_EXPANDS_TOO_MUCH',
      message: expect.stringContaining('giải nén ra nhiều hơn kích thước khai báo (262144 byte)'),
    });
  });

  it('stops reading the same bomb at row 10,002 when it says it inflates to 40 MB (413 HOUSEHOLD_FILE_TOO_MANY_ROWS)', async () => {
    const res = await upload(xlsxBomb({ rows: 4_000_000, declaredSize: 40 * MB }), XLSX_TYPE);
    expectAlive();
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'HOUSEHOLD_FILE_TOO_MANY_ROWS', details: { row: 10_002 } });
  });

  it('reads an XLSX within the limits whose 1,000,000 shared strings inflate to 46 MB, holding them outside the heap (400: the one row is bad)', async () => {
    expect(floodOfSharedStrings.length).toBeLessThan(10 * MB);
    const res = await upload(floodOfSharedStrings, XLSX_TYPE);
    expectAlive();
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('HOUSEHOLD_IMPORT_INVALID');
    expect(res.body.errors).toContainEqual({
      row: 2,
      column: 'Họ và tên chủ hộ',
      message: 'Bắt buộc, không được để trống / Required, must not be empty',
    });
  });

  it('stops reading a 10 MB CSV at household 10,001 (413 HOUSEHOLD_FILE_TOO_MANY_ROWS)', async () => {
    const csv = householdCsv(10 * MB - 4096);
    const res = await upload(csv, 'text/csv; charset=utf-8');
    expectAlive();
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'HOUSEHOLD_FILE_TOO_MANY_ROWS',
      message: expect.stringMatching(/^Tệp có hơn 10000 hộ \(hộ thứ 10001 ở dòng 10002\); mỗi tệp tối đa 10000 hộ \/ /),
      details: { limit: 10_000, unit: 'rows', found: 10_001, row: 10_002 },
    });
    expect(res.body.errors).toEqual([{ row: 10_002, message: res.body.error.message }]);
  });

  it('refuses a body past 10 MB (413 REQUEST_BODY_TOO_LARGE naming the limit)', async () => {
    const res = await upload(householdCsv(11 * MB), 'text/csv');
    expectAlive();
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'REQUEST_BODY_TOO_LARGE',
      message: expect.stringContaining(`(max ${10 * MB} bytes)`),
    });
  });

  it('refuses a gzip-encoded body that inflates past 10 MB, counting the inflated bytes (413 REQUEST_BODY_TOO_LARGE)', async () => {
    const res = await fetch(`${rasoat.baseUrl}/api/cases/${caseId}/households/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip', authorization: `Bearer ${board()}` },
      body: new Uint8Array(
        gzipSync(Buffer.alloc(100 * MB, 'H1,Nguyễn Văn An,001090012345,Thôn Đông,4,Nông thôn,Phát sinh mới,,,\r\n')),
      ),
    });
    expectAlive();
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe('REQUEST_BODY_TOO_LARGE');
  });

  it('refuses eight such files sent at once', async () => {
    const csv = householdCsv(10 * MB - 4096);
    const [honest, lying] = [xlsxBomb({ rows: 4_000_000 }), xlsxBomb({ rows: 4_000_000, declaredSize: 40 * MB })];
    const answers = await Promise.all([
      ...[csv, csv, csv, csv].map((body) => upload(body, 'text/csv')),
      ...[honest, honest, lying, lying].map((body) => upload(body, XLSX_TYPE)),
    ]);
    expectAlive();
    expect(answers.map((a) => `${a.status} ${a.body.error?.code}`)).toEqual([
      ...Array(4).fill('413 HOUSEHOLD_FILE_TOO_MANY_ROWS'),
      ...Array(2).fill('413 UPLOAD_EXPANDS_TOO_MUCH'),
      ...Array(2).fill('413 HOUSEHOLD_FILE_TOO_MANY_ROWS'),
    ]);
  });

  it('still imports the largest list allowed, 10,000 households', async () => {
    const households: HouseholdRecordInput[] = Array.from({ length: 10_000 }, (_, i) => ({
      householdCode: `H${String(i + 1).padStart(5, '0')}`,
      headName: `Nguyễn Văn ${i + 1}`,
      address: `Thôn Đông, tổ ${i % 40}`,
      memberCount: 1 + (i % 6),
      area: 'rural',
      source: i % 2 === 0 ? 'previous_poor' : 'newly_arising',
    }));
    const res = await upload(await writeHouseholdFile(households, 'xlsx'), XLSX_TYPE);
    expectAlive();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, imported: 10_000 });
  });

  it('refuses a definition of a megabyte of "[" and one of 20,001 values before parsing them (validate answers the located error)', async () => {
    const admin = signToken({ sub: 'province_admin@T1', role: 'province_admin', unit: 'T1' }, JWT_SECRET, new Date());
    const validate = async (yaml: string) => {
      const res = await fetch(`${rasoat.baseUrl}/api/admin/definitions/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ yaml, fileName: 'bomb.yaml' }),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const brackets = await validate('['.repeat(999_000));
    expectAlive();
    expect(brackets.status).toBe(201);
    expect(brackets.body).toMatchObject({
      valid: false,
      errors: [
        {
          file: 'bomb.yaml',
          line: 1,
          col: 1,
          path: '$',
          message: expect.stringMatching(/^YAML: tệp có 999000 ký tự, quá giới hạn 200000 \/ /),
        },
      ],
    });
    const values = await validate(`[${'1,'.repeat(20_000)}1]`);
    expectAlive();
    expect(values.body).toMatchObject({
      valid: false,
      errors: [{ message: expect.stringMatching(/^YAML: tệp có hơn 20000 giá trị, quá giới hạn \/ /) }],
    });
  });

  it('is alive, answers /health, and its peak resident memory stayed under 350 MB', async () => {
    expectAlive();
    expect((await fetch(`${rasoat.baseUrl}/health`)).status).toBe(200);
    const after = memoryOf(rasoat);
    console.log(
      `[upload-limits] all-in-one process: peak RSS ${baseline.peakMb} MB after start, ${after.peakMb} MB after the uploads (RSS now ${after.rssMb} MB)`,
    );
    expect(after.peakMb).toBeLessThan(PEAK_RSS_BOUND_MB);
  });
});
