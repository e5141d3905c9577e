import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { QueueName, SYSTEM_ACTOR, type UserRole } from '@rasoat/contracts';
import { CampaignsService, signToken, UnitsService, type UnitSeed } from '@rasoat/engine';
import {
  deleteQueueKeys,
  FaultResources,
  pooled,
  sleep,
  startTestEngine,
  testQueuePrefix,
  testRedisUrl,
  within,
  type AppProcess,
  type PrivatePostgres,
  type TestEngine,
} from '@rasoat/testing';

/**
 * Fault 3 of "prove it at national scale": PostgreSQL stopped for 30 s. This test runs its own
 * embedded PostgreSQL (libs/local-services; not the shared server of the other test files), a
 * real API process and a real worker process against it (the shared Redis, a private queue
 * prefix). Events are accepted, some still pending; PostgreSQL is stopped (fast shutdown:
 * sessions terminated) and started again 30 s later on the same data directory and port.
 * While it is down the API must answer 503 with Retry-After, promptly (no request hanging on
 * the pool), and the worker must stay up, retrying; afterwards every event accepted before the
 * stop is applied exactly once, none refused during the outage exists, and new events are
 * accepted again.
 */

const PROVINCE = 'FP';
const COMMUNES = 2;
const VILLAGES_PER_COMMUNE = 5;
const OUTAGE_MS = 30_000;
/** A 503 must come back quickly: the API may not wait on the pool for a dead server. */
const PROMPT_MS = 5_000;
const JWT_SECRET = `faults-pg-${randomUUID()}`;

type Json = any;

function province(): UnitSeed[] {
  const units: UnitSeed[] = [{ code: PROVINCE, name: 'Tỉnh Thử PostgreSQL', level: 'province', parentCode: null }];
  for (let c = 1; c <= COMMUNES; c++) {
    const commune = `${PROVINCE}C${c}`;
    units.push({ code: commune, name: `Xã ${c}`, level: 'commune', parentCode: PROVINCE });
    for (let v = 1; v <= VILLAGES_PER_COMMUNE; v++)
      units.push({ code: `${commune}V${v}`, name: `Thôn ${v}`, level: 'village', parentCode: commune });
  }
  return units;
}

