import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import {
  addTestProvinces,
  eventually,
  silenceEarlierAlarms,
  startTestCampaign,
  startTestEngine,
  type TestEngine,
} from '@rasoat/testing';
import { CaseDeadlinesService } from '@rasoat/engine';
import { CaseAcceptanceService } from '@rasoat/engine';
import { CaseEngineService } from '@rasoat/engine';
import { CaseQueryService } from '@rasoat/engine';
import { InvalidPayloadException } from '@rasoat/engine';

const START = new Date('2026-09-01T02:00:00Z');
const LIST = { householdCount: 12, fromPreviousLists: 5, newlyArising: 1, requests: 2 };

/** One engine for these tests; each starts on 1 Sept 2026 and opens a season of its own (`openSeason`). */
describe('durable execution on real PostgreSQL and Redis', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let sql: <T = Record<string, any>>(q: string, p?: unknown[]) => Promise<T[]>;

  beforeAll(async () => {
    engine = await startTestEngine({ start: START });
    const em = engine.get(EntityManager);
    sql = (q, p = []) => em.fork().execute(q, p as never[]);
  });
  beforeEach(() => engine.clock.set(START));

  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  /**
   * What one test works on: a copy of the test provinces under codes of its own (`code('T1C1')`),
   * the campaign of its T1 (window 1 Sept – 14 Dec 2026), its cases by village, and the actors
   * of its commune T1C1 (a village board and the commune committee).
   */
  async function openSeason() {
    const code = await addTestProvinces(engine);
    const { campaign } = await startTestCampaign(engine, code('T1'), { windowEnd: '2026-12-14' });
    const caseOf = async (village: string) =>
      (
        await sql<{ id: string }>('select id from review_case where campaign_id = ? and village_code = ?', [
          campaign.id,
          code(village),
        ])
      )[0].id;
    const board: Actor = { sub: 'board-t1c1', role: 'village_board', unit: code('T1C1') };
    const commune: Actor = { sub: 'commune-t1c1', role: 'commune_committee', unit: code('T1C1') };
    return { code, campaignId: campaign.id, caseOf, board, commune };
  }

  /**
   * Four events of one case of commune T1C2 sent one after the other: the list, the survey, the
   * meeting (to posting) and a complaint; returns their receipts. The case enters posting on the clock's "now".
   */
  async function sendBurst(caseId: string, code: (c: string) => string) {
    const commune2: Actor = { sub: 'c2', role: 'commune_committee', unit: code('T1C2') };
    const board2: Actor = { sub: 'b2', role: 'village_board', unit: code('T1C2') };
    const accept = engine.get(CaseAcceptanceService);
    const sends = [
      () =>
        accept.accept(
          caseId,
          {
            type: 'REVIEW_LIST_SUBMITTED',
            data: { householdCount: 2, fromPreviousLists: 1, newlyArising: 0, requests: 1 },
          },
          board2,
          'burst-1',
        ),
      () =>
        accept.accept(
          caseId,
          { type: 'SURVEY_COMPLETED', data: { householdsSurveyed: 2, poorCount: 1, nearPoorCount: 0 } },
          board2,
          'burst-2',
        ),
      () =>
        accept.accept(
          caseId,
          {
            type: 'MEETING_HELD',
            data: {
              date: '2026-10-01',
              chair: 'Trưởng thôn',
              attendees: 20,
              opinionsGiven: 15,
              householdsPut: 1,
              householdsAgreed: 1,
            },
          },
          board2,
          'burst-3',
        ),
      () =>
        accept.accept(
          caseId,
          { type: 'COMPLAINT_FILED', data: { householdRef: 'H1', summary: 'Không đồng ý' } },
          commune2,
          'burst-4',
        ),
    ];
    const receipts = [];
    for (const send of sends) receipts.push(await send());
    return receipts;
  }

  it('starts a campaign idempotently: one case per village, in both tree shapes', async () => {
    const { code, campaignId } = await openSeason();
    const again = await startTestCampaign(engine, code('T1'), { windowEnd: '2026-12-14' });
    expect(again.casesCreated).toBe(0);
    expect(again.campaign.caseCount).toBe(6);
    const post2025 = await startTestCampaign(engine, code('T2'), { windowEnd: '2026-12-14' });
    expect(post2025.casesCreated).toBe(3);
    const [{ n }] = await sql<{ n: number }>(
      `select count(*)::int as n from deadline d join review_case c on c.id = d.case_id
       where c.campaign_id in (?, ?) and d.status = 'armed' and d.step = 'listing'`,
      [campaignId, post2025.campaign.id],
    );
    expect(n).toBe(9);
    const [{ current }] = await sql<{ current: number }>(
      `select sum(current)::int as current from progress_counter where campaign_id = ? and step = 'listing'`,
      [campaignId],
    );
    expect(current).toBe(6);
  });

  it('applies an accepted event through the queue and commits state, history and counters together', async () => {
    const { code, campaignId, caseOf, board } = await openSeason();
    const caseId = await caseOf('T1C1V1');
    const receipt = await engine
      .get(CaseAcceptanceService)
      .accept(caseId, { type: 'REVIEW_LIST_SUBMITTED', data: LIST }, board, 'key-apply-1');
    expect(receipt.status).toBe('pending');
    const done = await engine.get(CaseAcceptanceService).waitForOutcome(receipt, 15_000);
    expect(done.status).toBe('applied');
    const view = await engine.get(CaseQueryService).get(caseId, board);
    expect(view.step.id).toBe('survey');
    expect(view.data.REVIEW_LIST_SUBMITTED).toEqual(LIST);
    expect(view.history.map((h) => h.kind)).toEqual(['transition', 'started']);
    expect(view.history[0]).toMatchObject({
      eventType: 'REVIEW_LIST_SUBMITTED',
      fromStep: 'listing',
      toStep: 'survey',
      actor: board,
    });
    expect(view.deadlines.filter((d) => d.status === 'armed').map((d) => d.step)).toEqual(['survey']);
    const counters = await sql<{ step: string; current: number }>(
      `select step, current from progress_counter where campaign_id = ? and commune_code = ? order by step`,
      [campaignId, code('T1C1')],
    );
    expect(counters).toEqual([
      { step: 'listing', current: 2 },
      { step: 'survey', current: 1 },
    ]);
  });

  it('applies a duplicated request and a duplicated job once', async () => {
    const { caseOf, board } = await openSeason();
    const caseId = await caseOf('T1C1V2');
    const accept = engine.get(CaseAcceptanceService);
    const first = await accept.accept(caseId, { type: 'REVIEW_LIST_SUBMITTED', data: LIST }, board, 'key-dup-1');
    const second = await accept.accept(caseId, { type: 'REVIEW_LIST_SUBMITTED', data: LIST }, board, 'key-dup-1');
    expect(second.eventId).toBe(first.eventId);
    expect(second.replayed).toBe(true);
    await accept.waitForOutcome(first, 15_000);
    // A redelivered job, and a drain racing it, find nothing left to apply.
    const drains = await Promise.all([
      engine.get(CaseEngineService).drain(caseId),
      engine.get(CaseEngineService).drain(caseId),
    ]);
    expect(drains.map((d) => d.applied)).toEqual([0, 0]);
    const events = await sql(`select seq, status from case_event where case_id = ?`, [caseId]);
    expect(events).toEqual([{ seq: 1, status: 'applied' }]);
    const transitions = await sql(`select kind from case_history where case_id = ? and kind = 'transition'`, [caseId]);
    expect(transitions).toHaveLength(1);
  });

  it('refuses the same key with a different payload', async () => {
    const { caseOf, board } = await openSeason();
    const caseId = await caseOf('T1C1V2');
    await engine
      .get(CaseAcceptanceService)
      .accept(caseId, { type: 'REVIEW_LIST_SUBMITTED', data: LIST }, board, 'key-dup-1');
    await expect(
      engine
        .get(CaseAcceptanceService)
        .accept(caseId, { type: 'REVIEW_LIST_SUBMITTED', data: { ...LIST, householdCount: 99 } }, board, 'key-dup-1'),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('rejects an event not allowed in the current step, records the reason on the event (not in the history) and keeps the state', async () => {
    const { caseOf, board, commune } = await openSeason();
    const caseId = await caseOf('T1C1V3');
    const accept = engine.get(CaseAcceptanceService);
    const receipt = await accept.waitForOutcome(
      await accept.accept(caseId, { type: 'POSTING_PERIOD_ENDED', data: {} }, commune, 'key-wrong-step'),
      15_000,
    );
    expect(receipt.status).toBe('rejected');
    expect(receipt.rejection?.code).toBe('EVENT_NOT_ALLOWED');
    expect(receipt.rejection?.reason).toContain('REVIEW_LIST_SUBMITTED');
    const view = await engine.get(CaseQueryService).get(caseId, board);
    expect(view.step.id).toBe('listing');
    expect(view.history.map((h) => h.eventType)).not.toContain('POSTING_PERIOD_ENDED');
    expect(view.refusedEvents).toEqual({
      total: 1,
      recent: [
        {
          eventId: receipt.eventId,
          seq: receipt.seq,
          type: 'POSTING_PERIOD_ENDED',
          code: 'EVENT_NOT_ALLOWED',
          reason: receipt.rejection?.reason,
          actor: commune,
          at: expect.any(String),
        },
      ],
    });
  });

  it('refuses a bad payload before writing anything, naming the field', async () => {
    const { caseOf, board } = await openSeason();
    const caseId = await caseOf('T1C1V3');
    const before = await sql(`select accepted_seq from review_case where id = ?`, [caseId]);
    const error = await engine
      .get(CaseAcceptanceService)
      .accept(
        caseId,
        { type: 'REVIEW_LIST_SUBMITTED', data: { ...LIST, householdCount: -3 } },
        board,
        'key-bad-payload',
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidPayloadException);
    expect(error.details.fields[0].field).toBe('data.householdCount');
    expect(await sql(`select accepted_seq from review_case where id = ?`, [caseId])).toEqual(before);
    expect(await sql(`select 1 from case_event where idempotency_key = 'key-bad-payload'`)).toEqual([]);
  });

  it('applies a burst of events of one case in sequence order', async () => {
    const { code, caseOf } = await openSeason();
    const caseId = await caseOf('T1C2V1');
    const accept = engine.get(CaseAcceptanceService);
    const receipts = await sendBurst(caseId, code);
    expect(receipts.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    for (const r of receipts) expect((await accept.waitForOutcome(r, 15_000)).status).toBe('applied');
    const history = await sql<{ seq: number; to_step: string }>(
      `select seq, to_step from case_history where case_id = ? and seq is not null order by id`,
      [caseId],
    );
    expect(history).toEqual([
      { seq: 1, to_step: 'survey' },
      { seq: 2, to_step: 'meeting' },
      { seq: 3, to_step: 'posting' },
      { seq: 4, to_step: 'posting' },
    ]);
  });

  it('fires the posting deadline on the legal calendar and sends its event to the case', async () => {
    await silenceEarlierAlarms(engine); // the sweeps below ring every alarm due in the database
    const { code, caseOf } = await openSeason();
    const caseId = await caseOf('T1C2V1');
    const accept = engine.get(CaseAcceptanceService);
    for (const receipt of await sendBurst(caseId, code)) await accept.waitForOutcome(receipt, 15_000);
    // In posting with one open complaint, entered on the clock's "now".
    const [deadline] = await sql<{ due_date: string }>(
      `select due_date::text from deadline where case_id = ? and step = 'posting' and status = 'armed'`,
      [caseId],
    );
    // Entered on Tue 1 Sept 2026; 1–2/9 are Quốc khánh days off (config/calendar/vn-2026.yaml), so 3 working
    // days are 3, 4, 7/9.
    expect(deadline.due_date).toBe('2026-09-07');
    const sweeper = engine.get(CaseDeadlinesService);
    expect((await sweeper.sweep(60)).fired).toBe(0);
    engine.clock.set(new Date('2026-09-07T16:59:00Z'));
    expect((await sweeper.sweep(60)).fired).toBe(0); // 23:59 on 7 Sept in Hà Nội: not yet
    engine.clock.set(new Date('2026-09-07T17:00:01Z')); // 00:00:01 on 8 Sept in Hà Nội
    expect((await sweeper.sweep(60)).fired).toBe(1);
    const view = await eventually(
      async () => {
        const v = await engine
          .get(CaseQueryService)
          .get(caseId, { sub: 'c2', role: 'commune_committee', unit: code('T1C2') });
        return v.step.id === 'recheck' ? v : undefined;
      },
      15_000,
      'the case to move to recheck',
    );
    expect(view.history.some((h) => h.eventType === 'POSTING_PERIOD_ENDED' && h.actor.role === 'system')).toBe(true);
    expect((await sweeper.sweep(60)).fired).toBe(0); // fired once, never twice
  });
});
