import type { BenchContext } from '../lib/context';
import { perUnit } from '../lib/child';
import { cpuMsPer, CpuSampler, formatCpu, formatCpuMs } from '../lib/cpu';
import { postEvent, StatusTally } from '../lib/http';
import { figure, type Figure } from '../lib/report';
import { nowMs, round, roundSummary, runPool, sleep, summarize } from '../lib/stats';
import { generatedProvince, openingEvents } from '../lib/workload';
import { RAW_JOBS_PER_SECOND } from './raw-bullmq';
import type { Scenario } from './scenario';

/** Requests in flight at once (closed loop). */
const IN_FLIGHT = Number(process.env.BENCH_HTTP_IN_FLIGHT ?? 64);

/**
 * End to end over HTTP against the API and the workers in one process (the `npm start`
 * shape): IN_FLIGHT keep-alive clients each take the next village and POST its two opening
 * events (the second after the first's 202), each with its village board's token and a
 * unique Idempotency-Key. Timed from the first request to the last commit
 * (review_case.applied_seq = accepted_seq for every case).
 */
export const httpE2e: Scenario = {
  name: 'http-e2e',
  title: 'End to end over HTTP',
  async run(ctx: BenchContext) {
    const cases = ctx.count(15_000);
    const seeded = await ctx.seedCampaign('B3', generatedProvince('B3', cases));
    const server = await ctx.server();
    const tally = new StatusTally();
    const acceptLatency: number[] = [];
    let accepted = 0;
    let sessionsDone = false;

    const tripsFrom = await server.roundTrips();
    const cpuFrom = ctx.cpu.snapshot();
    const first = nowMs();
    let lastAnswer = first;
    const timeline: { t: number; applied: number }[] = [];
    const observe = (async () => {
      for (;;) {
        await sleep(200);
        const b = await ctx.backlog(seeded.campaignId);
        timeline.push({ t: round((nowMs() - first) / 1000, 1), applied: b.applied });
        if (sessionsDone && b.behind === 0 && b.accepted === accepted) return nowMs();
      }
    })();

    await runPool(seeded.cases.length, IN_FLIGHT, async (i) => {
      const c = seeded.cases[i];
      const token = ctx.token({ sub: `bench-board-${c.villageCode}`, role: 'village_board', unit: c.villageCode });
      for (const [n, event] of openingEvents(i).entries()) {
        const r = await postEvent(server.baseUrl, token, c.id, event, `bench-http-${c.id}-${n + 1}`);
        tally.add(r);
        lastAnswer = Math.max(lastAnswer, r.answeredAt);
        if (r.status !== 202 && r.status !== 200) return;
        accepted++;
        acceptLatency.push(r.answeredAt - r.sentAt);
      }
    });
    sessionsDone = true;
    const postingEnded = nowMs();
    const backlogAtLastAccept = await ctx.backlog(seeded.campaignId);
    const lastCommit = await observe;
    const cpu = CpuSampler.report(cpuFrom, ctx.cpu.snapshot());
    ctx.measuredWindow(httpE2e.name, cpu);
    const trips = perUnit(tripsFrom, await server.roundTrips(), accepted);
    ctx.log(`http-e2e: ${formatCpu(cpu)}; per event (accept + apply) the server sent ${trips.sql} SQL queries and ${trips.redis} Redis commands`);
    await ctx.noteServerMemory();

    const seconds = (lastCommit - first) / 1000;
    const acceptSeconds = (lastAnswer - first) / 1000;
    const eventsPerSecond = accepted / seconds;
    const outcomes = await ctx.outcomes(seeded.campaignId);
    const raw = ctx.figure(RAW_JOBS_PER_SECOND)?.value ?? null;
    const latency = roundSummary(summarize(acceptLatency));
    // The worker shares the process with the API: how fast it applied while requests kept coming, and after.
    const appliedWhilePosting = backlogAtLastAccept.applied / ((postingEnded - first) / 1000);
    const appliedAfterPosting = (accepted - backlogAtLastAccept.applied) / Math.max(0.001, (lastCommit - postingEnded) / 1000);
    ctx.details[httpE2e.name] = {
      cases,
      eventsAccepted: accepted,
      inFlight: IN_FLIGHT,
      seconds: round(seconds, 2),
      acceptSeconds: round(acceptSeconds, 2),
      backlogAtLastAccept: backlogAtLastAccept.accepted - backlogAtLastAccept.applied,
      appliedPerSecondWhilePosting: round(appliedWhilePosting, 0),
      appliedPerSecondAfterPosting: round(appliedAfterPosting, 0),
      httpStatuses: tally.counts,
      acceptLatencyMs: latency,
      outcomes,
      roundTripsPerEvent: trips,
      cpuMsPerEvent: cpuMsPer(cpu, accepted),
      cpu,
      timeline,
    };
    const rows: Figure[] = [
      figure(httpE2e.name, 'http.eventsPerSecond', `3. HTTP end to end, first accept → last commit (${accepted.toLocaleString('en-US')} events, ${IN_FLIGHT} in flight)`, eventsPerSecond, 'events/s', { op: '>=', value: 3000, unit: 'events/s' }, `rejected ${outcomes.rejected ?? 0}, HTTP failures ${tally.failures}; per event (accept + apply) ${trips.sql} SQL queries + ${trips.redis} Redis commands, CPU ms: ${formatCpuMs(cpuMsPer(cpu, accepted))}`),
      figure(httpE2e.name, 'http.ratioToRaw', '3. … as a share of raw BullMQ', raw ? (eventsPerSecond / raw) * 100 : null, '%', { op: '>=', value: 25, unit: '%' }, raw ? undefined : 'needs raw-bullmq in the same run'),
      figure(
        httpE2e.name,
        'http.acceptPerSecond',
        '3. (info) HTTP accept rate while posting',
        accepted / acceptSeconds,
        'events/s',
        undefined,
        `POST answered p50 ${latency.p50} ms, p99 ${latency.p99} ms; ${backlogAtLastAccept.accepted - backlogAtLastAccept.applied} events still queued at the last answer; the worker applied ${Math.round(appliedWhilePosting)}/s while requests came, ${Math.round(appliedAfterPosting)}/s after`,
      ),
    ];
    if ((outcomes.rejected ?? 0) > 0) rows.push(figure(httpE2e.name, 'http.rejected', '3. events rejected by the engine', outcomes.rejected, 'events', { op: '<=', value: 0, unit: 'events' }));
    if (tally.failures > 0) rows.push(figure(httpE2e.name, 'http.failures', `3. HTTP failures (${JSON.stringify(tally.counts)})`, tally.failures, 'requests', { op: '<=', value: 0, unit: 'requests' }));
    return rows;
  },
};
