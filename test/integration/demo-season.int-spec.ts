import { Client } from 'pg';
import { loadConfig } from '@rasoat/config';
import { migrateDatabase } from '@rasoat/persistence';
import { playDemoSeason, type DemoSeasonOutcome } from '@rasoat/season';
import { createTestDatabase, testJwtSecret, testQueuePrefix, testRedisUrl } from '@rasoat/testing';

/**
 * The start command's demo season (libs/season, `playDemoSeason`) on a fresh database, with
 * the clock at 15/10/2026 10:00 (Asia/Ho_Chi_Minh): the demo campaign opened at the window's
 * first day and played through the real engine up to then. 400 of the province's ~1,900 villages
 * work (the start command plays all of them; the others stay at step 1 here) to keep the test short.
 */
const NOW = new Date('2026-10-15T10:00:00+07:00');
const VILLAGES = 400;

describe('the demo season at the first start', () => {
  let db: { url: string; drop(): Promise<void> };
  let client: Client;
  const lines: string[] = [];
  let config: ReturnType<typeof loadConfig>;

  const play = (now = NOW) =>
    playDemoSeason({
      config,
      now,
      log: (line) => lines.push(line),
      env: { ...process.env, NODE_ENV: 'test', WORKER_CONCURRENCY: '8' },
      villages: VILLAGES,
    });
  const sql = async <T>(query: string, params: unknown[] = []) => (await client.query(query, params)).rows as T[];

  /** What a second start must leave as it is. */
  const snapshot = () =>
    sql<Record<string, unknown>>(
      `select (select count(*) from review_case)::int as cases,
              (select count(*) from case_event)::int as events,
              (select count(*) from case_history)::int as history,
              (select count(*) from notification)::int as notifications,
              (select count(*) from deadline)::int as deadlines,
              (select count(*) from household)::int as households,
              (select jsonb_object_agg(step, n) from (select step, count(*)::int as n from review_case group by step) s) as steps,
              (select max(updated_at) from review_case) as last_change`,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateDatabase(db.url, { log: () => undefined });
    config = loadConfig(
      { ...process.env, NODE_ENV: 'test' },
      {
        databaseUrl: db.url,
        redisUrl: testRedisUrl(),
        queuePrefix: testQueuePrefix(),
        jwtSecret: testJwtSecret(),
        'demo.seed': true,
        'demo.season.play': true,
      },
    );
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  let first: DemoSeasonOutcome;

  it('plays the season up to the injected now: villages spread over the steps, some overdue, counters that match the cases', async () => {
    first = await play();
    expect(first).toMatchObject({ played: true, villages: VILLAGES });
    if (!first.played) return;

    // Villages in several steps of the definition, none past the window, none finished by mid-October.
    const steps = await sql<{ step: string; n: number }>(
      'select step, count(*)::int as n from review_case where campaign_id = $1 group by step',
      [first.campaignId],
    );
    const byStep = Object.fromEntries(steps.map((s) => [s.step, s.n]));
    const working = Object.entries(byStep).filter(([step, n]) => step !== 'listing' && n > 0);
    expect(working.length).toBeGreaterThanOrEqual(4);
    // Every village of the demo's Bắc Ninh has its case; those that did not work are still at step 1.
    const [{ villages }] = await sql<{ villages: number }>(
      `select count(*)::int as villages from admin_unit where province_code = '24' and level = 'village'`,
    );
    expect(villages).toBeGreaterThan(1500);
    expect(Object.values(byStep).reduce((a, b) => a + b, 0)).toBe(villages);
    expect(byStep.listing).toBeGreaterThanOrEqual(villages - VILLAGES);

    // The progress counters the dashboard reads are those of the cases.
    const counters = await sql<{ step: string; n: number }>(
      'select step, sum(current)::int as n from progress_counter where campaign_id = $1 group by step having sum(current) <> 0',
      [first.campaignId],
    );
    expect(Object.fromEntries(counters.map((c) => [c.step, c.n]))).toEqual(byStep);
    expect(first.byStep).toEqual(expect.objectContaining(byStep));

    // Deadlines past due and open on 15/10 (re-checks that overran), counted alike by the counter and the rows.
    const [open] = await sql<{ rows: number; counted: number }>(
      `select (select count(*) from deadline d join review_case c on c.id = d.case_id
                where c.campaign_id = $1 and d.status in ('armed', 'overdue') and d.due_date < '2026-10-15')::int as rows,
              (select coalesce(sum(open), 0) from open_deadline_counter where campaign_id = $1 and due_date < '2026-10-15')::int as counted`,
      [first.campaignId],
    );
    expect(open.rows).toBeGreaterThan(0);
    expect(open.counted).toBe(open.rows);
    expect(first.overdue).toBe(open.rows);

    // What a season produces: household lists surveyed and voted, reminders, overdue notices
    // and escalations written, all before the injected now.
    const [produced] = await sql<Record<string, number>>(
      `select (select count(*) from household where surveyed_at is not null)::int as surveyed,
              (select count(*) from household where voted_at is not null)::int as voted,
              (select count(*) from household_complaint)::int as complaints,
              (select count(*) from notification where template like 'deadline-%')::int as deadline_notices,
              (select count(*) from notification where created_at > $1)::int as notices_after_now,
              (select count(*) from case_history where at > $1)::int as history_after_now,
              (select count(*) from case_event where status = 'pending')::int as pending`,
      [NOW],
    );
    expect(produced.surveyed).toBeGreaterThan(1000);
    expect(produced.voted).toBeGreaterThan(500);
    expect(produced.complaints).toBeGreaterThan(0);
    expect(produced.deadline_notices).toBeGreaterThan(0);
    expect(produced.notices_after_now).toBe(0);
    expect(produced.history_after_now).toBe(0);
    expect(produced.pending).toBe(0);

    // Progress over the season (the dashboard's chart): a copy of the stage counters for each day played.
    const [days] = await sql<{ first: string; last: string; days: number }>(
      `select min(day)::text as first, max(day)::text as last, count(distinct day)::int as days
         from stage_counter_daily where campaign_id = $1`,
      [first.campaignId],
    );
    expect(days).toEqual({ first: '2026-09-01', last: '2026-10-14', days: 44 });

    // The campaign runs the configured two-level definition and the 2026–2030 standard.
    const [campaign] = await sql<{ definition_key: string; rule_set_period: string; window_start: string }>(
      `select definition_key, rule_set_period, window_start::text from campaign where id = $1`,
      [first.campaignId],
    );
    expect(campaign).toEqual({
      definition_key: config.demo.definitionKey,
      rule_set_period: '2026-2030',
      window_start: '2026-09-01',
    });
    const [province] = await sql<{ name: string }>(`select name from admin_unit where code = '24'`);
    expect(province.name).not.toMatch(/Bắc Giang/);
    expect(lines.join('\n')).toMatch(/mùa rà soát demo xong/);
  }, 900_000);

  it('changes nothing at a second start, even later in the season', async () => {
    const before = await snapshot();
    const again = await play(new Date('2026-11-20T10:00:00+07:00'));
    expect(again).toEqual({ played: false, reason: 'done' });
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it('plays an interrupted season again from the start, to the same picture', async () => {
    if (!first.played) throw new Error('the first season was not played');
    const before = await sql<{ step: string; n: number }>(
      'select step, count(*)::int as n from review_case group by step order by step',
    );
    // A start that stopped midway leaves its marker `playing`.
    await sql(`update demo_season set status = 'playing'`);
    const replayed = await play();
    expect(replayed).toMatchObject({ played: true, villages: VILLAGES, overdue: first.overdue });
    const [{ campaigns }] = await sql<{ campaigns: number }>('select count(*)::int as campaigns from campaign');
    expect(campaigns).toBe(1);
    expect(
      await sql<{ step: string; n: number }>(
        'select step, count(*)::int as n from review_case group by step order by step',
      ),
    ).toEqual(before);
  }, 900_000);

  it('started after the window (in 2027): plays the season to the end of its last day and stops there', async () => {
    const later = await createTestDatabase();
    const laterClient = new Client({ connectionString: later.url });
    try {
      await migrateDatabase(later.url, { log: () => undefined });
      await laterClient.connect();
      const outcome = await playDemoSeason({
        config: loadConfig(
          { ...process.env, NODE_ENV: 'test' },
          {
            databaseUrl: later.url,
            redisUrl: testRedisUrl(),
            queuePrefix: testQueuePrefix(),
            jwtSecret: testJwtSecret(),
            'demo.seed': true,
            'demo.season.play': true,
          },
        ),
        now: new Date('2027-03-01T10:00:00+07:00'),
        log: () => undefined,
        env: { ...process.env, NODE_ENV: 'test', WORKER_CONCURRENCY: '8' },
        villages: 150,
      });
      const windowEnded = new Date('2026-12-14T23:59:59.999+07:00');
      expect(outcome).toMatchObject({ played: true, until: windowEnded });
      if (!outcome.played) return;
      // Most working villages finished; the stragglers' steps fell overdue at the window's end.
      expect(outcome.completed).toBeGreaterThan(100);
      expect(outcome.overdue).toBeGreaterThan(0);
      const [after] = (
        await laterClient.query(
          `select (select count(*) from notification where created_at > $1)::int as notices,
                  (select count(*) from case_history where at > $1)::int as history,
                  (select count(*) from notification where template = 'step-overdue' and created_at = $1)::int as overdue_at_end`,
          [windowEnded],
        )
      ).rows as { notices: number; history: number; overdue_at_end: number }[];
      expect(after).toMatchObject({ notices: 0, history: 0 });
      expect(after.overdue_at_end).toBeGreaterThan(0);
    } finally {
      await laterClient.end();
      await later.drop();
    }
  }, 900_000);

  it('plays once when two processes start at once: one plays, the other waits and finds it played', async () => {
    const shared = await createTestDatabase();
    const sharedClient = new Client({ connectionString: shared.url });
    try {
      await migrateDatabase(shared.url, { log: () => undefined });
      await sharedClient.connect();
      const start = () =>
        playDemoSeason({
          config: loadConfig(
            { ...process.env, NODE_ENV: 'test' },
            {
              databaseUrl: shared.url,
              redisUrl: testRedisUrl(),
              queuePrefix: testQueuePrefix(),
              jwtSecret: testJwtSecret(),
              'demo.seed': true,
              'demo.season.play': true,
            },
          ),
          now: new Date('2026-09-20T10:00:00+07:00'),
          log: () => undefined,
          env: { ...process.env, NODE_ENV: 'test', WORKER_CONCURRENCY: '4' },
          villages: 60,
        });
      const outcomes = await Promise.all([start(), start()]);
      expect(outcomes.map((o) => o.played).sort()).toEqual([false, true]);
      expect(outcomes.find((o) => !o.played)).toEqual({ played: false, reason: 'done' });
      const { rows } = await sharedClient.query<{ campaigns: number; seasons: number }>(
        `select (select count(*) from campaign)::int as campaigns, (select count(*) from demo_season where status = 'done')::int as seasons`,
      );
      expect(rows).toEqual([{ campaigns: 1, seasons: 1 }]);
    } finally {
      await sharedClient.end();
      await shared.drop();
    }
  }, 600_000);
});
