import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueName } from '@rasoat/contracts';
import { TimersProducer, type UnitSeed } from '@rasoat/engine';
import type { BenchContext } from '../lib/context';
import { CpuSampler, formatCpu } from '../lib/cpu';
import { figure, type Figure } from '../lib/report';
import { round, until } from '../lib/stats';
import type { Scenario } from './scenario';

const PROVINCE = 'S8';

/** A synthetic province without districts: `communes` × `villages` villages. */
export function stormProvince(communes: number, villages: number): UnitSeed[] {
  const units: UnitSeed[] = [
    { code: PROVINCE, name: 'Tỉnh thử tải / storm province', level: 'province', parentCode: null },
  ];
  for (let c = 1; c <= communes; c++) {
    const commune = `${PROVINCE}C${c}`;
    units.push({ code: commune, name: `Xã ${c}`, level: 'commune', parentCode: PROVINCE });
    for (let v = 1; v <= villages; v++)
      units.push({ code: `${commune}V${v}`, name: `Thôn ${v}`, level: 'village', parentCode: commune });
  }
  return units;
}

/**
 * One legal date makes every village due at the same instant. 80,000 village cases (800
 * communes × 100 villages) each get their listing deadline due at the same instant T, with the
 * plan "overdue notice, then escalation level 1 to the commune committee". A real worker process
 * rings them from one wake-up job. Measured: T → the last deadline rung (state, history and
 * notifications committed, observed by polling), when ringing started, notifications written,
 * and the committees one digest each would go to. Then `armed-deadlines` reuses these cases.
 */
export const deadlineStorm: Scenario = {
  name: 'deadline-storm',
  title: 'Deadline storm',
  async run(ctx: BenchContext) {
    const communes = ctx.count(800, 80);
    const seeded = await ctx.seedCampaign(PROVINCE, stormProvince(communes, 100));
    ctx.details.stormCampaign = { campaignId: seeded.campaignId };
    const n = seeded.cases.length;
    const worker = await ctx.startChild('worker', 'storm-worker');
    const at = new Date(Math.ceil((Date.now() + 20_000) / 1000) * 1000);
    const alarms = JSON.stringify([
      { at: at.toISOString(), kind: 'due', level: 0 },
      { at: at.toISOString(), kind: 'escalation', level: 1 },
    ]);
    await ctx.pg.query(
      `update deadline d set alarms = $1::jsonb, next_alarm = 0, next_alarm_at = $2, due_at = $2
       from review_case c where c.id = d.case_id and c.campaign_id = $3 and d.status = 'armed'`,
      [alarms, at, seeded.campaignId],
    );
    const app = await ctx.engine();
    await app.get(TimersProducer).wakeAt([at], new Date());
    const timers = app.get<Queue>(getQueueToken(QueueName.Timers));
    const delayed = await timers.getDelayedCount();

    await until(async () => Date.now() >= at.getTime(), 'the storm instant', 60_000, 20);
    const cpuFrom = ctx.cpu.snapshot();
    // Polled every 100 ms: the completion time is known to ±0.1 s (the history rows carry the
    // instant their ringing pass started, the same for a whole pass, so they cannot date commits).
    await until(
      async () => {
        const { rows } = await ctx.pg.query<{ left: number }>(
          `select count(*)::int as left from deadline d join review_case c on c.id = d.case_id where c.campaign_id = $1 and d.next_alarm_at is not null`,
          [seeded.campaignId],
        );
        return rows[0].left === 0;
      },
      'every storm deadline to ring',
      600_000,
      100,
    );
    const doneAt = Date.now();
    // CPU of the ringing alone, read while the worker still runs (a stopped process's CPU is no longer attributable).
    const cpu = CpuSampler.report(cpuFrom, ctx.cpu.snapshot());
    ctx.measuredWindow(deadlineStorm.name, cpu);
    ctx.log(`deadline-storm: ${formatCpu(cpu)}`);
    const { rows: done } = await ctx.pg.query<{ first: Date; rung: number }>(
      `select min(h.at) as first, count(*)::int as rung
       from case_history h join review_case c on c.id = h.case_id
       where c.campaign_id = $1 and h.kind = 'deadline' and h.details ->> 'alarm' = 'escalation'`,
      [seeded.campaignId],
    );
    const { rows: notes } = await ctx.pg.query<{ template: string; n: number; recipients: number }>(
      `select nt.template, count(*)::int as n, count(distinct (nt.unit_code, nt.role))::int as recipients
       from notification nt join review_case c on c.id = nt.case_id where c.campaign_id = $1 group by nt.template`,
      [seeded.campaignId],
    );
    await ctx.stopChild(worker);
    const seconds = (doneAt - at.getTime()) / 1000;
    const startedAfter = (new Date(done[0].first).getTime() - at.getTime()) / 1000;
    const byTemplate = Object.fromEntries(
      notes.map((r) => [r.template, { notifications: r.n, recipients: r.recipients }]),
    );
    const committees = notes.find((r) => r.template === 'step-escalated')?.recipients ?? 0;
    ctx.details[deadlineStorm.name] = {
      deadlines: n,
      instant: at.toISOString(),
      delayedJobs: delayed,
      seconds: round(seconds, 2),
      ringingStartedAfterSeconds: round(startedAfter, 2),
      notifications: byTemplate,
      cpu,
    };
    return [
      figure(
        deadlineStorm.name,
        'deadlines.storm',
        `7. Deadline storm: ${n.toLocaleString('en')} due at once, all processed (state, history, notifications)`,
        round(seconds, 2),
        's',
        { op: '<=', value: 5, unit: 's' },
        `${delayed} Redis wake-up job(s) for all of them; ${done[0].rung} escalations rung`,
      ),
      figure(
        deadlineStorm.name,
        'deadlines.storm.start',
        '7. … ringing started after the due instant (wake-up lateness)',
        round(startedAfter, 2),
        's',
        undefined,
        'every deadline was late by at most the completion time above',
      ),
      figure(
        deadlineStorm.name,
        'deadlines.storm.committees',
        '7. … commune committees told (one digest each, not one message per village)',
        committees,
        'committees',
        undefined,
        `${(byTemplate['step-overdue']?.notifications ?? 0).toLocaleString('en')} overdue notices to village boards, ${(byTemplate['step-escalated']?.notifications ?? 0).toLocaleString('en')} escalation notices in ${committees} committee inboxes`,
      ),
    ];
  },
};
