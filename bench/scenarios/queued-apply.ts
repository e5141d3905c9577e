import { CaseAcceptanceService } from '@rasoat/engine';
import type { BenchContext } from '../lib/context';
import { perUnit, type BenchChild, type RoundTrips } from '../lib/child';
import { cpuMsPer, CpuSampler, formatCpu, formatCpuMs } from '../lib/cpu';
import { figure, type Figure } from '../lib/report';
import { round, runPool, sleep } from '../lib/stats';
import { generatedProvince, openingEvents, villageBoard } from '../lib/workload';
import { RAW_JOBS_PER_SECOND } from './raw-bullmq';
import type { Scenario } from './scenario';

export const APPLY_EVENTS_PER_SECOND = 'apply.eventsPerSecond';

/** Worker processes side by side (the production shape scales out this way); default 1, the row names the count. */
const WORKER_PROCESSES = Math.max(1, Number(process.env.BENCH_WORKER_PROCESSES ?? 1));

async function sumRoundTrips(workers: BenchChild[]): Promise<RoundTrips> {
  const all = await Promise.all(workers.map((w) => w.roundTrips()));
  return all.reduce((a, b) => ({ sql: a.sql + b.sql, redis: a.redis + b.redis }), { sql: 0, redis: 0 });
}

/**
 * Applying queued events: K cases each get one REVIEW_LIST_SUBMITTED, accepted in this
 * process through CaseAcceptanceService (no HTTP) while the case-events queue is paused;
 * then a worker process (the production worker shape) starts, the queue resumes, and the
 * clock runs until every case's applied_seq has reached its accepted_seq. One event per
 * case, so one job is one event and one drain transaction, as in the raw figure.
 */
export const queuedApply: Scenario = {
  name: 'queued-apply',
  title: 'Applying queued events (worker process)',
  async run(ctx: BenchContext) {
    const k = ctx.count(20_000);
    const seeded = await ctx.seedCampaign('B2', generatedProvince('B2', k));
    const app = await ctx.engine();
    const acceptance = app.get(CaseAcceptanceService);
    const queue = await ctx.caseEventsQueue();
    await queue.pause();
    try {
      const acceptStart = Date.now();
      await runPool(seeded.cases.length, 32, async (i) => {
        const c = seeded.cases[i];
        const [event] = openingEvents(i);
        await acceptance.accept(
          c.id,
          { type: event.type, data: event.data },
          villageBoard(c.villageCode),
          `bench-apply-${c.id}-1`,
        );
      });
      const acceptSeconds = (Date.now() - acceptStart) / 1000;
      ctx.log(
        `queued-apply: ${k} events accepted in-process in ${acceptSeconds.toFixed(1)} s (${Math.round(k / acceptSeconds)}/s); starting the worker`,
      );

      const workers = [];
      for (let w = 0; w < WORKER_PROCESSES; w++)
        workers.push(await ctx.startChild('worker', w === 0 ? 'worker' : `worker#${w + 1}`));
      const [worker] = workers;
      const waiting = await queue.getJobCounts('wait', 'prioritized');
      const tripsFrom = await sumRoundTrips(workers);
      const cpuFrom = ctx.cpu.snapshot();
      const started = Date.now();
      await queue.resume();
      let backlog = await ctx.backlog(seeded.campaignId);
      while (backlog.behind > 0) {
        if (Date.now() - started > 15 * 60_000)
          throw new Error(`queued-apply: still ${backlog.behind} cases behind after 15 min`);
        await sleep(50);
        backlog = await ctx.backlog(seeded.campaignId);
      }
      const seconds = (Date.now() - started) / 1000;
      const cpu = CpuSampler.report(cpuFrom, ctx.cpu.snapshot());
      ctx.measuredWindow(queuedApply.name, cpu);
      const trips = perUnit(tripsFrom, await sumRoundTrips(workers), k);
      ctx.log(
        `queued-apply: ${formatCpu(cpu)}; per event the worker sent ${trips.sql} SQL queries and ${trips.redis} Redis commands`,
      );
      await worker.collectGarbage();
      for (const w of workers) await ctx.stopChild(w);
      const outcomes = await ctx.outcomes(seeded.campaignId);
      const eventsPerSecond = k / seconds;
      const raw = ctx.figure(RAW_JOBS_PER_SECOND)?.value ?? null;
      ctx.details[queuedApply.name] = {
        events: k,
        cases: seeded.cases.length,
        concurrency: worker.concurrency,
        workerProcesses: WORKER_PROCESSES,
        seedSeconds: round(seeded.seedSeconds, 2),
        acceptSeconds: round(acceptSeconds, 2),
        acceptPerSecond: round(k / acceptSeconds, 0),
        jobsQueuedAtStart: waiting,
        applySeconds: round(seconds, 2),
        outcomes,
        roundTripsPerEvent: trips,
        cpuMsPerEvent: cpuMsPer(cpu, k),
        cpu,
        workerMemory: ctx.memory.worker,
      };
      const rows: Figure[] = [
        figure(
          queuedApply.name,
          APPLY_EVENTS_PER_SECOND,
          `2. Queued events applied by ${WORKER_PROCESSES === 1 ? 'a worker process' : `${WORKER_PROCESSES} worker processes`} (${k.toLocaleString('en-US')} events, 1 per case)`,
          eventsPerSecond,
          'events/s',
          undefined,
          `rejected ${outcomes.rejected ?? 0}, applied ${outcomes.applied ?? 0}; per event ${trips.sql} SQL queries + ${trips.redis} Redis commands, CPU ms: ${formatCpuMs(cpuMsPer(cpu, k))}`,
        ),
        figure(
          queuedApply.name,
          'apply.ratioToRaw',
          '2. … as a share of raw BullMQ',
          raw ? (eventsPerSecond / raw) * 100 : null,
          '%',
          { op: '>=', value: 50, unit: '%' },
          raw ? undefined : 'needs raw-bullmq in the same run',
        ),
        figure(
          queuedApply.name,
          'apply.acceptPerSecond',
          '2. (info) in-process acceptance, 32 concurrent callers',
          k / acceptSeconds,
          'events/s',
        ),
      ];
      if ((outcomes.rejected ?? 0) > 0)
        rows.push(
          figure(queuedApply.name, 'apply.rejected', '2. events rejected by the engine', outcomes.rejected, 'events', {
            op: '<=',
            value: 0,
            unit: 'events',
          }),
        );
      return rows;
    } finally {
      await queue.resume();
    }
  },
};
