import type { INestApplicationContext } from '@nestjs/common';
import { dmy } from '@rasoat/calendar';
import type { ManualClock } from '@rasoat/engine';
import { startSeasonEngine, SeasonLoop, type SeasonEngineOptions, type SeasonLoopOptions } from '@rasoat/season';
import { SeasonTimer, type SeasonTiming } from '@rasoat/season-model';
import { SeasonFigures, type SeasonSummary, type WeekRow } from './season-figures';
import { prepareSeason, type SeasonCampaign, type SeasonHeader, type SeasonScope } from './season-setup';
import { startWebhookReceiver } from './webhook-receiver';

// The simulator's public face: its callers (the simulate command, the national-season
// benchmark, the tests) import from here, not from the parts.
export { seasonWindow } from '@rasoat/season-model';
export type { SeasonTiming } from '@rasoat/season-model';
export type { SeasonSummary, WeekRow } from './season-figures';
export type { SeasonCampaign, SeasonHeader, StageInfo } from './season-setup';

/** What to simulate, and where. */
export interface SeasonOptions extends SeasonScope, SeasonEngineOptions, SeasonLoopOptions {}

export interface SeasonHandlers {
  header(header: SeasonHeader): void;
  week(row: WeekRow): void;
  /** Where the wall time went, at the end (also after an early stop). */
  timing?(timing: SeasonTiming): void;
  /** After the summary, before the engine closes: e.g. reading progress of the finished season. */
  inspect?(season: {
    app: INestApplicationContext;
    clock: ManualClock;
    campaigns: readonly SeasonCampaign[];
  }): Promise<void>;
}

/**
 * Plays one campaign season in virtual time against the real engine: the engine and its
 * workers in this process with a ManualClock (`startSeasonEngine` of libs/season), PostgreSQL and Redis for
 * real, a local webhook receiver for the committees' digests (`webhook-receiver.ts`). The
 * provinces, campaigns and village agents are prepared (`season-setup.ts`), the virtual days
 * played (`SeasonLoop` of libs/season, reproducible for a seed), and what they produced read back
 * (`season-figures.ts`) for the report (`report.ts`).
 */
export async function runSeason(options: SeasonOptions, handlers: SeasonHandlers): Promise<SeasonSummary> {
  const wallStart = Date.now();
  const receiver = await startWebhookReceiver();
  try {
    const engine = await startSeasonEngine(options);
    try {
      const timer = new SeasonTimer();
      const prepareStart = Date.now();
      const season = await prepareSeason(engine, options, receiver.url);
      timer.prepareMs = Date.now() - prepareStart;
      handlers.header(season.header);
      try {
        const figures = new SeasonFigures(engine.app, season.campaigns, season.header.stages);
        const loop = new SeasonLoop(
          engine,
          {
            campaignIds: season.campaigns.map((c) => c.campaignId),
            agents: season.agents,
            start: season.header.window.start,
            until: season.header.until,
            subscriptions: season.header.subscriptions,
          },
          timer,
          options,
        );
        const virtualDays = await loop.play(async ({ week, from, to }) => {
          const row = await figures.week(week, from, to);
          handlers.week(row);
          const elapsed = ((Date.now() - wallStart) / 1000).toFixed(0);
          options.log(
            `[${elapsed}s] tuần / week ${week} → ${dmy(to)}: ${row.completed}/${season.agents.length} hoàn thành / completed, ${row.events} sự kiện / events`,
          );
        });
        const summary = await figures.summary(season.header.window, season.agents, {
          refused: loop.refused + loop.householdsRefused,
          received: receiver.received,
          virtualDays,
          wallStart,
        });
        await handlers.inspect?.({ app: engine.app, clock: engine.clock, campaigns: season.campaigns });
        return summary;
      } finally {
        handlers.timing?.(timer.timing());
      }
    } finally {
      await engine.close();
    }
  } finally {
    await receiver.close();
  }
}
