import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import type { UserRole as Role } from '@rasoat/contracts';
import { signToken, UnitsService, type UnitSeed } from '@rasoat/engine';
import { eventually, freePort, pooled, startTestEngine, type TestEngine } from '@rasoat/testing';

/**
 * The production shape on one machine: two API processes and two worker processes (the real
 * entry points, `node scripts/run.js apps/…/src/main.ts`, NODE_ENV=production) against one
 * database and one queue prefix. Events for the same cases go to both APIs — the second copy
 * of each complaint races the first through the other API under the same Idempotency-Key — and
 * every accepted event must be applied exactly once, whichever worker drained its case.
 */

const ROOT = resolve(__dirname, '..');
const JWT_SECRET = `scale-out-${randomUUID()}`;
const PROVINCE = 'S1';
const DISTRICTS = 2;
const COMMUNES_PER_DISTRICT = 2;
const VILLAGES_PER_COMMUNE = 10;
const COMPLAINTS = 12;
const IN_FLIGHT = 40;

// Response bodies are read loosely; their shape is what the assertions check.
type Json = any;

interface Proc {
  name: string;
  child: ChildProcess;
  /** The last lines it wrote, for error messages. */
  output: string[];
  exited: Promise<number | null>;
}

interface Api extends Proc {
  baseUrl: string;
}

interface Worker extends Proc {
  /** Its own GET /metrics listener (WORKER_METRICS_PORT), on loopback. */
  metricsUrl: string;
}

/** Every child started by this file, whatever became of it: afterAll stops them all. */
const spawned: Proc[] = [];

