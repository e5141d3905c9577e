import type { BenchContext, SeededCampaign } from '../lib/context';
import { perUnit, type BenchChild, type RoundTrips } from '../lib/child';
import { cpuMsPer, CpuSampler, formatCpu, formatCpuMs, type CpuReport } from '../lib/cpu';
import { postBatch, postEvent, StatusTally, type BatchEvent } from '../lib/http';
import { figure, type Figure } from '../lib/report';
import { nowMs, round, roundSummary, runPool, sleep, summarize, type Summary } from '../lib/stats';
import { COMMUNE_DEFINITION_KEY, generatedProvince, openingEvents, requestRegistered } from '../lib/workload';
import { RAW_JOBS_PER_SECOND } from './raw-bullmq';
import type { Scenario } from './scenario';

/** Requests in flight at once (closed loop). */
const IN_FLIGHT = Number(process.env.BENCH_HTTP_IN_FLIGHT ?? 64);
/** Events per POST of the batched measurement (rounded down to whole villages: two events each). */
const BATCH = Number(process.env.BENCH_HTTP_BATCH ?? 100);
/** Batch requests in flight at once (closed loop). */
const BATCH_IN_FLIGHT = Number(process.env.BENCH_HTTP_BATCH_IN_FLIGHT ?? 8);

/** What the requests of one measurement tell the shared part, as they are answered. */
interface Posting {
  tally: StatusTally;
  /** Events answered 202/200. */
  accepted: number;
  /** Per request, sent → answered. */
  latency: number[];
  lastAnswer: number;
}

interface Measured {
  accepted: number;
  seconds: number;
  acceptSeconds: number;
  eventsPerSecond: number;
  latency: Summary;
  backlogAtLastAccept: number;
  appliedWhilePosting: number;
  appliedAfterPosting: number;
  outcomes: Record<string, number>;
  trips: RoundTrips;
  cpu: CpuReport;
  tally: StatusTally;
  timeline: { t: number; applied: number }[];
}

/**
 * The measurement both rows share: `post` sends a campaign's events however it likes and
 * records each answer in the `Posting`; timed from the first request to the last commit
 * (review_case.applied_seq = accepted_seq for every case), with the server's CPU and its
 * SQL / Redis round trips per accepted event over that window.
 */
async function measure(
  ctx: BenchContext,
  server: BenchChild,
  seeded: SeededCampaign,
  label: string,
  post: (p: Posting) => Promise<void>,
): Promise<Measured> {
  const posting: Posting = { tally: new StatusTally(), accepted: 0, latency: [], lastAnswer: 0 };
  let sessionsDone = false;

  const tripsFrom = await server.roundTrips();
  const cpuFrom = ctx.cpu.snapshot();
  const first = nowMs();
  posting.lastAnswer = first;
  const timeline: { t: number; applied: number }[] = [];
  const observe = (async () => {
    for (;;) {
      await sleep(200);
      const b = await ctx.backlog(seeded.campaignId);
      timeline.push({ t: round((nowMs() - first) / 1000, 1), applied: b.applied });
      if (sessionsDone && b.behind === 0 && b.accepted === posting.accepted) return nowMs();
    }
  })();

  await post(posting);
  sessionsDone = true;
  const postingEnded = nowMs();
  const backlogAtLastAccept = await ctx.backlog(seeded.campaignId);
  const lastCommit = await observe;
  const cpu = CpuSampler.report(cpuFrom, ctx.cpu.snapshot());
  ctx.measuredWindow(httpE2e.name, cpu);
  const accepted = posting.accepted;
  const trips = perUnit(tripsFrom, await server.roundTrips(), accepted);
  ctx.log(
    `${label}: ${formatCpu(cpu)}; per event (accept + apply) the server sent ${trips.sql} SQL queries and ${trips.redis} Redis commands`,
  );
  await ctx.noteServerMemory();

  const seconds = (lastCommit - first) / 1000;
  // The worker shares the process with the API: how fast it applied while requests kept coming, and after.
  return {
    accepted,
    seconds,
    acceptSeconds: (posting.lastAnswer - first) / 1000,
    eventsPerSecond: accepted / seconds,
    latency: roundSummary(summarize(posting.latency)),
    backlogAtLastAccept: backlogAtLastAccept.accepted - backlogAtLastAccept.applied,
    appliedWhilePosting: backlogAtLastAccept.applied / ((postingEnded - first) / 1000),
    appliedAfterPosting: (accepted - backlogAtLastAccept.applied) / Math.max(0.001, (lastCommit - postingEnded) / 1000),
    outcomes: await ctx.outcomes(seeded.campaignId),
    trips,
    cpu,
    tally: posting.tally,
    timeline,
  };
}

