import { getQueueToken } from '@nestjs/bullmq';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { jobId, QueueName, SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, TimersProducer, UnitsService, type Alarm, type UnitSeed } from '@rasoat/engine';
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
 * Fault 2 of "prove it at national scale": Redis restarted EMPTY. Deadlines live in PostgreSQL
 * (rows with their alarm plan and `next_alarm_at`); Redis holds only their wake-ups and the
 * sweeper's job scheduler. This test runs its own redis-server (not the shared one), the engine
 * in this process and a real worker process (`apps/worker/src/main.ts`, system clock) against
 * it, then `SHUTDOWN NOSAVE` and a restart on the same port: every pending alarm must still ring,
 * exactly once.
 *
 * The shipped definitions cannot produce alarms a few seconds away (reminders are at 08:00 on
 * working days, due dates at the end of a day), so the test rewrites the alarm plans of the
 * campaign's listing deadlines with SQL — `alarms` and `next_alarm_at`, the columns the engine
 * itself writes — to instants a few seconds ahead in real time:
 *   alarm 0  reminder  now + 4 s                rung normally (its wake-up is in Redis)
 *   alarm 1  reminder  group A: during the outage, group B: ~30 s after it started
 *            (both wake-ups are in Redis before the shutdown and are lost with it)
 *   alarm 2… the plan's own due / escalation alarms (December 2026): must stay armed, unrung.
 * The worker runs with WORKER_SWEEP_INTERVAL_SECONDS=2, so it re-creates the sweeper's
 * scheduler every 10 s (max(10, 4 × interval); 2 minutes with the default 30 s). A re-creation
 * attempted while Redis is down waits in ioredis's offline queue (maxRetriesPerRequest: null) and
 * runs at reconnect; in this timeline one usually falls inside the outage, so the scheduler is
 * back within a second of the restart, otherwise within 10 s — group B's alarm is due 32 s
 * after the shutdown either way, so its re-armed wake-up is checked before it is due.
 */

const PROVINCE = 'FR';
const COMMUNES = 2;
const VILLAGES_PER_COMMUNE = 10;
const SWEEP_SECONDS = 2;

