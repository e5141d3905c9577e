import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import { QueueName } from '@rasoat/contracts';
import { TimersProducer } from '@rasoat/engine';
import type { BenchContext } from '../lib/context';
import { figure } from '../lib/report';
import { round } from '../lib/stats';
import type { Scenario } from './scenario';

async function redisUsedMemory(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  try {
    await redis.connect();
    return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  } finally {
    redis.disconnect();
  }
}

/**
 * 1,000,000 armed deadlines on the storm's cases (run after `deadline-storm`): each with a
 * realistic alarm plan (two reminders at 08:00, the due instant at the end of a day, two
 * escalations), due on one of the next 100 days. Redis then holds one wake-up per distinct
 * second at which a first alarm rings, as the engine schedules them; measured: Redis memory
 * they take, and PostgreSQL size of the deadline table per deadline and per case.
 */
export const armedDeadlines: Scenario = {
  name: 'armed-deadlines',
  title: '1,000,000 armed deadlines',
  async run(ctx: BenchContext) {
    const total = ctx.count(1_000_000, 100_000);
    const campaign = (ctx.details.stormCampaign as { campaignId?: string } | undefined)?.campaignId;
    if (!campaign) throw new Error('armed-deadlines runs after deadline-storm (it reuses its cases)');
    const app = await ctx.engine();
    const timers = app.get<Queue>(getQueueToken(QueueName.Timers));
    await timers.obliterate({ force: true });
    const redisBefore = await redisUsedMemory(ctx.services.redisUrl);
    const { rows: sizeBefore } = await ctx.pg.query<{ bytes: string; n: number }>(
      `select pg_total_relation_size('deadline')::bigint as bytes, (select count(*)::int from deadline) as n`,
    );
    const started = Date.now();
    // Each case gets total / cases deadlines (different steps), due at the end of one of the next 100 days.
    await ctx.pg.query(
      `with cases as (select id, row_number() over (order by id) as r from review_case where campaign_id = $1),
            per as (select ceil($2::numeric / (select count(*) from cases))::int as k),
            rows as (
              select c.id as case_id, g, (current_date + 1 + ((c.r + g) % 100)::int) as day
              from cases c, per, generate_series(1, per.k) g limit $2)
       insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, alarms, next_alarm, next_alarm_at, calendar_version)
       select gen_random_uuid(), case_id, 'bench_step_' || g, day, (day + interval '1 day' - interval '7 hours' - interval '1 millisecond'),
              '{"due":{"kind":"windowEnd"},"reminders":[{"workingDaysBefore":5},{"workingDaysBefore":1}],"escalation":{"everyWorkingDays":2,"maxLevels":2}}'::jsonb,
              'armed', now(),
              jsonb_build_array(
                jsonb_build_object('at', to_char((day - 7 + time '01:00') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'kind', 'reminder', 'level', 5),
                jsonb_build_object('at', to_char((day - 1 + time '01:00') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'kind', 'reminder', 'level', 1),
                jsonb_build_object('at', to_char((day + interval '1 day' - interval '7 hours' - interval '1 millisecond') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'kind', 'due', 'level', 0),
                jsonb_build_object('at', to_char((day + interval '1 day' - interval '7 hours' - interval '1 millisecond') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'kind', 'escalation', 'level', 1),
                jsonb_build_object('at', to_char((day + 3 + time '01:00') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'kind', 'escalation', 'level', 2)),
              0, (day - 7 + time '01:00') at time zone 'UTC', 0
       from rows`,
      [campaign, total],
    );
    const insertSeconds = (Date.now() - started) / 1000;
    // The wake-ups the engine keeps: one per distinct second at which a next alarm rings.
    const { rows: seconds } = await ctx.pg.query<{ s: string }>(
      `select distinct ceil(extract(epoch from next_alarm_at))::bigint as s from deadline where step like 'bench_step_%' and next_alarm_at is not null`,
    );
    await app.get(TimersProducer).wakeAt(
      seconds.map((r) => new Date(Number(r.s) * 1000)),
      new Date(),
    );
    const redisAfter = await redisUsedMemory(ctx.services.redisUrl);
    await ctx.pg.query('vacuum analyze deadline');
    const { rows: sizeAfter } = await ctx.pg.query<{ bytes: string; n: number; cases: number }>(
      `select pg_total_relation_size('deadline')::bigint as bytes, (select count(*)::int from deadline) as n, (select count(*)::int from review_case where campaign_id = $1) as cases`,
      [campaign],
    );
    const added = sizeAfter[0].n - sizeBefore[0].n;
    const bytesPerDeadline = (Number(sizeAfter[0].bytes) - Number(sizeBefore[0].bytes)) / added;
    const redisMb = (redisAfter - redisBefore) / 1024 / 1024;
    ctx.details[armedDeadlines.name] = {
      deadlines: added,
      wakeUpJobs: seconds.length,
      redisBytes: redisAfter - redisBefore,
      pgBytesPerDeadline: round(bytesPerDeadline, 0),
      insertSeconds: round(insertSeconds, 1),
    };
    await timers.obliterate({ force: true });
    return [
      figure(
        armedDeadlines.name,
        'deadlines.armed.redis',
        `8. ${added.toLocaleString('en')} armed deadlines: Redis memory`,
        round(redisMb, 2),
        'MB',
        { op: '<=', value: 100, unit: 'MB' },
        `${seconds.length} wake-up jobs (one per distinct second of a next alarm), not one per deadline`,
      ),
      figure(
        armedDeadlines.name,
        'deadlines.armed.pg',
        '8. … PostgreSQL size per deadline (table + indexes)',
        round(bytesPerDeadline, 0),
        'bytes',
        undefined,
        `≈ ${round((bytesPerDeadline * added) / sizeAfter[0].cases / 1024, 1)} KiB per case over ${sizeAfter[0].cases.toLocaleString('en')} cases`,
      ),
    ];
  },
};
