import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { JobName } from '@rasoat/contracts';
import { redisOptions } from '@rasoat/engine';
import type { BenchContext } from '../lib/context';
import { CpuSampler, formatCpu } from '../lib/cpu';
import { figure } from '../lib/report';
import { round } from '../lib/stats';
import type { Scenario } from './scenario';

export const RAW_JOBS_PER_SECOND = 'raw.jobsPerSecond';

/**
 * The ceiling: N no-op jobs shaped like the engine's wake-ups (same job name, payload and
 * deterministic id shape, the product's default job options), added with addBulk, then
 * drained by one Worker with the product's default concurrency. Nothing else runs.
 */
export const rawBullmq: Scenario = {
  name: 'raw-bullmq',
  title: 'Raw BullMQ throughput (no-op jobs)',
  async run(ctx: BenchContext) {
    const n = ctx.count(20_000);
    const concurrency = ctx.config.worker.concurrency;
    const connection = redisOptions(ctx.services.redisUrl);
    const prefix = `${ctx.services.queuePrefix}-raw`;
    const name = 'raw-noop';
    const queue = new Queue(name, {
      connection,
      prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: { age: 3600 } },
    });
    try {
      const addStart = Date.now();
      for (let i = 0; i < n; i += 1000) {
        await queue.addBulk(
          Array.from({ length: Math.min(1000, n - i) }, () => {
            const caseId = randomUUID();
            return { name: JobName.ApplyCaseEvents, data: { caseId }, opts: { jobId: `case.${caseId}.1` } };
          }),
        );
      }
      const addSeconds = (Date.now() - addStart) / 1000;
      ctx.log(`raw: ${n} jobs added in ${addSeconds.toFixed(1)} s; draining with concurrency ${concurrency}`);

      let completed = 0;
      let failed = 0;
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => (resolveDone = r));
      const worker = new Worker(name, async () => undefined, { connection, prefix, concurrency, autorun: false });
      worker.on('completed', () => {
        if (++completed + failed === n) resolveDone();
      });
      worker.on('failed', () => {
        if (completed + ++failed === n) resolveDone();
      });
      const cpuFrom = ctx.cpu.snapshot();
      const started = Date.now();
      void worker.run();
      await done;
      const seconds = (Date.now() - started) / 1000;
      const cpu = ctx.cpu.snapshot();
      await worker.close();
      const report = CpuSampler.report(cpuFrom, cpu);
      ctx.measuredWindow(rawBullmq.name, report);
      ctx.log(`raw: ${formatCpu(report)}`);
      const jobsPerSecond = n / seconds;
      ctx.details[rawBullmq.name] = {
        jobs: n,
        concurrency,
        addSeconds: round(addSeconds, 2),
        addPerSecond: round(n / addSeconds, 0),
        drainSeconds: round(seconds, 2),
        failed,
        cpu: report,
      };
      return [
        figure(
          rawBullmq.name,
          RAW_JOBS_PER_SECOND,
          `1. Raw BullMQ: no-op jobs drained (${n.toLocaleString('en-US')} jobs, concurrency ${concurrency})`,
          jobsPerSecond,
          'jobs/s',
          undefined,
          `ceiling for 2 and 3; addBulk ran at ${Math.round(n / addSeconds).toLocaleString('en-US')} jobs/s`,
        ),
      ];
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  },
};
