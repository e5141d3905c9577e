import { getQueueToken } from '@nestjs/bullmq';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { QueueName, SYSTEM_ACTOR, type Actor } from '@rasoat/contracts';
import { CampaignsService, CaseAcceptanceService, UnitsService, type UnitSeed } from '@rasoat/engine';
import {
  deleteQueueKeys,
  FaultResources,
  pooled,
  sleep,
  startTestEngine,
  waitForLine,
  type AppProcess,
  type TestEngine,
} from '@rasoat/testing';

/**
 * Fault 1 of "prove it at national scale": a worker process killed with SIGKILL while 10,000
 * events are in flight. 50 villages × 200 events (list, survey, meeting, then 197 complaints;
 * COMPLAINT_FILED increments `openComplaints`, so an event applied twice would show) are
 * accepted through CaseAcceptanceService in this process; then a real worker process
 * (`apps/worker/src/main.ts`) applies them and is killed with -9 once 1,000 are applied (about
 * 9,000 still pending, 16 jobs active); two new workers take over, and every accepted event must
 * be applied exactly once.
 */

const PROVINCE = 'FK';
const COMMUNES = 5;
const VILLAGES_PER_COMMUNE = 10;
const COMPLAINTS = 197;
const EVENTS_PER_CASE = 3 + COMPLAINTS;
const KILL_AFTER_APPLIED = 1_000;
/** Cases sending their events at once (each case's own events go in order). */
const LANES = 25;

function province(): UnitSeed[] {
  const units: UnitSeed[] = [{ code: PROVINCE, name: 'Tỉnh Thử Lỗi', level: 'province', parentCode: null }];
  for (let c = 1; c <= COMMUNES; c++) {
    const commune = `${PROVINCE}C${c}`;
    units.push({ code: commune, name: `Xã ${c}`, level: 'commune', parentCode: PROVINCE });
    for (let v = 1; v <= VILLAGES_PER_COMMUNE; v++)
      units.push({
        code: `${commune}V${String(v).padStart(2, '0')}`,
        name: `Thôn ${v}`,
        level: 'village',
        parentCode: commune,
      });
  }
  return units;
}