function spawnProcess(name: string, entry: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [resolve(ROOT, 'scripts/run.js'), entry], {
    cwd: ROOT,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const proc = { name, child, output, exited };
  spawned.push(proc);
  return proc;
}

/** The worker's `rasoat_events_applied_total` counters: events this process marked applied or rejected. */
async function eventsProcessed(w: Worker): Promise<{ applied: number; rejected: number }> {
  const text = await (await fetch(w.metricsUrl)).text();
  const value = (outcome: string) =>
    Number(new RegExp(`^rasoat_events_applied_total\\{outcome="${outcome}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { applied: value('applied'), rejected: value('rejected') };
}

const tail = (p: Proc) => `${p.name} said:\n  ${p.output.slice(-15).join('\n  ')}`;

/** Resolves when `ready` does; rejects with the process's last lines when it exits first or times out. */
async function readyOrDead(p: Proc, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let dead = false;
  void p.exited.then(() => (dead = true));
  for (;;) {
    if (dead) throw new Error(`${p.name} exited during start (code ${p.child.exitCode})\n${tail(p)}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`${p.name} not ready after ${timeoutMs} ms\n${tail(p)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 5_000);
  await p.exited;
  clearTimeout(timer);
}

function province(): UnitSeed[] {
  const units: UnitSeed[] = [{ code: PROVINCE, name: 'Tỉnh Mở Rộng', level: 'province', parentCode: null }];
  for (let d = 1; d <= DISTRICTS; d++) {
    const district = `${PROVINCE}D${d}`;
    units.push({ code: district, name: `Huyện ${d}`, level: 'district', parentCode: PROVINCE });
    for (let c = 1; c <= COMMUNES_PER_DISTRICT; c++) {
      const commune = `${district}C${c}`;
      units.push({ code: commune, name: `Xã ${d}.${c}`, level: 'commune', parentCode: district });
      for (let v = 1; v <= VILLAGES_PER_COMMUNE; v++)
        units.push({
          code: `${commune}V${String(v).padStart(2, '0')}`,
          name: `Thôn ${v}`,
          level: 'village',
          parentCode: commune,
        });
    }
  }
  return units;
}

describe('two API processes and two worker processes on one database and one queue prefix', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let db: Client;
  let prefix: string;
  const apis: Api[] = [];
  const workers: Worker[] = [];
  const token = (role: Role, unit: string) => signToken({ sub: `${role}@${unit}`, role, unit }, JWT_SECRET, new Date());
  const call = async (
    api: Api,
    method: string,
    path: string,
    bearer: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${api.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await db.query<{ n: string }>(sql, params)).rows[0].n);

  beforeAll(async () => {
    // This process only seeds the units (no HTTP route creates them) and owns the database.
    engine = await startTestEngine({ worker: false });
    await engine.get(UnitsService).upsertTree(province());
    prefix = engine.config.queuePrefix;
    db = new Client({ connectionString: engine.config.databaseUrl });
    await db.connect();

    const common = {
      NODE_ENV: 'production',
      DATABASE_URL: engine.config.databaseUrl as string,
      REDIS_URL: engine.config.redisUrl as string,
      QUEUE_PREFIX: prefix,
      JWT_SECRET,
      DEMO_SEED: 'false',
      WORKER_CONCURRENCY: '8',
    };
    const startApi = async (name: string): Promise<Api> => {
      // apps/api logs the configured port, not the bound one, so PORT=0 cannot be discovered:
      // take a free port, and another one if a concurrent process won the race for it.
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        const baseUrl = `http://127.0.0.1:${port}`;
        // PGAPPNAME names the process's sessions in pg_stat_activity (node-postgres reads it).
        const p = spawnProcess(name, 'apps/api/src/main.ts', {
          ...common,
          PORT: String(port),
          PUBLIC_URL: baseUrl,
          PGAPPNAME: name,
        });
        try {
          await readyOrDead(p, async () => (await fetch(`${baseUrl}/health`)).status === 200, 60_000);
          return { ...p, baseUrl };
        } catch (e) {
          if (attempt < 3 && p.output.some((l) => l.includes('EADDRINUSE'))) continue;
          throw e;
        }
      }
    };
    const startWorker = async (name: string): Promise<Worker> => {
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        const metricsUrl = `http://127.0.0.1:${port}/metrics`;
        const p = spawnProcess(name, 'apps/worker/src/main.ts', {
          ...common,
          WORKER_METRICS_PORT: String(port),
          PGAPPNAME: name,
        });
        try {
          await readyOrDead(
            p,
            async () => p.output.some((l) => l.includes('worker started')) && (await fetch(metricsUrl)).status === 200,
            60_000,
          );
          return { ...p, metricsUrl };
        } catch (e) {
          if (attempt < 3 && p.output.some((l) => l.includes('EADDRINUSE'))) continue;
          throw e;
        }
      }
    };
    // All four start at once: migrations and definition publishing serialise on advisory locks.
    const started = await Promise.allSettled([
      startApi('rasoat-api-1'),
      startApi('rasoat-api-2'),
      startWorker('rasoat-worker-1'),
      startWorker('rasoat-worker-2'),
    ]);
    for (const s of started.slice(0, 2)) if (s.status === 'fulfilled') apis.push(s.value as Api);
    for (const s of started.slice(2)) if (s.status === 'fulfilled') workers.push(s.value as Worker);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(spawned.map(stop));
    await db?.end();
    await engine?.close();
    await engine?.dropDatabase();
    if (prefix) {
      const redis = new Redis(engine.config.redisUrl as string, { lazyConnect: true });
      try {
        await redis.connect();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    }
  }, 30_000);

  it('both APIs answer /health and share one database', async () => {
    for (const api of apis)
      expect(await (await fetch(`${api.baseUrl}/health`)).json()).toEqual({
        status: 'ok',
        database: 'up',
        redis: 'up',
      });
  });

  it('applies every event accepted by either API exactly once, with both workers draining', async () => {
    const [api1, api2] = apis;
    const admin = token('province_admin', PROVINCE);
    const started = await call(api1, 'POST', '/api/campaigns', admin, {
      provinceCode: PROVINCE,
      year: 2026,
      definitionKey: 'periodic-review@1',
      windowStart: '2026-09-01',
      windowEnd: '2026-12-14',
    });
    expect(started.status).toBe(201);
    const campaignId: string = started.body.campaign.id;
    const villages = DISTRICTS * COMMUNES_PER_DISTRICT * VILLAGES_PER_COMMUNE;
    expect(started.body.casesCreated).toBe(villages);
    // The cases, listed through the other API.
    const listed = await call(
      api2,
      'GET',
      `/api/campaigns/${campaignId}/cases?unit=${PROVINCE}&limit=500`,
      token('province_committee', PROVINCE),
    );
    expect(listed.status).toBe(200);
    const cases: { id: string; villageCode: string; communeCode: string }[] = listed.body;
    expect(cases).toHaveLength(villages);

    // Four kinds of village: stopped at survey (plus an event the step refuses), at meeting,
    // and two at posting with COMPLAINTS complaints each, every complaint sent to both APIs
    // at once under one Idempotency-Key.
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
    const expected = new Map<
      string,
      { events: number; applied: number; rejected: number; step: string; complaints: number }
    >();
    const perApi = [0, 0];
    const races: { first: Json; second: Json }[] = [];
    const send = async (
      api: number,
      caseId: string,
      type: string,
      data: unknown,
      key: string,
      role: Role,
      unit: string,
    ) => {
      perApi[api]++;
      const res = await call(
        apis[api],
        'POST',
        `/api/cases/${caseId}/events`,
        token(role, unit),
        { type, data },
        { 'Idempotency-Key': key },
      );
      if (res.status !== 202 && res.status !== 200)
        throw new Error(
          `${apis[api].name} answered ${res.status} to ${type} for ${caseId}: ${JSON.stringify(res.body)}\n${tail(apis[api])}`,
        );
      return res.body;
    };
    const t0 = Date.now();
    await pooled(cases, IN_FLIGHT, async (c, i) => {
      const kind = i % 4;
      const events: [string, unknown][] = [['REVIEW_LIST_SUBMITTED', list]];
      if (kind >= 1) events.push(['SURVEY_COMPLETED', survey]);
      if (kind >= 2) events.push(['MEETING_HELD', meeting]);
      if (kind === 0) events.push(['MEETING_HELD', meeting]); // not allowed in survey: rejected by the worker
      // In order, each to the other API than the previous one.
      for (const [j, [type, data]] of events.entries())
        await send((i + j) % 2, c.id, type, data, `so-${c.id}-${j}`, 'village_board', c.villageCode);
      if (kind >= 2) {
        const keys = Array.from({ length: COMPLAINTS }, (_, k) => k);
        await pooled(keys, 4, async (k) => {
          const key = `so-${c.id}-complaint-${k}`;
          const data = { householdRef: `H${k}`, summary: `Khiếu nại ${k}` };
          const [first, second] = await Promise.all(
            [0, 1].map((api) => send(api, c.id, 'COMPLAINT_FILED', data, key, 'commune_committee', c.communeCode)),
          );
          races.push({ first, second });
        });
      }
      const total = events.length + (kind >= 2 ? COMPLAINTS : 0);
      expected.set(c.id, {
        events: total,
        applied: kind === 0 ? 1 : total,
        rejected: kind === 0 ? 1 : 0,
        step: ['survey', 'meeting', 'posting', 'posting'][kind],
        complaints: kind >= 2 ? COMPLAINTS : 0,
      });
    });
    const acceptedMs = Date.now() - t0;
    const totalEvents = [...expected.values()].reduce((s, e) => s + e.events, 0);

    await eventually(
      async () => (await count(`select count(*) as n from case_event where status = 'pending'`)) === 0,
      45_000,
      'every accepted event to be processed',
    );
    const drainedMs = Date.now() - t0;

    // Both APIs took requests; a raced complaint was recorded once, and both copies name it.
    expect(perApi[0]).toBeGreaterThan(totalEvents / 3);
    expect(perApi[1]).toBeGreaterThan(totalEvents / 3);
    for (const { first, second } of races) {
      expect(second.eventId).toBe(first.eventId);
      expect(second.seq).toBe(first.seq);
      expect([first.replayed, second.replayed].filter((r) => r === false)).toHaveLength(1);
    }

    // Every accepted event processed exactly once: outcomes, history (one entry per applied event;
    // a refusal stays on its event row), sequence numbers, counters.
    const applied = [...expected.values()].reduce((s, e) => s + e.applied, 0);
    const rejected = [...expected.values()].reduce((s, e) => s + e.rejected, 0);
    const outcomes = (
      await db.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from case_event group by status order by status`,
      )
    ).rows;
    expect(outcomes).toEqual([
      { status: 'applied', n: applied },
      { status: 'rejected', n: rejected },
    ]);
    expect(
      await count(
        `select count(*) as n from case_event e join review_case c on c.id = e.case_id where c.campaign_id = $1`,
        [campaignId],
      ),
    ).toBe(totalEvents);
    const history = (
      await db.query<{ entries: number; distinct: number }>(
        `select count(*)::int as entries, count(distinct (case_id, seq))::int as distinct from case_history where seq is not null`,
      )
    ).rows[0];
    expect(history).toEqual({ entries: applied, distinct: applied });
    const states = (
      await db.query<{
        id: string;
        step: string;
        complaints: number | null;
        accepted_seq: number;
        applied_seq: number;
        events: number;
        history: number;
      }>(
        `select c.id, c.step, (c.snapshot->'context'->'counters'->>'openComplaints')::int as complaints, c.accepted_seq, c.applied_seq,
                (select count(*)::int from case_event e where e.case_id = c.id) as events,
                (select count(*)::int from case_history h where h.case_id = c.id and h.seq is not null) as history
         from review_case c where c.campaign_id = $1`,
        [campaignId],
      )
    ).rows;
    expect(states).toHaveLength(villages);
    for (const s of states) {
      const e = expected.get(s.id);
      expect({
        id: s.id,
        step: s.step,
        complaints: s.complaints ?? 0,
        accepted: s.accepted_seq,
        applied: s.applied_seq,
        events: s.events,
        history: s.history,
      }).toEqual({
        id: s.id,
        step: e?.step,
        complaints: e?.complaints,
        accepted: e?.events,
        applied: e?.events,
        events: e?.events,
        history: e?.applied,
      });
    }

    // Progress read through API #2 (counters) equals a recount over the cases.
    const progress = await call(
      api2,
      'GET',
      `/api/progress?unit=${PROVINCE}&campaign=${campaignId}`,
      token('province_committee', PROVINCE),
    );
    expect(progress.status).toBe(200);
    const byStep = async (where: string, params: unknown[]) =>
      Object.fromEntries(
        (
          await db.query<{ step: string; n: number }>(
            `select c.step, count(*)::int as n from review_case c join admin_unit cm on cm.code = c.commune_code where c.campaign_id = $1 ${where} group by c.step`,
            [campaignId, ...params],
          )
        ).rows.map((r) => [r.step, r.n]),
      );
    const nonZero = (counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
    expect(nonZero(progress.body.totals.byStep)).toEqual(await byStep('', []));
    expect(progress.body.totals.cases).toBe(villages);
    const finished = Object.fromEntries(
      (
        await db.query<{ stage: number; n: number }>(
          `select s as stage, count(*)::int as n from review_case c, generate_series(2, c.max_stage) s where c.campaign_id = $1 group by s`,
          [campaignId],
        )
      ).rows.map((r) => [String(r.stage - 1), r.n]),
    );
    expect(progress.body.totals.finishedStage).toEqual(finished);
    expect(progress.body.children).toHaveLength(DISTRICTS);
    for (const child of progress.body.children)
      expect(nonZero(child.byStep)).toEqual(await byStep('and cm.parent_code = $2', [child.code]));
    // Progress read through API #1 says the same.
    expect(
      (
        await call(
          api1,
          'GET',
          `/api/progress?unit=${PROVINCE}&campaign=${campaignId}`,
          token('province_committee', PROVINCE),
        )
      ).body,
    ).toEqual(progress.body);

    // A replay through the other API after the fact returns the first outcome and adds nothing.
    await pooled(cases, IN_FLIGHT, async (c, i) => {
      const replay = await call(
        apis[(i + 1) % 2],
        'POST',
        `/api/cases/${c.id}/events`,
        token('village_board', c.villageCode),
        { type: 'REVIEW_LIST_SUBMITTED', data: list },
        { 'Idempotency-Key': `so-${c.id}-0` },
      );
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({ seq: 1, status: 'applied', replayed: true });
    });
    expect(await count(`select count(*) as n from case_event`)).toBe(totalEvents);

    // Each worker's own counter (GET /metrics on WORKER_METRICS_PORT): both drained cases, and
    // together they processed every event once.
    const processed = await Promise.all(workers.map(async (w) => ({ name: w.name, ...(await eventsProcessed(w)) })));
    for (const p of processed) expect(p.applied + p.rejected).toBeGreaterThan(0);
    expect(processed.reduce((s, p) => s + p.applied, 0)).toBe(applied);
    expect(processed.reduce((s, p) => s + p.rejected, 0)).toBe(rejected);
    console.log(
      `[scale-out] ${cases.length} cases, ${totalEvents} events (${perApi[0] + perApi[1]} requests) accepted in ${acceptedMs} ms, all processed after ${drainedMs} ms; events per worker: ${processed.map((p) => `${p.name} ${p.applied + p.rejected}`).join(', ')}`,
    );
  }, 120_000);
});
