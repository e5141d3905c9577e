import type { BenchContext } from '../lib/context';
import { figure } from '../lib/report';
import type { Scenario } from './scenario';

/**
 * Resident memory of the processes under test, from process.memoryUsage().rss pushed by
 * each child every 250 ms: the worker-only process of queued-apply, and the one process
 * running API + workers of http-e2e / latency / progress. Reports the peaks seen so far,
 * so it belongs after those scenarios.
 */
export const memory: Scenario = {
  name: 'memory',
  title: 'Resident memory',
  passive: true,
  async run(ctx: BenchContext) {
    await ctx.noteServerMemory({ gc: true });
    const worker = ctx.memory.worker;
    const embedded = ctx.memory.embedded;
    ctx.details[memory.name] = { worker, embedded, bench: Math.round(process.memoryUsage().rss / 2 ** 20) };
    return [
      figure(
        memory.name,
        'memory.workerRss',
        '6. Worker RSS, peak (worker-only process, during 2)',
        worker?.peakRssMB ?? null,
        'MB',
        { op: '<=', value: 400, unit: 'MB' },
        worker
          ? `heap used peak ${worker.peakHeapUsedMB} MB; after a full GC at the end: RSS ${worker.afterGc?.rssMB} MB, heap ${worker.afterGc?.heapUsedMB} MB`
          : 'needs queued-apply in the same run',
      ),
      figure(
        memory.name,
        'memory.embeddedRss',
        '6. API + worker RSS, peak (one process, during 3–5)',
        embedded?.peakRssMB ?? null,
        'MB',
        { op: '<=', value: 400, unit: 'MB' },
        embedded
          ? `API and workers share one process (npm start shape), the worker target applied to it; heap used peak ${embedded.peakHeapUsedMB} MB; after a full GC: RSS ${embedded.afterGc?.rssMB} MB, heap ${embedded.afterGc?.heapUsedMB} MB`
          : 'needs http-e2e, latency or progress in the same run',
      ),
    ];
  },
};