function details(m: Measured, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...extra,
    eventsAccepted: m.accepted,
    seconds: round(m.seconds, 2),
    acceptSeconds: round(m.acceptSeconds, 2),
    backlogAtLastAccept: m.backlogAtLastAccept,
    appliedPerSecondWhilePosting: round(m.appliedWhilePosting, 0),
    appliedPerSecondAfterPosting: round(m.appliedAfterPosting, 0),
    httpStatuses: m.tally.counts,
    acceptLatencyMs: m.latency,
    outcomes: m.outcomes,
    roundTripsPerEvent: m.trips,
    cpuMsPerEvent: cpuMsPer(m.cpu, m.accepted),
    cpu: m.cpu,
    timeline: m.timeline,
  };
}

/** The rows of one measurement; `prefix` is the table's row number, `id` the figure ids' prefix. */
function rows(m: Measured, raw: number | null, prefix: string, id: string, label: string): Figure[] {
  const failures = m.tally.failures;
  const rejected = m.outcomes.rejected ?? 0;
  const result: Figure[] = [
    figure(
      httpE2e.name,
      `${id}.eventsPerSecond`,
      label,
      m.eventsPerSecond,
      'events/s',
      { op: '>=', value: 3000, unit: 'events/s' },
      `rejected ${rejected}, HTTP failures ${failures}; per event (accept + apply) ${m.trips.sql} SQL queries + ${m.trips.redis} Redis commands, CPU ms: ${formatCpuMs(cpuMsPer(m.cpu, m.accepted))}`,
    ),
    figure(
      httpE2e.name,
      `${id}.ratioToRaw`,
      `${prefix}. … as a share of raw BullMQ`,
      raw ? (m.eventsPerSecond / raw) * 100 : null,
      '%',
      { op: '>=', value: 25, unit: '%' },
      raw ? undefined : 'needs raw-bullmq in the same run',
    ),
    figure(
      httpE2e.name,
      `${id}.acceptPerSecond`,
      `${prefix}. (info) HTTP accept rate while posting`,
      m.accepted / m.acceptSeconds,
      'events/s',
      undefined,
      `POST answered p50 ${m.latency.p50} ms, p99 ${m.latency.p99} ms; ${m.backlogAtLastAccept} events still queued at the last answer; the worker applied ${Math.round(m.appliedWhilePosting)}/s while requests came, ${Math.round(m.appliedAfterPosting)}/s after`,
    ),
  ];
  if (rejected > 0)
    result.push(
      figure(httpE2e.name, `${id}.rejected`, `${prefix}. events rejected by the engine`, rejected, 'events', {
        op: '<=',
        value: 0,
        unit: 'events',
      }),
    );
  if (failures > 0)
    result.push(
      figure(
        httpE2e.name,
        `${id}.failures`,
        `${prefix}. HTTP failures (${JSON.stringify(m.tally.counts)})`,
        failures,
        'requests',
        { op: '<=', value: 0, unit: 'requests' },
      ),
    );
  return result;
}

