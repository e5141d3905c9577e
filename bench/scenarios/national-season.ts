import { ProgressService } from '@rasoat/engine';
import {
  runSeason,
  type SeasonHeader,
  type SeasonSummary,
  type SeasonTiming,
} from '../../apps/cli/src/simulation/season';
import type { BenchContext } from '../lib/context';
import { CpuSampler, formatCpu } from '../lib/cpu';
import { figure, type Figure } from '../lib/report';
import { nowMs, round, roundSummary, summarize, type Summary } from '../lib/stats';
import { DEFINITION_KEY } from '../lib/workload';
import type { Scenario } from './scenario';

const PROVINCES = 34;
const NATION = { sub: 'bench-national-admin', role: 'national_admin', unit: 'VN' } as const;

/** Minutes of wall time after which the season stops at the end of the current virtual day (BENCH_SEASON_BUDGET_MIN, default 20). */
function budgetMinutes(): number {
  const v = Number(process.env.BENCH_SEASON_BUDGET_MIN ?? 20);
  if (!Number.isFinite(v) || v <= 0)
    throw new Error(
      `BENCH_SEASON_BUDGET_MIN must be a positive number of minutes, not ${process.env.BENCH_SEASON_BUDGET_MIN}`,
    );
  return v;
}

/** Villages of the whole nation: 80,000 at full scale, 34 × 60 at small; BENCH_SEASON_VILLAGES overrides (e.g. 10200 = 34 × 300). */
function totalVillages(ctx: BenchContext): number {
  const v = process.env.BENCH_SEASON_VILLAGES;
  if (v !== undefined) {
    if (!/^\d+$/.test(v) || Number(v) < PROVINCES)
      throw new Error(`BENCH_SEASON_VILLAGES must be an integer ≥ ${PROVINCES}, not ${v}`);
    return Number(v);
  }
  return ctx.scale === 'full' ? 80_000 : PROVINCES * 60;
}

/** 34 province codes P01…P34 and their villages (the total split as evenly as possible). */
export function nationalProvinces(villages: number): { code: string; villages: number }[] {
  return Array.from({ length: PROVINCES }, (_, i) => ({
    code: `P${String(i + 1).padStart(2, '0')}`,
    villages: Math.floor(villages / PROVINCES) + (i < villages % PROVINCES ? 1 : 0),
  }));
}

/**
 * A national season: 34 generated two-level provinces (communes directly under the province,
 * 24 villages each, as after the 2025 reform), one campaign each on periodic-review@1, played
 * through the whole window (1 September – 14 December) and 10 virtual days after it by the
 * season simulator (apps/cli/src/simulation: seeded village agents, ManualClock, engine and
 * workers in this process) in a database of its own with production durability (acceptance
 * commits wait for the WAL flush). Measured: wall time from migrating the empty database to
 * the summary, what the season produced, where the time went, and afterwards the national
 * progress roll-up (ProgressService.forNation, in process) and one province's.
 */
