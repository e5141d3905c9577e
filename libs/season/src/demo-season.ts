import { EntityManager } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import { civilDateOf, dmy, endOfDayInstant } from '@rasoat/calendar';
import type { AppConfig } from '@rasoat/config';
import { DefinitionRegistry, ProgressService } from '@rasoat/engine';
import { withAdvisoryLock } from '@rasoat/persistence';
import { assignPaces, at, PACES, SeasonTimer, type Pace } from '@rasoat/season-model';
import { vi } from '@rasoat/workflow-core';
import { DemoSeasonRepository } from './demo-season.repository';
import { campaignVillages, createAgents, surveyProfile } from './season-agents';
import { startSeasonEngine } from './season-engine';
import { SeasonLoop } from './season-loop';

/** Where and when the demo season is played. */
export interface DemoSeasonOptions {
  /** The process's configuration: database, Redis, queue prefix, `demo.*`. */
  config: AppConfig;
  /** The real "now" the season is played up to (the start command's clock; tests inject another). */
  now: Date;
  /** Progress lines, Vietnamese first (the start log). */
  log: (line: string) => void;
  /** The environment the season engine's configuration is read from (worker concurrency…). */
  env?: NodeJS.ProcessEnv;
  /** The engine's own log lines too. */
  verbose?: boolean;
  /**
   * Only the first N villages (in code order) work; the others' cases stay at the first step.
   * For tests: the start command plays every village.
   */
  villages?: number;
}

/** What the demo season did at this start. */
export type DemoSeasonOutcome =
  | { played: false; reason: 'off' | 'done' | 'other-campaigns' | 'before-window' }
  | {
      played: true;
      campaignId: string;
      /** The virtual instant the season stopped at: now, or the end of the window's last day. */
      until: Date;
      villages: number;
      byStep: Record<string, number>;
      completed: number;
      overdue: number;
      notifications: number;
      wallSeconds: number;
    };

const ADMIN = { sub: 'demo-season', role: 'national_admin', unit: 'VN' } as const;

/**
 * The demo's season at the first start (`npm start`): the demo province's campaign opened at the
 * window's first day and played in virtual time up to `now`, at most to the window's end, through
 * the real engine — its own instance on a ManualClock, with its workers and its own queue prefix,
 * in this process — with the season model of @rasoat/season-model (villages' lists, surveys,
 * meetings, postings, complaints, re-checks; the deadlines' reminders, overdue notices and
 * escalations rung as they fall due; notifications written). Seeded: the same seed and date
 * give the same season.
 *
 * Once per database: under a PostgreSQL advisory lock (other processes starting at once wait,
 * then find it played), with a `demo_season` row written `playing` before and `done` after. A
 * row left `playing` by a start that stopped midway makes the next start remove that campaign
 * and play the season again. A database that already has campaigns (an earlier demo, a real
 * province) is left alone. Call it before the process's own engine starts its workers.
 */
export async function playDemoSeason(options: DemoSeasonOptions): Promise<DemoSeasonOutcome> {
  const { config, now, log } = options;
  const { demo } = config;
  if (!demo.seed || !demo.season.play) return { played: false, reason: 'off' };
  const databaseUrl = config.databaseUrl as string;
  return withAdvisoryLock(databaseUrl, 'rasoat-demo-season', async () => {
    const repo = await DemoSeasonRepository.open(databaseUrl);
    try {
      const marker = await repo.find(demo.provinceCode, demo.year);
      if (marker?.status === 'done') {
        log(
          `mùa rà soát demo đã được phát (đến ${dmy(civilDateOf(marker.played_until ?? marker.started_at))}) / the demo season was played already`,
        );
        return { played: false, reason: 'done' };
      }
      const campaigns = await repo.campaigns(demo.provinceCode, demo.year);
      if (marker?.status === 'playing') {
        log(
          'lần khởi động trước dừng giữa mùa rà soát demo: xoá đợt dở dang và phát lại từ đầu / the previous start stopped midway through the demo season: removing it and playing it again',
        );
        await repo.removeInterrupted(demo.provinceCode, demo.year, marker.campaign_id ?? campaigns.demo);
      } else if (campaigns.demo !== null || campaigns.others > 0) {
        log(
          'cơ sở dữ liệu đã có đợt rà soát: không phát mùa demo / the database already has campaigns: the demo season is not played',
        );
        return { played: false, reason: 'other-campaigns' };
      }
      const windowOpens = at(demo.windowStart, '06:00:00');
      if (now.getTime() <= windowOpens.getTime()) return { played: false, reason: 'before-window' };
      await repo.begin({
        provinceCode: demo.provinceCode,
        year: demo.year,
        definitionKey: demo.definitionKey,
        seed: demo.season.seed,
        now,
      });
      const outcome = await play(options, repo);
      await repo.finish(demo.provinceCode, demo.year, {
        playedUntil: outcome.until,
        now,
        summary: { ...outcome, until: outcome.until.toISOString() },
      });
      return outcome;
    } finally {
      await repo.close();
    }
  });
}

