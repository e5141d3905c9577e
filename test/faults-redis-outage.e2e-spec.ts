import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { QueueName, SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken, UnitsService, type UnitSeed } from '@rasoat/engine';
import {
  FaultResources,
  sleep,
  startTestEngine,
  stopApp,
  within,
  type AppProcess,
  type PrivateRedis,
  type TestEngine,
} from '@rasoat/testing';

/**
 * Fault 4: Redis hangs (SIGSTOP: connections open, nothing answered) or is down, under a real API
 * process and a real worker process (`apps/api`, `apps/worker`) with their own redis-server. An
 * event is committed in PostgreSQL before its wake-up is enqueued, so the API must answer it at
 * once (202, the receipt stands) instead of waiting for Redis; the worker's sweeper wakes the
 * case once Redis is back; and SIGTERM ends both processes within a bounded time while Redis
 * still hangs. "At once" is not measured: a request that does not answer within 15 s fails.
 */

const PROVINCE = 'FQ';
const VILLAGES = 6;
const JWT_SECRET = `faults-redis-outage-${randomUUID()}`;
/** Longer than any bound the processes keep (Redis commands 2 s, shutdown 10 s): only a hang reaches it. */
const NO_ANSWER_MS = 15_000;

type Json = any;

function province(): UnitSeed[] {
  const units: UnitSeed[] = [
    { code: PROVINCE, name: 'Tỉnh Thử Redis treo', level: 'province', parentCode: null },
    { code: `${PROVINCE}C1`, name: 'Xã 1', level: 'commune', parentCode: PROVINCE },
  ];
  for (let v = 1; v <= VILLAGES; v++)
    units.push({ code: `${PROVINCE}C1V${v}`, name: `Thôn ${v}`, level: 'village', parentCode: `${PROVINCE}C1` });
  return units;
}

