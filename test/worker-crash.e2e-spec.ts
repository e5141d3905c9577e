import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR, type Actor } from '@rasoat/contracts';
import { CampaignsService, CaseAcceptanceService } from '@rasoat/engine';
import { eventually, startTestEngine, type TestEngine } from '@rasoat/testing';

const ROOT = resolve(__dirname, '..');

/** A real worker process (the production entry point) against this test's database and queues. */
function startWorker(engine: TestEngine): ChildProcess {
  const child = spawn(process.execPath, [resolve(ROOT, 'scripts/run.js'), 'apps/worker/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: engine.config.databaseUrl,
      REDIS_URL: engine.config.redisUrl,
      QUEUE_PREFIX: engine.config.queuePrefix,
      JWT_SECRET: engine.config.jwtSecret,
      WORKER_CONCURRENCY: '16',
      DEMO_SEED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', () => undefined);
  child.stdout?.on('data', () => undefined);
  return child;
}

describe('a worker killed with SIGKILL while events are in flight', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    // This process only accepts events; separate worker processes apply them.
    engine = await startTestEngine({ worker: false });
    await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-14',
      },
      SYSTEM_ACTOR,
    );
  });

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('applies every accepted event exactly once after a restart', async () => {
    const em = engine.get(EntityManager).fork();
    const cases = await em.execute<{ id: string; commune_code: string }[]>(
      'select id, commune_code from review_case order by village_code',
    );
    const accept = engine.get(CaseAcceptanceService);
    // Every case gets the same legal run: list, survey, meeting (→ posting), then 200 complaints,
    // each of which increments a counter — so a double application would show in the count.
    const script = (communeCode: string): [Actor, string, Record<string, unknown>][] => {
      const board: Actor = { sub: `b-${communeCode}`, role: 'village_board', unit: communeCode };
      const commune: Actor = { sub: `c-${communeCode}`, role: 'commune_committee', unit: communeCode };
      const steps: [Actor, string, Record<string, unknown>][] = [
        [board, 'REVIEW_LIST_SUBMITTED', { householdCount: 3, fromPreviousLists: 2, newlyArising: 1, requests: 0 }],
        [board, 'SURVEY_COMPLETED', { householdsSurveyed: 3, poorCount: 1, nearPoorCount: 1 }],
        [
          board,
          'MEETING_HELD',
          {
            date: '2026-10-01',
            chair: 'Trưởng thôn',
            attendees: 30,
            opinionsGiven: 20,
            householdsPut: 2,
            householdsAgreed: 2,
          },
        ],
      ];
      for (let i = 0; i < 200; i++)
        steps.push([commune, 'COMPLAINT_FILED', { householdRef: `H${i}`, summary: `Khiếu nại ${i}` }]);
      return steps;
    };

    workers.push(startWorker(engine));
    let accepted = 0;
    const sending = (async () => {
      for (const c of cases) {
        for (const [i, [actor, type, data]] of script(c.commune_code).entries()) {
          await accept.accept(c.id, { type, data }, actor, `crash-${c.id}-${i}`);
          accepted++;
        }
      }
    })();
    // Kill the worker once it has applied some, but not all, of the events.
    await eventually(
      async () => {
        const [{ n }] = await em.execute<{ n: number }[]>(
          `select count(*)::int as n from case_event where status = 'applied'`,
        );
        return n >= 100 ? n : undefined;
      },
      60_000,
      'the first worker to apply 100 events',
    );
    workers[0].kill('SIGKILL');
    await new Promise((r) => workers[0].once('exit', r));
    await sending;
    const total = cases.length * script('x').length;
    expect(accepted).toBe(total);
    const [{ pending }] = await em.execute<{ pending: number }[]>(
      `select count(*)::int as pending from case_event where status = 'pending'`,
    );
    expect(pending).toBeGreaterThan(0);

    workers.push(startWorker(engine), startWorker(engine));
    await eventually(
      async () => {
        const [{ n }] = await em.execute<{ n: number }[]>(
          `select count(*)::int as n from case_event where status = 'pending'`,
        );
        return n === 0;
      },
      120_000,
      'every accepted event to be processed',
    );

    const outcomes = await em.execute<{ status: string; n: number }[]>(
      `select status, count(*)::int as n from case_event group by status`,
    );
    expect(outcomes).toEqual([{ status: 'applied', n: total }]);
    // Exactly once: one history entry per event sequence number, and counters that match the events.
    const [{ entries, distinct }] = await em.execute<{ entries: number; distinct: number }[]>(
      `select count(*)::int as entries, count(distinct (case_id, seq))::int as distinct from case_history where seq is not null`,
    );
    expect(entries).toBe(total);
    expect(distinct).toBe(total);
    const states = await em.execute<{ step: string; complaints: number; applied_seq: number }[]>(
      `select step, (snapshot->'context'->'counters'->>'openComplaints')::int as complaints, applied_seq from review_case`,
    );
    for (const s of states) expect(s).toEqual({ step: 'posting', complaints: 200, applied_seq: 203 });
  }, 240_000);
});