/**
 * End to end over HTTP against the API and the workers in one process (the `npm start`
 * shape), measured twice on campaigns of the same size:
 *
 * 3. one event per request: IN_FLIGHT keep-alive clients each take the next village and POST
 *    its two opening events (the second after the first's 202), each with its village board's
 *    token and a unique Idempotency-Key;
 * 3b. batched: BATCH_IN_FLIGHT clients each POST, for the next commune of BATCH villages, one
 *    household request per village (regular-review@1's first event, registered by the commune
 *    committee) in one `POST /api/cases/events/batch`, each with its own idempotency key. A token
 *    acts only from its unit's level, so one request carries one commune's villages.
 */
export const httpE2e: Scenario = {
  name: 'http-e2e',
  title: 'End to end over HTTP',
  async run(ctx: BenchContext) {
    const cases = ctx.count(15_000);
    const raw = ctx.figure(RAW_JOBS_PER_SECOND)?.value ?? null;
    const server = await ctx.server();

    const seeded = await ctx.seedCampaign('B3', generatedProvince('B3', cases));
    const single = await measure(ctx, server, seeded, 'http-e2e', (p) =>
      runPool(seeded.cases.length, IN_FLIGHT, async (i) => {
        const c = seeded.cases[i];
        const token = ctx.token({ sub: `bench-board-${c.villageCode}`, role: 'village_board', unit: c.villageCode });
        for (const [n, event] of openingEvents(i).entries()) {
          const r = await postEvent(server.baseUrl, token, c.id, event, `bench-http-${c.id}-${n + 1}`);
          p.tally.add(r);
          p.lastAnswer = Math.max(p.lastAnswer, r.answeredAt);
          if (r.status !== 202 && r.status !== 200) return;
          p.accepted++;
          p.latency.push(r.answeredAt - r.sentAt);
        }
      }),
    );

    const villagesPerRequest = Math.max(1, BATCH);
    const eventsPerRequest = villagesPerRequest;
    const batchSeeded = await ctx.seedCampaign(
      'B6',
      generatedProvince('B6', cases, { villagesPerCommune: villagesPerRequest }),
      COMMUNE_DEFINITION_KEY,
    );
    // Village codes are `<commune>Vnn` (generatedProvince): the villages of each commune, in order.
    const byCommune = new Map<string, { id: string; i: number }[]>();
    batchSeeded.cases.forEach((c, i) => {
      const commune = c.villageCode.slice(0, -3);
      byCommune.set(commune, [...(byCommune.get(commune) ?? []), { id: c.id, i }]);
    });
    const communes = [...byCommune.keys()];
    const requests = communes.length;
    const batched = await measure(ctx, server, batchSeeded, 'http-e2e batched', (p) =>
      runPool(requests, BATCH_IN_FLIGHT, async (r) => {
        const commune = communes[r];
        const token = ctx.token({ sub: `bench-commune-${commune}`, role: 'commune_committee', unit: commune });
        const events: BatchEvent[] = (byCommune.get(commune) ?? []).map((c) => ({
          ...requestRegistered(c.i),
          caseId: c.id,
          idempotencyKey: `bench-batch-${c.id}-1`,
        }));
        const result = await postBatch(server.baseUrl, token, events);
        p.lastAnswer = Math.max(p.lastAnswer, result.answeredAt);
        p.latency.push(result.answeredAt - result.sentAt);
        for (const e of result.events) {
          p.tally.add(e);
          if (e.status === 202 || e.status === 200) p.accepted++;
        }
      }),
    );

    ctx.details[httpE2e.name] = {
      ...details(single, { cases, inFlight: IN_FLIGHT }),
      batched: details(batched, { cases, eventsPerRequest, inFlight: BATCH_IN_FLIGHT, requests }),
    };
    return [
      ...rows(
        single,
        raw,
        '3',
        'http',
        `3. HTTP end to end, first accept → last commit (${single.accepted.toLocaleString('en-US')} events, ${IN_FLIGHT} in flight)`,
      ),
      ...rows(
        batched,
        raw,
        '3b',
        'http.batch',
        `3b. HTTP end to end, batched requests (a commune's ${eventsPerRequest} villages per POST, ${BATCH_IN_FLIGHT} in flight; ${batched.accepted.toLocaleString('en-US')} events)`,
      ),
    ];
  },
};