async function play(
  options: DemoSeasonOptions,
  repo: DemoSeasonRepository,
): Promise<Extract<DemoSeasonOutcome, { played: true }>> {
  const { config, now, log } = options;
  const { demo } = config;
  const wallStart = Date.now();
  const ended = endOfDayInstant(demo.windowEnd);
  // After the window: the season as it stood at the end of its last day (what fell due since is
  // the product's sweeper's to ring, on the real clock).
  const stopAt = now.getTime() < ended.getTime() ? now : undefined;
  const until = stopAt ? civilDateOf(now) : demo.windowEnd;
  const queuePrefix = `${config.queuePrefix}-demo-season`;
  await deleteQueueKeys(config.redisUrl as string, queuePrefix);
  log(
    `mùa rà soát demo: tỉnh ${demo.provinceCode}, ${demo.definitionKey}, từ ${dmy(demo.windowStart)} đến ${stopAt ? `nay (${dmy(until)})` : dmy(until)}, hạt giống ${demo.season.seed} / playing the demo season up to ${stopAt ? 'now' : 'the window end'}`,
  );
  const engine = await startSeasonEngine({
    databaseUrl: config.databaseUrl as string,
    redisUrl: config.redisUrl as string,
    queuePrefix,
    env: options.env ?? process.env,
    log: (line) => log(line),
    verbose: options.verbose,
    migrate: false,
    seedDemo: true,
    overrides: { 'demo.definitionKey': demo.definitionKey, 'demo.season.seed': demo.season.seed },
  });
  try {
    const { app, clock } = engine;
    const campaignId = (await repo.campaigns(demo.provinceCode, demo.year)).demo;
    if (campaignId === null) throw new Error(`the demo campaign of ${demo.provinceCode} ${demo.year} was not started`);
    await repo.setCampaign(demo.provinceCode, demo.year, campaignId);
    const compiled = await app.get(DefinitionRegistry).get(demo.definitionKey);
    const villages = (await campaignVillages(app, campaignId)).slice(0, options.villages ?? Number.POSITIVE_INFINITY);
    const survey = await surveyProfile(app, campaignId);
    const paces = assignPaces(villages.length, demo.season.seed);
    const agents = createAgents(app, villages, {
      definition: compiled.definition,
      provinceCode: demo.provinceCode,
      year: demo.year,
      paces,
      seed: demo.season.seed,
      survey,
      start: demo.windowStart,
    });
    const counts = Object.fromEntries(PACES.map((p) => [p, paces.filter((x) => x === p).length])) as Record<
      Pace,
      number
    >;
    log(
      `${villages.length} thôn (${counts.early} nhanh, ${counts.typical} trung bình, ${counts.late} chậm) — ${vi(compiled.definition.title)} / ${villages.length} villages`,
    );
    const timer = new SeasonTimer();
    const loop = new SeasonLoop(
      engine,
      { campaignIds: [campaignId], agents, start: demo.windowStart, until, stopAt, subscriptions: 0 },
      timer,
      { log },
    );
    const progress = app.get(ProgressService);
    await loop.play(async ({ week, to }) => {
      const p = await progress.forUnit(demo.provinceCode, campaignId, ADMIN);
      const done = p.totals.byStep.completed ?? 0;
      log(
        `[${((Date.now() - wallStart) / 1000).toFixed(0)}s] tuần ${week} → ${dmy(to)}: ${done}/${villages.length} thôn hoàn thành, ${p.totals.overdue} quá hạn / week ${week}: ${done} completed, ${p.totals.overdue} overdue`,
      );
    });
    // Whatever fell due between the last phase played and the stop rings now, as the sweeper would.
    const stop = stopAt ?? ended;
    if (clock.now().getTime() < stop.getTime()) clock.set(stop);
    await loop.alarms();
    await loop.settle();
    const p = await progress.forUnit(demo.provinceCode, campaignId, ADMIN);
    const [{ n: notifications }] = await app
      .get(EntityManager)
      .fork()
      .execute<{ n: number }[]>(
        'select count(*)::int as n from notification n join review_case c on c.id = n.case_id where c.campaign_id = ?',
        [campaignId],
      );
    const outcome = {
      played: true as const,
      campaignId,
      until: stop,
      villages: villages.length,
      byStep: p.totals.byStep,
      completed: p.totals.byStep.completed ?? 0,
      overdue: p.totals.overdue,
      notifications,
      wallSeconds: Math.round((Date.now() - wallStart) / 100) / 10,
    };
    if (loop.refused + loop.householdsRefused > 0)
      log(
        `${loop.refused} sự kiện và ${loop.householdsRefused} thao tác hộ bị từ chối (mô hình và quy trình lệch nhau) / refused events and household operations`,
      );
    const phases = Object.entries(timer.timing().phases)
      .sort((x, y) => y[1].ms - x[1].ms)
      .slice(0, 6)
      .map(([name, p]) => `${name} ${(p.ms / 1000).toFixed(1)} s`)
      .join(', ');
    log(`thời gian / where the time went: ${phases}`);
    log(
      `mùa rà soát demo xong sau ${outcome.wallSeconds} s: ${outcome.completed}/${outcome.villages} thôn hoàn thành, ${outcome.overdue} hạn quá hạn, ${notifications} thông báo / the demo season was played`,
    );
    return outcome;
  } finally {
    await engine.close();
    await deleteQueueKeys(config.redisUrl as string, queuePrefix).catch(() => undefined);
  }
}

/** Deletes the keys of the season's own queues (BullMQ keys are `<prefix>:<queue>:…`). */
async function deleteQueueKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: true });
  await client.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
