import type { INestApplicationContext } from '@nestjs/common';
import type { ManualClock } from '@rasoat/engine';
import { startSeasonEngine, type SeasonEngineOptions } from './season-engine';
import { SeasonFigures, type SeasonSummary, type WeekRow } from './season-figures';
import { SeasonLoop, type SeasonLoopOptions } from './season-loop';
import { prepareSeason, type SeasonCampaign, type SeasonHeader, type SeasonScope } from './season-setup';
import { SeasonTimer, type SeasonTiming } from './season-timer';
import { startWebhookReceiver } from './webhook-receiver';

// The simulator's public face: its callers (the simulate command, the national-season
// benchmark, the tests) import from here, not from the parts.
export { seasonWindow } from './season-calendar';
export type { SeasonSummary, WeekRow } from './season-figures';
export type { SeasonCampaign, SeasonHeader, StageInfo } from './season-setup';
export type { SeasonTiming } from './season-timer';

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
 * workers in this process with a ManualClock (`season-engine.ts`), PostgreSQL and Redis for
 * real, a local webhook receiver for the committees' digests (`webhook-receiver.ts`). The
 * provinces, campaigns and village agents are prepared (`season-setup.ts`), the virtual days
 * played (`season-loop.ts`, reproducible for a seed), and what they produced read back
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
        const loop = new SeasonLoop(engine, season, figures, timer, options);
        const virtualDays = await loop.play((row) => handlers.week(row), wallStart);
        const summary = await figures.summary(season.header.window, season.agents, {
          refused: loop.refused,
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