describe('fault: PostgreSQL stopped for 30 s', () => {
  const resources = new FaultResources();
  const prefix = testQueuePrefix();
  let pg: PrivatePostgres;
  let engine: (TestEngine & { dropDatabase(): Promise<void> }) | undefined;
  let api: AppProcess & { baseUrl: string };
  let worker: AppProcess;
  let campaignId: string;
  let cases: { id: string; villageCode: string; communeCode: string }[];

  const token = (role: UserRole, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role, unit }, JWT_SECRET, new Date());
  /** One HTTP call, with how long it took; a call that hangs past 15 s fails the test. */
  const call = async (
    method: string,
    path: string,
    bearer: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const started = Date.now();
    const res = await fetch(`${api.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json: Json;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: json, ms: Date.now() - started };
  };
  /** Queries on a fresh connection (this process keeps none open across the outage). */
  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: pg.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const count = async (sql: string, params: unknown[] = []) => Number((await query<{ n: string }>(sql, params))[0].n);

  const list = { householdCount: 3, fromPreviousLists: 2, newlyArising: 1, requests: 0 };
  const survey = { householdsSurveyed: 3, poorCount: 1, nearPoorCount: 1 };
  const meeting = {
    date: '2026-10-01',
    chair: 'Trưởng thôn',
    attendees: 30,
    opinionsGiven: 20,
    householdsPut: 2,
    householdsAgreed: 2,
  };
  const complaint = (k: string) => ({
    type: 'COMPLAINT_FILED',
    data: { householdRef: `H${k}`, summary: `Khiếu nại ${k}` },
  });
  /** Complaints accepted per case (202/200), to compare with the `openComplaints` counters. */
  const complaints = new Map<string, number>();
  const acceptedKeys = new Set<string>();

  async function send(
    c: { id: string; villageCode: string; communeCode: string },
    event: { type: string; data: unknown },
    key: string,
    role: UserRole = 'village_board',
  ) {
    // Each role from its own unit: the village board at the village, the commune committee at the commune.
    const res = await call(
      'POST',
      `/api/cases/${c.id}/events`,
      token(role, role === 'village_board' ? c.villageCode : c.communeCode),
      event,
      { 'Idempotency-Key': key },
    );
    if (res.status !== 202 && res.status !== 200)
      throw new Error(`POST ${event.type} for ${c.id} answered ${res.status}: ${JSON.stringify(res.body)}`);
    acceptedKeys.add(key);
    if (event.type === 'COMPLAINT_FILED') complaints.set(c.id, (complaints.get(c.id) ?? 0) + 1);
    return res;
  }

  beforeAll(async () => {
    pg = await resources.startPostgres('rasoat_faults');
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: pg.databaseUrl,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      JWT_SECRET,
      DEMO_SEED: 'false',
      PGAPPNAME: 'rasoat-faults',
    };
    // The API process migrates the new database at boot; the worker waits on the same lock.
    [api, worker] = await Promise.all([
      resources.startApi('api', { ...env, PGAPPNAME: 'rasoat-faults-api' }),
      resources.startWorker('worker', { ...env, PGAPPNAME: 'rasoat-faults-worker' }),
    ]);
    // This process only seeds the units (no HTTP route creates them) and opens the campaign.
    engine = await startTestEngine({
      worker: false,
      databaseUrl: pg.databaseUrl,
      queuePrefix: prefix,
      start: new Date(),
      config: { jwtSecret: JWT_SECRET },
    });
    await engine.get(UnitsService).upsertTree(province());
    campaignId = (
      await engine.get(CampaignsService).start(
        {
          provinceCode: PROVINCE,
          year: 2026,
          definitionKey: 'periodic-review@1',
          windowStart: '2026-09-01',
          windowEnd: '2026-12-31',
        },
        SYSTEM_ACTOR,
      )
    ).campaign.id;
    cases = (
      await query<{ id: string; village_code: string; commune_code: string }>(
        `select id, village_code, commune_code from review_case where campaign_id = $1 order by village_code`,
        [campaignId],
      )
    ).map((r) => ({ id: r.id, villageCode: r.village_code, communeCode: r.commune_code }));
    expect(cases).toHaveLength(COMMUNES * VILLAGES_PER_COMMUNE);
  }, 150_000);

  afterAll(async () => {
    if (engine) await within(engine.close(), 10_000);
    const problems = await resources.cleanup();
    await deleteQueueKeys(testRedisUrl(), prefix);
    if (problems.length > 0) console.warn(`[faults/postgres-outage] cleanup: ${problems.join('; ')}`);
  }, 90_000);

  async function diagnostics(): Promise<string> {
    const queue = engine?.get<Queue>(getQueueToken(QueueName.CaseEvents) as never);
    const jobs = await queue
      ?.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')
      .catch((e: Error) => e.message);
    const pending = await query(
      `select c.village_code, c.applied_seq, c.accepted_seq, count(e.id)::int as pending from review_case c join case_event e on e.case_id = c.id and e.status = 'pending' group by c.id order by 4 desc limit 10`,
    ).catch((e: Error) => e.message);
    return [
      `case-events jobs: ${JSON.stringify(jobs)}`,
      `cases with pending events: ${JSON.stringify(pending)}`,
      worker.tail(25),
      api.tail(15),
    ].join('\n');
  }

  async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (Date.now() > end)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await diagnostics()}`);
      await sleep(200);
    }
  }

  it('answers 503 with Retry-After while it is down, keeps the worker alive, and applies every accepted event once afterwards', async () => {
    const t0 = Date.now();
    const workerPid = worker.child.pid;
    const queue = (engine as TestEngine).get<Queue>(getQueueToken(QueueName.CaseEvents) as never);

    // Before: each village lists, surveys, meets (→ posting) and files 5 complaints; all applied.
    await pooled(cases, 10, async (c) => {
      await send(c, { type: 'REVIEW_LIST_SUBMITTED', data: list }, `pg-${c.id}-list`);
      await send(c, { type: 'SURVEY_COMPLETED', data: survey }, `pg-${c.id}-survey`);
      await send(c, { type: 'MEETING_HELD', data: meeting }, `pg-${c.id}-meeting`);
      for (let k = 0; k < 5; k++) await send(c, complaint(`a${k}`), `pg-${c.id}-a${k}`, 'commune_committee');
    });
    await until(
      'the first events to be applied',
      async () => (await count(`select count(*) as n from case_event where status = 'pending'`)) === 0,
      60_000,
    );

    // In flight: 10 more complaints per case accepted while the queue is paused (BullMQ: no
    // worker takes a job), so that they are still pending when the database goes away.
    await queue.pause();
    await pooled(cases, 10, async (c) => {
      for (let k = 0; k < 10; k++) await send(c, complaint(`b${k}`), `pg-${c.id}-b${k}`, 'commune_committee');
    });
    const pendingAtStop = await count(`select count(*) as n from case_event where status = 'pending'`);
    expect(pendingAtStop).toBe(cases.length * 10);
    const acceptedBeforeStop = acceptedKeys.size;

    // PostgreSQL stops (fast shutdown); the queue resumes: the worker's jobs now fail and retry.
    await pg.stop();
    const stoppedAt = Date.now();
    await queue.resume();

    // While it is down: 503 + Retry-After, promptly, for writes, reads and /health; the worker lives.
    const outage: { path: string; status: number; retryAfter: string | null; ms: number }[] = [];
    const refusedKeys: string[] = [];
    let probe = 0;
    while (Date.now() - stoppedAt < OUTAGE_MS - 2_000) {
      const c = cases[probe % cases.length];
      const key = `pg-${c.id}-outage-${probe++}`;
      const post = await call(
        'POST',
        `/api/cases/${c.id}/events`,
        token('commune_committee', c.communeCode),
        complaint(`o${probe}`),
        { 'Idempotency-Key': key },
      );
      refusedKeys.push(key);
      const get = await call('GET', `/api/cases/${c.id}`, token('commune_committee', c.communeCode));
      const healthStarted = Date.now();
      const health = await fetch(`${api.baseUrl}/health`, { signal: AbortSignal.timeout(15_000) });
      const healthMs = Date.now() - healthStarted;
      outage.push(
        { path: 'POST /api/cases/:id/events', status: post.status, retryAfter: post.retryAfter, ms: post.ms },
        { path: 'GET /api/cases/:id', status: get.status, retryAfter: get.retryAfter, ms: get.ms },
        { path: 'GET /health', status: health.status, retryAfter: health.headers.get('retry-after'), ms: healthMs },
      );
      expect(worker.alive()).toBe(true);
      expect(api.alive()).toBe(true);
      await sleep(2_000);
    }
    const slowest = Math.max(...outage.map((o) => o.ms));
    const unexpected = outage.filter((o) => o.status !== 503 || o.retryAfter === null || o.ms > PROMPT_MS);
    expect(unexpected).toEqual([]);
    expect(outage.length).toBeGreaterThanOrEqual(9);

    // PostgreSQL comes back after 30 s, on the same data directory and port.
    await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
    await pg.startAgain();
    const restartedAt = Date.now();
    expect(worker.alive()).toBe(true);
    expect(worker.child.pid).toBe(workerPid);

    // The worker resumes on its own (job retries with back-off, the sweeper's re-wakes): every
    // event accepted before the stop is applied, before any new event wakes a case. Meanwhile the
    // API reads again (its pool reconnects; the first attempts may still meet dead connections).
    let readingAt: number | undefined;
    const whileReconnecting: number[] = [];
    await until(
      'the events accepted before the stop to be applied',
      async () => {
        if (!readingAt) {
          const res = await call('GET', `/api/cases/${cases[0].id}`, token('commune_committee', cases[0].communeCode));
          if (res.status === 200) readingAt = Date.now();
          else whileReconnecting.push(res.status);
        }
        return (await count(`select count(*) as n from case_event where status = 'pending'`)) === 0;
      },
      90_000,
    );
    const drainedAt = Date.now();
    expect(whileReconnecting.filter((status) => status !== 503)).toEqual([]);

    // New events are accepted again, and applied.
    await pooled(cases, 10, async (c) => {
      for (let k = 0; k < 3; k++) await send(c, complaint(`c${k}`), `pg-${c.id}-c${k}`, 'commune_committee');
    });
    await until(
      'the events accepted after the outage to be applied',
      async () => (await count(`select count(*) as n from case_event where status = 'pending'`)) === 0,
      30_000,
    );
    console.log(
      `[faults/postgres-outage] ${acceptedBeforeStop} events accepted before the stop (${pendingAtStop} pending); PostgreSQL down ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s: ` +
        `${outage.length} probes, statuses ${JSON.stringify(countBy(outage.map((o) => `${o.status}${o.retryAfter ? ` Retry-After ${o.retryAfter}` : ''}`)))}, slowest ${slowest} ms; ` +
        `API reading again ${readingAt ? ((readingAt - restartedAt) / 1000).toFixed(1) : '?'} s after the restart; the pending events all applied ${((drainedAt - restartedAt) / 1000).toFixed(1)} s after it ` +
        `(${((Date.now() - t0) / 1000).toFixed(1)} s in all)`,
    );

    // Exactly once: every accepted event applied, one history entry per (case, seq), counters match.
    const total = acceptedKeys.size;
    expect(await query(`select status, count(*)::int as n from case_event group by status`)).toEqual([
      { status: 'applied', n: total },
    ]);
    expect(
      await query(
        `select count(*)::int as entries, count(distinct (case_id, seq))::int as distinct from case_history where seq is not null`,
      ),
    ).toEqual([{ entries: total, distinct: total }]);
    const keys = await query<{ key: string }>(`select idempotency_key as key from case_event`);
    expect(new Set(keys.map((k) => k.key))).toEqual(acceptedKeys);
    for (const key of refusedKeys) expect(acceptedKeys.has(key)).toBe(false); // a 503 wrote nothing
    const states = await query<{
      id: string;
      step: string;
      complaints: number;
      accepted_seq: number;
      applied_seq: number;
    }>(
      `select id, step, (snapshot->'context'->'counters'->>'openComplaints')::int as complaints, accepted_seq, applied_seq from review_case where campaign_id = $1`,
      [campaignId],
    );
    for (const s of states) {
      expect(s).toEqual({
        id: s.id,
        step: 'posting',
        complaints: complaints.get(s.id),
        accepted_seq: 3 + (complaints.get(s.id) ?? 0),
        applied_seq: 3 + (complaints.get(s.id) ?? 0),
      });
    }
    // The same processes as before the outage are still running.
    expect(worker.alive()).toBe(true);
    expect(worker.child.pid).toBe(workerPid);
    expect(api.alive()).toBe(true);
  }, 240_000);
});

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