describe('fault: a worker killed with SIGKILL while 10,000 events are in flight', () => {
  const resources = new FaultResources();
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let campaignId: string;
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const count = async (query: string, params: unknown[] = []) => (await sql<{ n: number }>(query, params))[0].n;

  beforeAll(async () => {
    // This process only accepts events (worker: false); worker processes apply them. Its clock
    // is the real time, like theirs.
    engine = await startTestEngine({ worker: false, start: new Date() });
    await engine.get(UnitsService).upsertTree(province());
    const started = await engine.get(CampaignsService).start(
      {
        provinceCode: PROVINCE,
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-31',
      },
      SYSTEM_ACTOR,
    );
    campaignId = started.campaign.id;
    expect(started.casesCreated).toBe(COMMUNES * VILLAGES_PER_COMMUNE);
  }, 60_000);

  afterAll(async () => {
    const problems = await resources.cleanup();
    await engine?.close();
    await engine?.dropDatabase();
    if (engine) await deleteQueueKeys(engine.config.redisUrl as string, engine.config.queuePrefix);
    if (problems.length > 0) console.warn(`[faults/worker-kill] cleanup: ${problems.join('; ')}`);
  }, 60_000);

  /** What is left when something takes too long: queue counts, pending events per case, the workers' last lines. */
  async function diagnostics(workers: AppProcess[]): Promise<string> {
    const queue = engine.get<Queue>(getQueueToken(QueueName.CaseEvents) as never);
    const jobs = await queue
      .getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children')
      .catch((e: Error) => e.message);
    const pending = await sql<{ village_code: string; applied_seq: number; accepted_seq: number; pending: number }>(
      `select c.village_code, c.applied_seq, c.accepted_seq, count(e.id)::int as pending
       from review_case c join case_event e on e.case_id = c.id and e.status = 'pending' group by c.id order by pending desc limit 15`,
    );
    const failed = (await queue.getFailed(0, 4).catch(() => [])).map((j) => `${j.id}: ${j.failedReason}`);
    return [
      `case-events jobs: ${JSON.stringify(jobs)}`,
      `cases with pending events (top 15): ${JSON.stringify(pending)}`,
      `failed jobs: ${JSON.stringify(failed)}`,
      ...workers.map((w) => w.tail(15)),
    ].join('\n');
  }

  it('applies each of the 10,000 accepted events exactly once across a kill -9 and two new workers', async () => {
    const t0 = Date.now();
    const workerEnv = {
      NODE_ENV: 'test',
      DATABASE_URL: engine.config.databaseUrl,
      REDIS_URL: engine.config.redisUrl,
      QUEUE_PREFIX: engine.config.queuePrefix,
      JWT_SECRET: engine.config.jwtSecret,
      WORKER_CONCURRENCY: '16',
      DEMO_SEED: 'false',
    };
    const cases = await sql<{ id: string; village_code: string; commune_code: string }>(
      `select id, village_code, commune_code from review_case where campaign_id = ? order by village_code`,
      [campaignId],
    );
    const accept = engine.get(CaseAcceptanceService);
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
      for (let i = 0; i < COMPLAINTS; i++)
        steps.push([commune, 'COMPLAINT_FILED', { householdRef: `H${i}`, summary: `Khiếu nại ${i}` }]);
      return steps;
    };

    // All 10,000 are accepted while the first worker boots, with the case-events queue paused
    // (BullMQ: no worker takes a job), so that every one of them is in flight when it runs.
    const queue = engine.get<Queue>(getQueueToken(QueueName.CaseEvents) as never);
    await queue.pause();
    const first = resources.spawnApp('worker-1', 'apps/worker/src/main.ts', workerEnv);
    const complaints = new Map<string, number>();
    const seqs = new Map<string, number[]>();
    let accepted = 0;
    await pooled(cases, LANES, async (c) => {
      const mine: number[] = [];
      seqs.set(c.id, mine);
      for (const [i, [actor, type, data]] of script(c.commune_code).entries()) {
        const receipt = await accept.accept(c.id, { type, data }, actor, `fault-kill-${c.id}-${i}`);
        accepted++;
        mine.push(receipt.seq);
        if (type === 'COMPLAINT_FILED') complaints.set(c.id, (complaints.get(c.id) ?? 0) + 1);
      }
    });
    const acceptedAt = Date.now();
    const total = cases.length * EVENTS_PER_CASE;
    expect(total).toBe(10_000);
    expect(accepted).toBe(total);
    expect(await count(`select count(*)::int as n from case_event where status = 'pending'`)).toBe(total);

    // Worker 1 runs, and is killed with -9 once it has applied 1,000 events.
    await waitForLine(first, /worker started/, 90_000);
    await queue.resume();
    const killUntil = Date.now() + 90_000;
    let appliedAtKill = 0;
    for (;;) {
      appliedAtKill = await count(`select count(*)::int as n from case_event where status = 'applied'`);
      if (appliedAtKill >= KILL_AFTER_APPLIED) break;
      if (!first.alive())
        throw new Error(`worker-1 died before applying ${KILL_AFTER_APPLIED} events\n${await diagnostics([first])}`);
      if (Date.now() > killUntil)
        throw new Error(`worker-1 applied only ${appliedAtKill} events in 90 s\n${await diagnostics([first])}`);
      await sleep(20);
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();
    // Its jobs stay active (locked) until BullMQ finds them stalled; their events are pending.
    const activeAtKill = (await queue.getJobCounts('active')).active;
    const pendingAfterKill = await count(`select count(*)::int as n from case_event where status = 'pending'`);
    expect(pendingAfterKill).toBeGreaterThan(0);

    // Two new workers take over.
    const workers = [
      first,
      resources.spawnApp('worker-2', 'apps/worker/src/main.ts', workerEnv),
      resources.spawnApp('worker-3', 'apps/worker/src/main.ts', workerEnv),
    ];

    const drainUntil = Date.now() + 120_000;
    for (;;) {
      const pending = await count(`select count(*)::int as n from case_event where status = 'pending'`);
      if (pending === 0) break;
      for (const w of workers.slice(1))
        if (!w.alive()) throw new Error(`${w.name} exited while draining\n${await diagnostics(workers)}`);
      if (Date.now() > drainUntil)
        throw new Error(`${pending} events still pending 120 s after the kill\n${await diagnostics(workers)}`);
      await sleep(200);
    }
    const drainedAt = Date.now();
    console.log(
      `[faults/worker-kill] ${total} events accepted in ${((acceptedAt - t0) / 1000).toFixed(1)} s; worker-1 killed (-9) at ${((killedAt - t0) / 1000).toFixed(1)} s ` +
        `with ${appliedAtKill} applied, ${pendingAfterKill} pending and ${activeAtKill} jobs active; all applied at ${((drainedAt - t0) / 1000).toFixed(1)} s`,
    );

    // Every event applied, once: outcomes, one history entry per (case, seq), gap-free sequences.
    expect(await sql(`select status, count(*)::int as n from case_event group by status`)).toEqual([
      { status: 'applied', n: total },
    ]);
    expect(
      await sql(
        `select count(*)::int as entries, count(distinct (case_id, seq))::int as distinct from case_history where seq is not null`,
      ),
    ).toEqual([{ entries: total, distinct: total }]);
    for (const c of cases) expect(seqs.get(c.id)).toEqual(Array.from({ length: EVENTS_PER_CASE }, (_, i) => i + 1));
    const states = await sql<{
      id: string;
      step: string;
      complaints: number;
      accepted_seq: number;
      applied_seq: number;
      history: number;
    }>(
      `select c.id, c.step, (c.snapshot->'context'->'counters'->>'openComplaints')::int as complaints, c.accepted_seq, c.applied_seq,
              (select count(*)::int from case_history h where h.case_id = c.id and h.seq is not null) as history
       from review_case c where c.campaign_id = ?`,
      [campaignId],
    );
    expect(states).toHaveLength(cases.length);
    for (const s of states) {
      expect(s).toEqual({
        id: s.id,
        step: 'posting',
        complaints: complaints.get(s.id),
        accepted_seq: EVENTS_PER_CASE,
        applied_seq: EVENTS_PER_CASE,
        history: EVENTS_PER_CASE,
      });
    }
    expect([...complaints.values()].reduce((a, b) => a + b, 0)).toBe(cases.length * COMPLAINTS);

    // Progress counters (moved in the same transactions) equal a recount over the cases.
    const counters = await sql(
      `select commune_code, step, current::int as n from progress_counter where campaign_id = ? and current <> 0 order by 1, 2`,
      [campaignId],
    );
    const recount = await sql(
      `select commune_code, step, count(*)::int as n from review_case where campaign_id = ? group by 1, 2 order by 1, 2`,
      [campaignId],
    );
    expect(counters).toEqual(recount);
    const stages = await sql(
      `select commune_code, stage, reached::int as n from stage_counter where campaign_id = ? and reached <> 0 order by 1, 2`,
      [campaignId],
    );
    const stageRecount = await sql(
      `select c.commune_code, s as stage, count(*)::int as n from review_case c, generate_series(1, c.max_stage) s where c.campaign_id = ? group by 1, 2 order by 1, 2`,
      [campaignId],
    );
    expect(stages).toEqual(stageRecount);

    // The new workers are still running.
    for (const w of workers.slice(1)) expect(w.alive()).toBe(true);
  }, 240_000);
});
