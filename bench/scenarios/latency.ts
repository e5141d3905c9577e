import type { BenchContext, SeededCampaign } from '../lib/context';
import type { BenchChild } from '../lib/child';
import { CpuSampler, formatCpu, type CpuReport } from '../lib/cpu';
import { postEvent, StatusTally, type PostResult } from '../lib/http';
import { figure, type Figure } from '../lib/report';
import { nowMs, roundSummary, runPool, sleep, summarize, type Summary } from '../lib/stats';
import { generatedProvince, openingEvents } from '../lib/workload';
import type { Scenario } from './scenario';

/** The judged offered load, and a lighter one shown for comparison. */
const RATE = Number(process.env.BENCH_LATENCY_RATE ?? 500);
const LIGHT_RATE = Number(process.env.BENCH_LATENCY_LIGHT_RATE ?? 100);
const POLL_MS = 5;
const WARM_UP_SESSIONS = 50;

interface Tracked {
  sentAt: number;
  committedAt?: number;
  status?: string;
}

interface OpenLoopResult {
  rate: number;
  seconds: number;
  sessions: number;
  offeredEventsPerSecond: number;
  maxSessionsInFlight: number;
  httpStatuses: Record<string, number>;
  failures: number;
  observed: number;
  notObserved: number;
  rejected: number;
  polls: number;
  clientMs: Summary;
  serverMs: Summary;
  cpu: CpuReport;
}

/**
 * Latency at a fixed offered load (open loop): every 2/rate s a new village's board POSTs
 * REVIEW_LIST_SUBMITTED and, on its 202, SURVEY_COMPLETED — `rate` events/s in all, for
 * ~10 s, whatever the answers. Per event: from sending the POST to the first poll of
 * case_event (every 5 ms, by id, from this process) that sees it no longer pending, i.e.
 * committed by the worker. The server-side processed_at − received_at (both stamped by the
 * engine; processed_at is the start of the applying transaction) is reported next to it.
 * Then the same at a lighter load, for comparison.
 */
export const latency: Scenario = {
  name: 'latency',
  title: 'Latency at a fixed offered load',
  async run(ctx: BenchContext) {
    const seconds = ctx.scale === 'full' ? 10 : 2;
    const server = await ctx.server();
    const judged = await openLoop(ctx, server, 'B4', RATE, seconds);
    const light = await openLoop(ctx, server, 'B5', LIGHT_RATE, seconds);
    await ctx.noteServerMemory();
    ctx.details[latency.name] = { pollIntervalMs: POLL_MS, judged, light };

    const rows: Figure[] = [
      figure(
        latency.name,
        'latency.p50',
        `4. Latency at ${RATE} events/s offered for ${seconds} s: p50, POST sent → committed`,
        judged.clientMs.p50,
        'ms',
        undefined,
        `${judged.observed} events; offered ${judged.offeredEventsPerSecond} events/s; server-side (received_at → processed_at) p50 ${judged.serverMs.p50} ms`,
      ),
      figure(
        latency.name,
        'latency.p99',
        `4. … p99`,
        judged.clientMs.p99,
        'ms',
        { op: '<=', value: 250, unit: 'ms' },
        `max ${judged.clientMs.max} ms; server-side p99 ${judged.serverMs.p99} ms; commit seen by a ${POLL_MS} ms poll`,
      ),
      figure(
        latency.name,
        'latency.light.p99',
        `4. (info) p99 at ${LIGHT_RATE} events/s offered`,
        light.clientMs.p99,
        'ms',
        undefined,
        `p50 ${light.clientMs.p50} ms, max ${light.clientMs.max} ms; server-side p50 ${light.serverMs.p50} / p99 ${light.serverMs.p99} ms`,
      ),
    ];
    const rejected = judged.rejected + light.rejected;
    const failures = judged.failures + light.failures;
    if (rejected > 0)
      rows.push(
        figure(latency.name, 'latency.rejected', '4. events rejected by the engine', rejected, 'events', {
          op: '<=',
          value: 0,
          unit: 'events',
        }),
      );
    if (failures > 0)
      rows.push(
        figure(
          latency.name,
          'latency.failures',
          `4. HTTP failures (${JSON.stringify(judged.httpStatuses)} / ${JSON.stringify(light.httpStatuses)})`,
          failures,
          'requests',
          { op: '<=', value: 0, unit: 'requests' },
        ),
      );
    return rows;
  },
};