export const nationalSeason: Scenario = {
  name: 'national-season',
  title: 'National season',
  async run(ctx: BenchContext) {
    const villages = totalVillages(ctx);
    const provinces = nationalProvinces(villages);
    const budget = budgetMinutes();
    const scratch = await ctx.services.scratchDatabase('season');
    ctx.cpu.addDatabase(scratch.database);
    ctx.log(
      `national-season: ${villages.toLocaleString('en')} villages in ${PROVINCES} provinces, database ${scratch.database}, budget ${budget} min`,
    );

    const started = Date.now();
    const deadline = started + budget * 60_000;
    let header: SeasonHeader | undefined;
    let timing: SeasonTiming | undefined;
    let stoppedByBudget = false;
    let roll: { nation: Summary; province: Summary; requests: number } | undefined;
    let inspectMs = 0;
    let cpuTo: ReturnType<CpuSampler['snapshot']> | undefined;
    const cpuFrom = ctx.cpu.snapshot();
    const summary: SeasonSummary = await runSeason(
      {
        provinces,
        seed: 1,
        definitionKey: DEFINITION_KEY,
        daysAfterWindow: 10,
        databaseUrl: scratch.databaseUrl,
        redisUrl: ctx.services.redisUrl,
        queuePrefix: scratch.queuePrefix,
        env: process.env,
        log: (line) => ctx.log(`season: ${line}`),
        shouldStop: () => (stoppedByBudget ||= Date.now() > deadline),
      },
      {
        header: (h) => (header = h),
        week: () => undefined,
        timing: (t) => (timing = t),
        inspect: async ({ app, campaigns }) => {
          // The nation (GET /api/progress?unit=VN): every province campaign's counters summed, a row per province.
          // CPU up to here: the season's PostgreSQL backends exit when its engine closes, taking their counts with them.
          cpuTo = ctx.cpu.snapshot();
          const inspectStart = Date.now();
          const service = app.get(ProgressService);
          const requests = ctx.count(50, 10);
          const nation: number[] = [];
          const province: number[] = [];
          for (let i = 0; i < requests + 3; i++) {
            const t = nowMs();
            await service.forNation(undefined, undefined, NATION);
            if (i >= 3) nation.push(nowMs() - t);
            const p = nowMs();
            await service.forUnit(campaigns[0].provinceCode, campaigns[0].campaignId, NATION);
            if (i >= 3) province.push(nowMs() - p);
          }
          roll = {
            nation: roundSummary(summarize(nation), 1),
            province: roundSummary(summarize(province), 2),
            requests,
          };
          inspectMs = Date.now() - inspectStart;
        },
      },
    );
    const wallSeconds = (Date.now() - started) / 1000;
    const cpu = CpuSampler.report(cpuFrom, cpuTo ?? ctx.cpu.snapshot());
    ctx.measuredWindow(nationalSeason.name, cpu);
    ctx.log(`national-season: ${formatCpu(cpu)}`);
    if (!header || !timing) throw new Error('the season ended without its header or timing');

    const totalDays =
      Math.round(
        (Date.parse(`${header.until}T00:00:00Z`) - Date.parse(`${header.window.start}T00:00:00Z`)) / 86_400_000,
      ) + 1;
    const complete = summary.virtualDays >= totalDays;
    const seasonSeconds = wallSeconds - inspectMs / 1000;
    // Linear in virtual days: a crude extrapolation (the busiest weeks are the middle ones).
    const estimateSeconds = complete
      ? seasonSeconds
      : timing.prepareMs / 1000 + ((seasonSeconds - timing.prepareMs / 1000) * totalDays) / summary.virtualDays;
    const minutes = round(estimateSeconds / 60, 1);
    const phases = Object.fromEntries(
      Object.entries(timing.phases).map(([k, v]) => [k, { seconds: round(v.ms / 1000, 1), calls: v.calls }]),
    );
    const phaseSeconds = (...names: string[]) => names.reduce((sum, n) => sum + (timing?.phases[n]?.ms ?? 0), 0) / 1000;
    const settle = Object.keys(timing.phases).filter((k) => k.startsWith('settle.'));
    const alarmNotes = ['deadline-reminder', 'step-overdue', 'step-escalated'].reduce(
      (sum, t) => sum + (summary.notifications[t] ?? 0),
      0,
    );
    const notifications = Object.values(summary.notifications).reduce((a, b) => a + b, 0);
    const runSeconds = seasonSeconds - timing.prepareMs / 1000;
    const share = (s: number) => `${round((100 * s) / seasonSeconds, 1)} % of the run`;
    ctx.details[nationalSeason.name] = {
      villages,
      provinces: header.provinces,
      communes: header.province.communes,
      subscriptions: header.subscriptions,
      budgetMinutes: budget,
      stoppedByBudget: !complete,
      virtualDays: { simulated: summary.virtualDays, season: totalDays },
      wallSeconds: round(seasonSeconds, 1),
      estimatedSeconds: round(estimateSeconds, 1),
      prepareSeconds: round(timing.prepareMs / 1000, 1),
      phases,
      counts: timing.counts,
      summary,
      progressMs: roll,
      cpu,
    };
    const label = complete
      ? '9. National season: 80,000 villages in 34 provinces, total wall time'
      : '9. National season: 80,000 villages in 34 provinces, total wall time (EXTRAPOLATED)';
    const scaleNote =
      villages === 80_000 ? '' : `; ${villages.toLocaleString('en')} villages, not 80,000 (scale ${ctx.scale})`;
    const rows: Figure[] = [
      figure(
        nationalSeason.name,
        'season.national',
        label,
        minutes,
        'min',
        { op: '<=', value: 10, unit: 'min' },
        complete
          ? `${summary.virtualDays} virtual days (window ${header.window.start} – ${header.window.end} + 10), seeding and migrating included (${round(timing.prepareMs / 1000, 1)} s)${scaleNote}`
          : `stopped by the ${budget}-min budget after ${summary.virtualDays} of ${totalDays} virtual days in ${round(seasonSeconds / 60, 1)} min; extrapolated linearly in virtual days${scaleNote}`,
      ),
      figure(
        nationalSeason.name,
        'season.national.completed',
        '9. … villages through the full procedure',
        summary.completed,
        'villages',
        undefined,
        `of ${summary.villages.toLocaleString('en')}; ${summary.completedInWindow.toLocaleString('en')} by the window end; late villages: ${summary.byPace.late.completed}/${summary.byPace.late.villages}`,
      ),
      figure(
        nationalSeason.name,
        'season.national.events',
        '9. … events applied',
        summary.events.applied,
        'events',
        undefined,
        `${summary.events.accepted.toLocaleString('en')} accepted (${summary.events.system.toLocaleString('en')} from the system), ${summary.events.rejected} rejected by guards, ${summary.events.refused} refused at acceptance`,
      ),
      figure(
        nationalSeason.name,
        'season.national.rate',
        '9. … events accepted and applied per second of the run',
        round(summary.events.accepted / runSeconds, 0),
        'events/s',
        undefined,
        `over ${round(runSeconds, 0)} s of virtual days (seeding excluded)`,
      ),
      figure(
        nationalSeason.name,
        'season.national.notifications',
        '9. … notifications written',
        notifications,
        'notifications',
        undefined,
        `${alarmNotes.toLocaleString('en')} from deadline alarms (${summary.notifications['deadline-reminder'] ?? 0} reminders, ${summary.notifications['step-overdue'] ?? 0} overdue, ${summary.notifications['step-escalated'] ?? 0} escalations); ${summary.digests.toLocaleString('en')} digests, ${summary.deliveries.sent}/${summary.deliveries.created} delivered to ${header.subscriptions} subscribed committees`,
      ),
      figure(
        nationalSeason.name,
        'season.national.phase.prepare',
        '9. … time: seeding (units, subscriptions, 34 campaigns)',
        round(timing.prepareMs / 1000, 1),
        's',
        undefined,
        share(timing.prepareMs / 1000),
      ),
      figure(
        nationalSeason.name,
        'season.national.phase.accept',
        '9. … time: villages’ events accepted (workers applying meanwhile)',
        round(phaseSeconds('work'), 1),
        's',
        undefined,
        `${share(phaseSeconds('work'))}; ${timing.counts.accepts.toLocaleString('en')} accept calls`,
      ),
      figure(
        nationalSeason.name,
        'season.national.phase.settle',
        '9. … time: waiting for the workers to apply (settle)',
        round(phaseSeconds(...settle), 1),
        's',
        undefined,
        `${share(phaseSeconds(...settle))}; ${settle.map((k) => `${k.slice(7)} ${phases[k].seconds} s`).join(', ')}`,
      ),
      figure(
        nationalSeason.name,
        'season.national.phase.alarms',
        '9. … time: alarms (onDue events in batches of 500, then fireDue)',
        round(phaseSeconds('alarms.events', 'alarms.due'), 1),
        's',
        undefined,
        `${share(phaseSeconds('alarms.events', 'alarms.due'))}; onDue events ${phases['alarms.events']?.seconds ?? 0} s for ${timing.counts.alarmEvents.toLocaleString('en')} onDue deadlines (fireEvents), fireDue ${phases['alarms.due']?.seconds ?? 0} s`,
      ),
      figure(
        nationalSeason.name,
        'season.national.phase.digests',
        '9. … time: digests built and delivered',
        round(phaseSeconds('digests'), 1),
        's',
        undefined,
        share(phaseSeconds('digests')),
      ),
      figure(
        nationalSeason.name,
        'season.national.phase.observe',
        '9. … time: simulator reading cases back and weekly rows',
        round(phaseSeconds('observe', 'week'), 1),
        's',
        undefined,
        `${share(phaseSeconds('observe', 'week'))}; observe ${phases.observe?.seconds ?? 0} s, weekly rows ${phases.week?.seconds ?? 0} s`,
      ),
    ];
    if (roll) {
      rows.push(
        figure(
          nationalSeason.name,
          'season.national.progress',
          `9. Progress roll-up, nation (${PROVINCES} provinces' counters, in process): p95 (${roll.requests} requests)`,
          roll.nation.p95,
          'ms',
          { op: '<=', value: 50, unit: 'ms' },
          `p50 ${roll.nation.p50} ms; one ${round(villages / PROVINCES, 0)}-village province p95 ${roll.province.p95} ms (in process, without HTTP); the nation is ProgressService.forNation: the ${PROVINCES} campaigns' counters summed by province in four statements`,
        ),
      );
    }
    return rows;
  },
};