describe('fault: Redis hangs or is down under a real API and worker', () => {
  const resources = new FaultResources();
  let redis: PrivateRedis;
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let api: AppProcess & { baseUrl: string };
  let worker: AppProcess;
  let cases: { id: string; village: string }[];
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const statusOf = async (eventId: string) =>
    (await sql<{ status: string }>(`select status from case_event where id = ?`, [eventId]))[0]?.status;

  /** POST an event; a request that gets no answer within NO_ANSWER_MS fails the test with the API's last lines. */
  async function submit(
    c: { id: string; village: string },
    key: string,
    query = '',
  ): Promise<{ status: number; body: Json }> {
    try {
      const res = await fetch(`${api.baseUrl}/api/cases/${c.id}/events${query}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${signToken({ sub: `board@${c.village}`, role: 'village_board', unit: c.village }, JWT_SECRET, new Date())}`,
          'idempotency-key': `redis-outage-${key}`,
        },
        body: JSON.stringify({
          type: 'REVIEW_LIST_SUBMITTED',
          data: { householdCount: 3, fromPreviousLists: 2, newlyArising: 1, requests: 0 },
        }),
        signal: AbortSignal.timeout(NO_ANSWER_MS),
      });
      return { status: res.status, body: (await res.json()) as Json };
    } catch (e) {
      throw new Error(
        `POST /api/cases/${c.id}/events${query}: no answer within ${NO_ANSWER_MS} ms (${(e as Error).message})\n${api.tail(15)}`,
      );
    }
  }

  /** How long things took, printed at the end (not asserted: the machine may be slow). */
  const took: Record<string, number> = {};
  async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await run();
    } finally {
      took[what] = Date.now() - started;
    }
  }

  async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${worker.tail(20)}\n${api.tail(10)}`);
      await sleep(200);
    }
  }

  beforeAll(async () => {
    redis = await resources.startRedis();
    engine = await startTestEngine({
      worker: false,
      start: new Date(),
      config: { redisUrl: redis.url, jwtSecret: JWT_SECRET },
    });
    // This process's queues lose Redis on purpose: without a listener BullMQ prints each error.
    for (const name of Object.values(QueueName))
      engine.get<Queue>(getQueueToken(name) as never).on('error', () => undefined);
    await engine.get(UnitsService).upsertTree(province());
    const { campaign } = await engine.get(CampaignsService).start(
      {
        provinceCode: PROVINCE,
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-31',
      },
      SYSTEM_ACTOR,
    );
    cases = (
      await sql<{ id: string; village_code: string }>(
        `select id, village_code from review_case where campaign_id = ? order by village_code`,
        [campaign.id],
      )
    ).map((r) => ({ id: r.id, village: r.village_code }));
    expect(cases).toHaveLength(VILLAGES);
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: engine.config.databaseUrl,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: engine.config.queuePrefix,
      JWT_SECRET,
      // The sweeper that wakes cases whose events wait (worker.staleEventSeconds, 10 s) runs every 2 s.
      WORKER_SWEEP_INTERVAL_SECONDS: '2',
      DEMO_SEED: 'false',
    };
    [api, worker] = await Promise.all([resources.startApi('api', env), resources.startWorker('worker', env)]);
  }, 180_000);

  afterAll(async () => {
    redis?.resume();
    for (const p of resources.processes) await stopApp(p);
    if (engine) await within(engine.close(), 10_000);
    const problems = await resources.cleanup();
    await engine?.dropDatabase();
    if (problems.length > 0) console.warn(`[faults/redis-outage] cleanup: ${problems.join('; ')}`);
  }, 60_000);

  it('answers events 202 while Redis hangs, keeps them in PostgreSQL, and applies them once it answers again', async () => {
    // Redis answering: accepted, enqueued and applied.
    const before = await submit(cases[0], 'before');
    expect(before.status).toBe(202);
    await until(
      'the first event to be applied',
      async () => (await statusOf(before.body.eventId)) === 'applied',
      30_000,
    );

    redis.pause();
    const hung = await timed('POST while Redis hangs', () => submit(cases[1], 'hung'));
    expect(hung.status).toBe(202);
    expect(hung.body).toMatchObject({ status: 'pending', replayed: false });
    // ?wait= polls PostgreSQL only: it answers after its wait, still pending.
    const waited = await timed('POST ?wait=1000 while Redis hangs', () => submit(cases[2], 'hung-wait', '?wait=1000'));
    expect(waited.status).toBe(202);
    expect(waited.body.status).toBe('pending');
    // The same request again: the same receipt, nothing recorded twice.
    expect((await submit(cases[1], 'hung')).body).toMatchObject({ eventId: hung.body.eventId, replayed: true });
    expect([await statusOf(hung.body.eventId), await statusOf(waited.body.eventId)]).toEqual(['pending', 'pending']);
    const health = await timed('GET /health while Redis hangs', () =>
      fetch(`${api.baseUrl}/health`, { signal: AbortSignal.timeout(NO_ANSWER_MS) }),
    );
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'degraded', database: 'up', redis: 'down' });
    expect(api.alive()).toBe(true);
    expect(worker.alive()).toBe(true);

    redis.resume();
    await timed('applied after Redis answers again', () =>
      until(
        'the events accepted while Redis hung to be applied',
        async () =>
          (await statusOf(hung.body.eventId)) === 'applied' && (await statusOf(waited.body.eventId)) === 'applied',
        90_000,
      ),
    );
    expect(
      await sql(`select count(*)::int as n from case_event where case_id = any(string_to_array(?, ',')::uuid[])`, [
        `${cases[1].id},${cases[2].id}`,
      ]),
    ).toEqual([{ n: 2 }]);
  }, 180_000);

  it('answers events 202 while Redis is down, and applies them once it is back (empty)', async () => {
    await redis.shutdownNoSave();
    const down = await timed('POST while Redis is down', () => submit(cases[3], 'down'));
    expect(down.status).toBe(202);
    expect(await statusOf(down.body.eventId)).toBe('pending');
    await redis.startAgain();
    await timed('applied after Redis is back', () =>
      until(
        'the event accepted while Redis was down to be applied',
        async () => (await statusOf(down.body.eventId)) === 'applied',
        90_000,
      ),
    );
    // And the API enqueues again: a new event is applied without waiting for the sweeper's delay.
    const after = await submit(cases[4], 'after');
    expect(after.status).toBe(202);
    await until(
      'an event accepted after the outage to be applied',
      async () => (await statusOf(after.body.eventId)) === 'applied',
      30_000,
    );
  }, 180_000);

  it('ends the API and the worker on SIGTERM within a bounded time while Redis hangs, with exit code 124', async () => {
    redis.pause();
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    const [apiExit, workerExit] = await Promise.all([
      timed('API exit after SIGTERM', () => within(api.exited, 45_000)),
      timed('worker exit after SIGTERM', () => within(worker.exited, 45_000)),
    ]);
    redis.resume();
    console.log(
      `[faults/redis-outage] ${Object.entries(took)
        .map(([what, ms]) => `${what}: ${(ms / 1000).toFixed(1)} s`)
        .join('; ')}`,
    );
    expect({ api: apiExit, worker: workerExit }).toEqual({
      api: { code: 124, signal: null },
      worker: { code: 124, signal: null },
    });
    expect(api.output.some((l) => l.includes('not closed after 10000 ms'))).toBe(true);
  }, 120_000);
});