async function openLoop(
  ctx: BenchContext,
  server: BenchChild,
  provinceCode: string,
  rate: number,
  seconds: number,
): Promise<OpenLoopResult> {
  const sessions = Math.round((rate / 2) * seconds);
  const seeded: SeededCampaign = await ctx.seedCampaign(
    provinceCode,
    generatedProvince(provinceCode, sessions + WARM_UP_SESSIONS),
  );
  const tally = new StatusTally();
  const tokenOf = (village: string) =>
    ctx.token({ sub: `bench-board-${village}`, role: 'village_board', unit: village });

  // Warm-up on villages outside the measurement (JIT, connection pools), closed loop.
  await runPool(WARM_UP_SESSIONS, 8, async (i) => {
    const c = seeded.cases[sessions + i];
    for (const [n, event] of openingEvents(i).entries())
      await postEvent(server.baseUrl, tokenOf(c.villageCode), c.id, event, `bench-warm-${c.id}-${n + 1}`);
  });
  while ((await ctx.backlog(seeded.campaignId)).behind > 0) await sleep(50);

  const tracked = new Map<string, Tracked>();
  const open = new Set<string>();
  let inFlight = 0;
  let maxInFlight = 0;
  let sending = true;
  const record = (r: PostResult) => {
    tally.add(r);
    if ((r.status === 202 || r.status === 200) && r.eventId) {
      tracked.set(r.eventId, { sentAt: r.sentAt });
      open.add(r.eventId);
    }
  };

  // Commit observer: which accepted events are no longer pending.
  let polls = 0;
  const observer = (async () => {
    const giveUp = () => !sending && Date.now() > drainDeadline;
    let drainDeadline = Infinity;
    while (sending || open.size > 0) {
      if (!sending && drainDeadline === Infinity) drainDeadline = Date.now() + 120_000;
      if (giveUp()) return;
      if (open.size === 0) {
        await sleep(POLL_MS);
        continue;
      }
      const ids = [...open];
      const at = nowMs();
      const { rows } = await ctx.pg.query<{ id: string; status: string }>(
        `select id, status from case_event where id = any($1::uuid[]) and status <> 'pending'`,
        [ids],
      );
      polls++;
      for (const row of rows) {
        const t = tracked.get(row.id);
        if (t && t.committedAt === undefined) {
          t.committedAt = at;
          t.status = row.status;
        }
        open.delete(row.id);
      }
      await sleep(POLL_MS);
    }
  })();

  const cpuFrom = ctx.cpu.snapshot();
  const intervalMs = 1000 / (rate / 2);
  const start = nowMs();
  const running: Promise<void>[] = [];
  for (let i = 0; i < sessions; i++) {
    const wait = start + i * intervalMs - nowMs();
    if (wait >= 1) await sleep(wait);
    const c = seeded.cases[i];
    const token = tokenOf(c.villageCode);
    running.push(
      (async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          for (const [n, event] of openingEvents(i).entries()) {
            const r = await postEvent(server.baseUrl, token, c.id, event, `bench-lat-${c.id}-${n + 1}`);
            record(r);
            if (r.status !== 202 && r.status !== 200) return;
          }
        } finally {
          inFlight--;
        }
      })(),
    );
  }
  const lastSend = nowMs();
  await Promise.all(running);
  sending = false;
  await observer;
  const cpu = CpuSampler.report(cpuFrom, ctx.cpu.snapshot());
  ctx.measuredWindow(latency.name, cpu);
  ctx.log(`latency at ${rate}/s: ${formatCpu(cpu)}`);

  const samples = [...tracked.values()]
    .filter((t) => t.committedAt !== undefined)
    .map((t) => (t.committedAt as number) - t.sentAt);
  const { rows: serverRows } = await ctx.pg.query<{ ms: number }>(
    `select extract(epoch from (e.processed_at - e.received_at)) * 1000 as ms from case_event e join review_case c on c.id = e.case_id
     where c.campaign_id = $1 and e.processed_at is not null and e.idempotency_key like 'bench-lat-%'`,
    [seeded.campaignId],
  );
  return {
    rate,
    seconds,
    sessions,
    offeredEventsPerSecond: Math.round((sessions * 2) / (Math.max(1, lastSend - start) / 1000)),
    maxSessionsInFlight: maxInFlight,
    httpStatuses: tally.counts,
    failures: tally.failures,
    observed: samples.length,
    notObserved: tracked.size - samples.length,
    rejected: [...tracked.values()].filter((t) => t.status === 'rejected').length,
    polls,
    clientMs: roundSummary(summarize(samples)),
    serverMs: roundSummary(summarize(serverRows.map((r) => Number(r.ms)))),
    cpu,
  };
}
