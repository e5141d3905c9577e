import { ProgressService } from '@rasoat/engine';
import { withDatabase } from '@rasoat/local-services';
import { TEST_ENV, testRedisUrl } from '@rasoat/testing';
import { runSeason, type SeasonHeader, type SeasonTiming, type WeekRow } from './season';
import { startSimulationServices } from './services';

/**
 * Several provinces in one season (what the national-season benchmark plays at 80,000
 * villages): one campaign each, the same virtual days, the weekly rows and the summary summed
 * over them, the time per phase reported.
 */
describe('a season of several provinces', () => {
  it('plays one campaign per province on the same days and sums them', async () => {
    const lines: string[] = [];
    const services = await startSimulationServices({
      databaseUrl: withDatabase(process.env[TEST_ENV.pgServer] as string, 'postgres'),
      redisUrl: testRedisUrl(),
      dataDir: '.data',
      log: (l) => lines.push(l),
    });
    let header: SeasonHeader | undefined;
    let timing: SeasonTiming | undefined;
    const weeks: WeekRow[] = [];
    const perProvince: Record<string, number> = {};
    try {
      const summary = await runSeason(
        {
          provinces: [
            { code: 'P01', villages: 12 },
            { code: 'P02', villages: 30 },
          ],
          seed: 3,
          definitionKey: 'periodic-review@1',
          daysAfterWindow: 2,
          databaseUrl: services.databaseUrl,
          redisUrl: services.redisUrl,
          queuePrefix: services.queuePrefix,
          env: { ...process.env, NODE_ENV: 'test' },
          log: (l) => lines.push(l),
        },
        {
          header: (h) => (header = h),
          week: (w) => weeks.push(w),
          timing: (t) => (timing = t),
          inspect: async ({ app, campaigns }) => {
            for (const c of campaigns)
              perProvince[c.provinceCode] = (
                await app
                  .get(ProgressService)
                  .forUnit(c.provinceCode, c.campaignId, { sub: 't', role: 'national_admin', unit: 'VN' })
              ).totals.cases;
          },
        },
      );
      expect(header).toMatchObject({
        province: { code: 'VN', villages: 42, districts: 0, communes: 3 },
        provinces: [
          { code: 'P01', villages: 12 },
          { code: 'P02', villages: 30 },
        ],
        subscriptions: 5,
      });
      expect(perProvince).toEqual({ P01: 12, P02: 30 });
      expect(summary.villages).toBe(42);
      expect(summary.completed).toBeGreaterThan(30);
      expect(summary.events.refused).toBe(0);
      expect(summary.events.applied + summary.events.rejected).toBe(summary.events.accepted);
      expect(weeks[weeks.length - 1].completed).toBe(summary.completed);
      expect(summary.digests).toBeGreaterThan(0);
      expect(timing?.counts.accepts).toBe(summary.events.accepted - summary.events.system);
      expect(Object.keys(timing?.phases ?? {})).toEqual(
        expect.arrayContaining([
          'work',
          'settle.after-work',
          'alarms.events',
          'alarms.due',
          'digests',
          'observe',
          'week',
        ]),
      );
    } finally {
      await services.cleanup({ keepDatabase: false });
    }
  }, 240_000);
});
