import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR, type Actor } from '@rasoat/contracts';
import {
  CampaignsService,
  CaseAcceptanceService,
  CaseDeadlinesService,
  ProgressService,
  UnitsService,
} from '@rasoat/engine';
import { eventually, startTestEngine, type TestEngine } from '@rasoat/testing';

/**
 * The progress view is read from aggregates kept in the same transaction as each change; after
 * many concurrent transitions, its numbers must equal a direct recount of the cases.
 * Province P9 (no district): 5 communes × 10 villages.
 */
describe('progress aggregates', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let campaignId: string;
  const sql = <T>(query: string, params: unknown[] = []) =>
    engine.get(EntityManager).fork().execute<T[]>(query, params);
  const viewer: Actor = { sub: 'p', role: 'province_committee', unit: 'P9' };

  beforeEach(async () => {
    engine = await startTestEngine({ worker: true, start: new Date('2026-09-01T02:00:00Z') });
    const units = [{ code: 'P9', name: 'Tỉnh P9', level: 'province' as const, parentCode: null }];
    for (let c = 1; c <= 5; c++) {
      units.push({ code: `P9C${c}`, name: `Xã ${c}`, level: 'commune' as never, parentCode: 'P9' as never });
      for (let v = 1; v <= 10; v++)
        units.push({
          code: `P9C${c}V${v}`,
          name: `Thôn ${v}`,
          level: 'village' as never,
          parentCode: `P9C${c}` as never,
        });
    }
    await engine.get(UnitsService).upsertTree(units as never);
    campaignId = (
      await engine.get(CampaignsService).start(
        {
          provinceCode: 'P9',
          year: 2026,
          definitionKey: 'periodic-review@1',
          windowStart: '2026-09-01',
          windowEnd: '2026-09-10',
        },
        SYSTEM_ACTOR,
      )
    ).campaign.id;
  });
  afterEach(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  async function recount() {
    const steps = await sql<{ step: string; n: number }>(
      `select step, count(*)::int as n from review_case where campaign_id = ? group by step`,
      [campaignId],
    );
    const today = '2026-09-11';
    const [open] = await sql<{ overdue: number; soon: number }>(
      `select count(*) filter (where d.due_date < ?::date)::int as overdue, count(*) filter (where d.due_date >= ?::date and d.due_date <= ?::date + 7)::int as soon
       from deadline d join review_case c on c.id = d.case_id where c.campaign_id = ? and d.status in ('armed', 'overdue')`,
      [today, today, today, campaignId],
    );
    return { byStep: Object.fromEntries(steps.map((s) => [s.step, s.n])), ...open };
  }

  /**
   * Concurrently: every village submits its list; odd villages also survey; every third holds its
   * meeting. Then, on 11 September, the posting periods end and their events go through the worker too.
   */
  async function transitionEveryCaseTo11September() {
    const accept = engine.get(CaseAcceptanceService);
    const cases = await sql<{ id: string; village_code: string; commune_code: string }>(
      `select id, village_code, commune_code from review_case where campaign_id = ?`,
      [campaignId],
    );
    await Promise.all(
      cases.map(async (c, i) => {
        const board: Actor = { sub: 'b', role: 'village_board', unit: c.village_code };
        await accept.accept(
          c.id,
          {
            type: 'REVIEW_LIST_SUBMITTED',
            data: { householdCount: 2, fromPreviousLists: 2, newlyArising: 0, requests: 0 },
          },
          board,
          `l-${c.id}`,
        );
        if (i % 2 === 1)
          await accept.accept(
            c.id,
            { type: 'SURVEY_COMPLETED', data: { householdsSurveyed: 2, poorCount: 1, nearPoorCount: 0 } },
            board,
            `s-${c.id}`,
          );
        if (i % 2 === 1 && i % 3 === 0) {
          await accept.accept(
            c.id,
            {
              type: 'MEETING_HELD',
              data: {
                date: '2026-09-05',
                chair: 'Trưởng thôn',
                attendees: 10,
                opinionsGiven: 8,
                householdsPut: 1,
                householdsAgreed: 1,
              },
            },
            board,
            `m-${c.id}`,
          );
        }
      }),
    );
    await eventually(
      async () => {
        const [{ pending }] = await sql<{ pending: number }>(
          `select count(*)::int as pending from case_event where status = 'pending'`,
        );
        return pending === 0;
      },
      30_000,
      'every event to be applied',
    );

    engine.clock.set(new Date('2026-09-11T02:00:00Z'));
    await engine.get(CaseDeadlinesService).fireDue(); // posting periods end: their events go through the worker too
    await eventually(
      async () => {
        const [{ pending }] = await sql<{ pending: number }>(
          `select count(*)::int as pending from case_event where status = 'pending'`,
        );
        return pending === 0;
      },
      30_000,
      'the posting-period events to be applied',
    );
  }

  it('counts deadlines due within 7 days from the aggregate', async () => {
    engine.clock.set(new Date('2026-09-05T02:00:00Z'));
    const p = await engine.get(ProgressService).forUnit('P9', campaignId, viewer);
    expect(p.totals).toMatchObject({ cases: 50, overdue: 0, dueWithin7Days: 50 });
    expect(p.children.map((c) => (c as { dueWithin7Days: number }).dueWithin7Days)).toEqual([10, 10, 10, 10, 10]);
  });

  it('after concurrent transitions on every case, progress equals a direct recount', async () => {
    await transitionEveryCaseTo11September();
    const p = await engine.get(ProgressService).forUnit('P9', campaignId, viewer);
    const truth = await recount();
    expect(p.totals.byStep).toEqual(expect.objectContaining(truth.byStep));
    expect(Object.values(p.totals.byStep).reduce((a, b) => a + b, 0)).toBe(50);
    expect({ overdue: p.totals.overdue, soon: p.totals.dueWithin7Days }).toEqual({
      overdue: truth.overdue,
      soon: truth.soon,
    });
    expect(truth.overdue).toBeGreaterThan(0);
    const [{ finished2 }] = await sql<{ finished2: number }>(
      `select count(*)::int as finished2 from review_case where campaign_id = ? and max_stage >= 3`,
      [campaignId],
    );
    expect(p.totals.finishedStage['2']).toBe(finished2);
  });

  it('keeps a daily copy of the stage counters: progress over the season', async () => {
    await transitionEveryCaseTo11September();
    await engine.get(CaseDeadlinesService).sweep(60);
    const p = await engine.get(ProgressService).forUnit('P9', campaignId, viewer);
    expect(p.history).toEqual([{ day: '2026-09-11', finishedStage: p.totals.finishedStage }]);
  });

  it('rolls the nation up from every province campaign of the process and year, national actors only', async () => {
    await transitionEveryCaseTo11September();
    // A second province with its own campaign of the same process and year, and one of an older year.
    await engine.get(UnitsService).upsertTree([
      { code: 'Q8', name: 'Tỉnh Q8', level: 'province', parentCode: null },
      { code: 'Q8C1', name: 'Xã 1', level: 'commune', parentCode: 'Q8' },
      { code: 'Q8C1V1', name: 'Thôn 1', level: 'village', parentCode: 'Q8C1' },
      { code: 'Q8C1V2', name: 'Thôn 2', level: 'village', parentCode: 'Q8C1' },
    ]);
    const campaigns = engine.get(CampaignsService);
    await campaigns.start(
      {
        provinceCode: 'Q8',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-09-10',
      },
      SYSTEM_ACTOR,
    );
    await campaigns.start(
      {
        provinceCode: 'Q8',
        year: 2025,
        definitionKey: 'periodic-review@1',
        windowStart: '2025-09-01',
        windowEnd: '2025-09-10',
      },
      SYSTEM_ACTOR,
    );
    const progress = engine.get(ProgressService);
    const nation: Actor = { sub: 'n', role: 'national_admin', unit: 'VN' };
    const p9 = await progress.forUnit('P9', campaignId, viewer);
    const all = await progress.forNation('periodic-review', 2026, nation);
    expect(all.children.map((c) => [c.code, c.cases])).toEqual([
      ['P9', 50],
      ['Q8', 2],
    ]);
    expect(all.totals.cases).toBe(52);
    expect(all.children[0]).toMatchObject({
      byStep: p9.totals.byStep,
      finishedStage: p9.totals.finishedStage,
      overdue: p9.totals.overdue,
      dueWithin7Days: p9.totals.dueWithin7Days,
    });
    expect(all.totals.overdue).toBe(p9.totals.overdue + all.children[1].overdue);
    expect(all.children[1].overdue).toBe(2); // Q8's listing step, due before today
    // Defaults: the latest campaign's process and its latest year.
    expect((await progress.forNation(undefined, undefined, nation)).totals.cases).toBe(52);
    expect((await progress.forNation('periodic-review', 2025, nation)).totals.cases).toBe(2);
    await expect(progress.forNation('periodic-review', 2026, viewer)).rejects.toMatchObject({
      code: 'AUTH_OUT_OF_SCOPE',
    });
    await expect(progress.forNation('no-such-process', 2026, nation)).rejects.toMatchObject({
      code: 'CAMPAIGN_NOT_FOUND',
    });
  });
});