function province(): UnitSeed[] {
  const units: UnitSeed[] = [{ code: PROVINCE, name: 'Tỉnh Thử Redis', level: 'province', parentCode: null }];
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

/** The next whole second after `ms`, as a Date (wake-ups are per second). */
const wholeSecond = (ms: number) => new Date(Math.ceil(ms / 1000) * 1000);

describe('fault: Redis restarted empty', () => {
  const resources = new FaultResources();
  let redis: PrivateRedis;
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let worker: AppProcess;
  let deadlines: string[];
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const timers = () => engine.get<Queue>(getQueueToken(QueueName.Timers) as never);
  /** Notifications rung for alarm `n` of the test's deadlines. */
  const rung = async (n: number, ids: string[] = deadlines) =>
    (
      await sql<{ n: number }>(
        `select count(*)::int as n from notification where dedupe_key = any(string_to_array(?, ','))`,
        [ids.map((id) => `deadline:${id}:alarm:${n}`).join(',')],
      )
    )[0].n;

  beforeAll(async () => {
    redis = await resources.startRedis();
    engine = await startTestEngine({ worker: false, start: new Date(), config: { redisUrl: redis.url } });
    // This process's queues lose their connection on purpose: without a listener BullMQ prints each error.
    for (const name of [QueueName.CaseEvents, QueueName.Timers, QueueName.Notifications])
      engine.get<Queue>(getQueueToken(name) as never).on('error', () => undefined);
    await engine.get(UnitsService).upsertTree(province());
    await engine.get(CampaignsService).start(
      {
        provinceCode: PROVINCE,
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-31',
      },
      SYSTEM_ACTOR,
    );
    deadlines = (
      await sql<{ id: string }>(
        `select d.id from deadline d join review_case c on c.id = d.case_id order by c.village_code`,
      )
    ).map((d) => d.id);
    expect(deadlines).toHaveLength(COMMUNES * VILLAGES_PER_COMMUNE);
    worker = await resources.startWorker('worker', {
      NODE_ENV: 'test',
      DATABASE_URL: engine.config.databaseUrl,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: engine.config.queuePrefix,
      JWT_SECRET: engine.config.jwtSecret,
      WORKER_SWEEP_INTERVAL_SECONDS: String(SWEEP_SECONDS),
      DEMO_SEED: 'false',
    });
  }, 120_000);

  afterAll(async () => {
    // The worker first, then this process's queues (while Redis is up), then Redis and the database.
    for (const p of resources.processes) await stopApp(p);
    if (engine) await within(engine.close(), 10_000);
    const problems = await resources.cleanup();
    await engine?.dropDatabase();
    if (problems.length > 0) console.warn(`[faults/redis-restart] cleanup: ${problems.join('; ')}`);
  }, 60_000);

  async function diagnostics(): Promise<string> {
    const counts = await within(
      timers().getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
      2_000,
    ).catch((e: Error) => e.message);
    const delayed = await within(timers().getDelayed(), 2_000).catch(() => []);
    const rows = await sql<{ next_alarm: number; next_alarm_at: Date | null; n: number }>(
      `select next_alarm, next_alarm_at, count(*)::int as n from deadline group by 1, 2 order by 1, 2`,
    );
    return [
      `timers jobs: ${JSON.stringify(counts)}; delayed: ${JSON.stringify((delayed ?? []).map((j) => j.id))}`,
      `sweeper scheduler: ${JSON.stringify(await within(timers().getJobScheduler('sweeper'), 2_000).catch((e: Error) => e.message))}`,
      `deadlines by next alarm: ${JSON.stringify(rows)}`,
      worker.tail(25),
    ].join('\n');
  }

  async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await diagnostics()}`);
      await sleep(100);
    }
  }

  it('re-arms every pending alarm from PostgreSQL and rings each exactly once', async () => {
    const t0 = Date.now();
    const groupA = deadlines.filter((_, i) => i % 2 === 0);
    const groupB = deadlines.filter((_, i) => i % 2 === 1);
    const [{ alarms: planned }] = await sql<{ alarms: Alarm[] }>(`select alarms from deadline where id = ?`, [
      deadlines[0],
    ]);
    const later = planned.filter((a) => a.kind !== 'reminder');
    expect(new Date(later[0].at).getTime()).toBeGreaterThan(Date.now() + 86_400_000);

    // Alarm 0 in 4 s, alarm 1 in an hour for now (moved below), then the plan's own alarms.
    const first = wholeSecond(Date.now() + 4_000);
    const placeholder = wholeSecond(Date.now() + 3_600_000);
    const plan: Alarm[] = [
      { at: first.toISOString(), kind: 'reminder', level: 3 },
      { at: placeholder.toISOString(), kind: 'reminder', level: 2 },
      ...later,
    ];
    await sql(
      `update deadline set alarms = ?::jsonb, next_alarm = 0, next_alarm_at = ? where id = any(string_to_array(?, ',')::uuid[])`,
      [JSON.stringify(plan), first, deadlines.join(',')],
    );
    // As arming does after commit: the wake-up in Redis (the worker's sweeper would also re-arm it).
    await engine.get(TimersProducer).wakeAt([first], new Date());
    await until('alarm 0 of every deadline to ring', async () => (await rung(0)) === deadlines.length, 30_000);
    const firstRungAt = Date.now();

    // Alarm 1: group A due during the outage, group B after it; both wake-ups are in Redis now.
    const shutdownAt = Date.now();
    const duringOutage = wholeSecond(shutdownAt + 3_000);
    const afterOutage = wholeSecond(shutdownAt + 32_000);
    const moveAlarm1 = (ids: string[], at: Date) =>
      sql(
        `update deadline set alarms = jsonb_set(alarms, '{1,at}', to_jsonb(?::text)), next_alarm_at = ? where id = any(string_to_array(?, ',')::uuid[]) and next_alarm = 1 returning id`,
        [at.toISOString(), at, ids.join(',')],
      );
    expect(await moveAlarm1(groupA, duringOutage)).toHaveLength(groupA.length);
    expect(await moveAlarm1(groupB, afterOutage)).toHaveLength(groupB.length);
    await engine.get(TimersProducer).wakeAt([duringOutage, afterOutage], new Date());
    const wakeA = jobId.fireAlarms(duringOutage.getTime() / 1000);
    const wakeB = jobId.fireAlarms(afterOutage.getTime() / 1000);
    const queued = await timers().getDelayed();
    expect(queued.map((j) => j.id)).toEqual(expect.arrayContaining([wakeA, wakeB]));
    const queuedB = queued.find((j) => j.id === wakeB)?.timestamp;
    expect(await timers().getJobScheduler('sweeper')).toBeDefined();

    // SHUTDOWN NOSAVE, down past group A's alarm, then the same port again, empty.
    await redis.shutdownNoSave();
    const downAt = Date.now();
    await sleep(Math.max(0, duringOutage.getTime() + 1_500 - Date.now()));
    expect(worker.alive()).toBe(true);
    await redis.startAgain();
    const restartedAt = Date.now();
    const keysAfterRestart = (await redis.command('DBSIZE')).replace(/^:/, '');

    // The worker reconnects and re-creates the sweeper's scheduler; the sweeper re-arms group B's
    // wake-up from PostgreSQL before it is due (a new job: the one queued before the shutdown is
    // gone with the data), and rings group A's missed alarm late.
    let rearmedAt: number | undefined;
    let schedulerAt: number | undefined;
    const watch = async () => {
      if (!schedulerAt && (await timers().getJobScheduler('sweeper'))) schedulerAt = Date.now();
      const wake = rearmedAt ? undefined : await timers().getJob(wakeB);
      if (wake) {
        expect(wake.timestamp).not.toBe(queuedB); // not the job queued before the shutdown
        rearmedAt = Date.now();
      }
    };
    await until(
      "group A's alarm 1 (due during the outage) to ring",
      async () => {
        await watch();
        return (await rung(1, groupA)) === groupA.length;
      },
      45_000,
    );
    const groupARungAt = Date.now();
    await until(
      "group B's wake-up to be re-armed from PostgreSQL",
      async () => {
        await watch();
        return rearmedAt !== undefined || (await rung(1, groupB)) > 0;
      },
      Math.max(1_000, afterOutage.getTime() - Date.now()),
    );
    expect(rearmedAt).toBeDefined();
    expect(rearmedAt as number).toBeLessThan(afterOutage.getTime());
    await until(
      "group B's alarm 1 (due after the outage) to ring",
      async () => (await rung(1, groupB)) === groupB.length,
      Math.max(0, afterOutage.getTime() - Date.now()) + 20_000,
    );
    const groupBRungAt = Date.now();
    // Two more sweeps: nothing rings again.
    await sleep(2 * SWEEP_SECONDS * 1000 + 500);

    console.log(
      `[faults/redis-restart] alarm 0 rung ${((firstRungAt - t0) / 1000).toFixed(1)} s after arming; Redis down ${((restartedAt - downAt) / 1000).toFixed(1)} s ` +
        `(${keysAfterRestart} keys after the restart); sweeper scheduler back ${schedulerAt ? `${((schedulerAt - restartedAt) / 1000).toFixed(1)} s` : '(not seen)'} and ` +
        `group B's wake-up re-armed ${rearmedAt ? ((rearmedAt - restartedAt) / 1000).toFixed(1) : '?'} s after the restart; ` +
        `group A (due ${((duringOutage.getTime() - downAt) / 1000).toFixed(1)} s into the outage) rung ${((groupARungAt - restartedAt) / 1000).toFixed(1)} s after it; ` +
        `group B rung ${((groupBRungAt - afterOutage.getTime()) / 1000).toFixed(1)} s after due`,
    );

    // Exactly once: two notifications per deadline (alarms 0 and 1), unique keys, none early.
    const notes = await sql<{ dedupe_key: string; created_at: Date }>(
      `select dedupe_key, created_at from notification where dedupe_key like 'deadline:%'`,
    );
    expect(notes).toHaveLength(2 * deadlines.length);
    expect(new Set(notes.map((n) => n.dedupe_key)).size).toBe(notes.length);
    expect(await rung(0)).toBe(deadlines.length);
    expect(await rung(1)).toBe(deadlines.length);
    const at = new Map(notes.map((n) => [n.dedupe_key, new Date(n.created_at).getTime()]));
    for (const id of groupA) expect(at.get(`deadline:${id}:alarm:1`)).toBeGreaterThanOrEqual(duringOutage.getTime());
    for (const id of groupB) expect(at.get(`deadline:${id}:alarm:1`)).toBeGreaterThanOrEqual(afterOutage.getTime());
    const history = await sql<{ n: number }>(`select count(*)::int as n from case_history where kind = 'deadline'`);
    expect(history).toEqual([{ n: 2 * deadlines.length }]);
    // Nothing lost: the plan's own alarms are still armed, from PostgreSQL.
    const rows = await sql<{ status: string; next_alarm: number; next_alarm_at: Date }>(
      `select status, next_alarm, next_alarm_at from deadline`,
    );
    for (const r of rows)
      expect({
        status: r.status,
        next_alarm: r.next_alarm,
        next_alarm_at: new Date(r.next_alarm_at).toISOString(),
      }).toEqual({ status: 'armed', next_alarm: 2, next_alarm_at: later[0].at });
    expect(await timers().getJobScheduler('sweeper')).toBeDefined();
    expect(worker.alive()).toBe(true);
  }, 180_000);
});
