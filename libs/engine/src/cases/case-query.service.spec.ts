import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HISTORY_PAGE_SIZE, type Actor } from '@rasoat/contracts';
import { MASKED_TEXT, startCase, type CaseSnapshot } from '@rasoat/workflow-core';
import { AuthException } from '../auth';
import type { DefinitionRegistry } from '../definitions';
import type { CaseHistoryRepository, HistoryRow } from './case-history.repository';
import { CaseQueryService } from './case-query.service';
import type { CaseViewRepository, CaseViewRow } from './case-view.repository';
import { CaseNotFoundException } from './cases.exception';
import { FIXTURE_KEY, fixtureReview } from './review-definition.fixture';

const NOW = new Date('2026-09-15T02:00:00Z');
const CASE = '00000000-0000-4000-8000-000000000001';
const NOTE = 'Bà Nguyễn Thị Hoa xin vào danh sách';
const board: Actor = { sub: 'board@V1', role: 'village_board', unit: 'T1C1V1' };
const province: Actor = { sub: 'admin@T1', role: 'province_admin', unit: 'T1' };
const outsider: Actor = { sub: 'board@V2', role: 'village_board', unit: 'T1C2V1' };
const TX = { transaction: 'view' } as unknown as EntityManager;

const started = startCase(fixtureReview, NOW).snapshot;
const snapshot: CaseSnapshot = {
  ...started,
  step: 'meeting',
  context: { ...started.context, data: { LIST_SUBMITTED: { householdCount: 3, note: NOTE } } },
};

const caseRow: CaseViewRow = {
  id: CASE,
  campaign_id: 'campaign-1',
  village_code: 'T1C1V1',
  commune_code: 'T1C1',
  unit_path: '/T1/T1C1/T1C1V1/',
  definition_key: FIXTURE_KEY,
  snapshot,
  village_name: 'Thôn Một',
  province_code: 'T1',
  year: 2026,
  window_start: '2026-09-01',
  window_end: '2026-11-30',
};

const entry = (id: number, fields: Partial<HistoryRow> = {}): HistoryRow => ({
  id: String(id),
  at: new Date(NOW.getTime() + id * 1000),
  kind: 'transition',
  seq: id,
  eventType: 'LIST_SUBMITTED',
  actor: board,
  fromStep: 'listing',
  toStep: 'meeting',
  details: { data: { householdCount: 3, note: NOTE } },
  ...fields,
});

/** The service over mocked view and history repositories; the view's transaction runs `work` on TX. */
function setup() {
  const views: jest.Mocked<Pick<CaseViewRepository, keyof CaseViewRepository>> = {
    findCase: jest.fn().mockResolvedValue(caseRow),
    findScope: jest.fn().mockResolvedValue({
      unit_path: caseRow.unit_path,
      definition_key: FIXTURE_KEY,
      village_code: 'T1C1V1',
      commune_code: 'T1C1',
    }),
    deadlines: jest.fn().mockResolvedValue([
      {
        id: 'd1',
        step: 'listing',
        dueDate: '2026-11-30',
        dueAt: '2026-11-30T23:59:59.999+07:00',
        status: 'cancelled',
        armedAt: NOW,
        closedAt: new Date('2026-09-16T03:00:00Z'),
      },
      {
        id: 'd2',
        step: 'meeting',
        dueDate: '2026-11-30',
        dueAt: new Date('2026-11-30T16:59:59.999Z'),
        status: 'armed',
        armedAt: '2026-09-16T10:00:00+07:00',
        closedAt: null,
      },
    ]),
    pendingEvents: jest.fn().mockResolvedValue([{ id: 'e3', seq: 3, type: 'MEETING_HELD', receivedAt: NOW }]),
    list: jest.fn().mockResolvedValue([]),
  };
  const histories: jest.Mocked<Pick<CaseHistoryRepository, keyof CaseHistoryRepository>> = {
    page: jest.fn().mockResolvedValue({
      entries: [
        entry(2),
        entry(1, { kind: 'started', seq: null, eventType: null, fromStep: null, toStep: 'listing', details: {} }),
      ],
      total: 60,
      nextBefore: '1',
    }),
    refusals: jest.fn().mockResolvedValue({ total: 7, recent: [] }),
  };
  const em = {
    fork: () => em,
    transactional: jest.fn(async (work: (tx: EntityManager) => Promise<unknown>) => work(TX)),
  };
  const registry = { get: jest.fn().mockResolvedValue(fixtureReview) };
  const service = new CaseQueryService(
    em as unknown as EntityManager,
    registry as unknown as DefinitionRegistry,
    views as unknown as CaseViewRepository,
    histories as unknown as CaseHistoryRepository,
  );
  return { service, views, histories, em, registry };
}

describe('CaseQueryService', () => {
  it('reads the whole view in one repeatable-read, read-only transaction, every read on its connection', async () => {
    const { service, views, histories, em, registry } = setup();
    await service.get(CASE, board);
    expect(em.transactional).toHaveBeenCalledWith(expect.any(Function), {
      isolationLevel: IsolationLevel.REPEATABLE_READ,
      readOnly: true,
    });
    for (const read of [views.findCase, views.deadlines, views.pendingEvents, histories.page, histories.refusals])
      expect(read.mock.calls[0][0]).toBe(TX);
    expect(registry.get).toHaveBeenCalledWith(FIXTURE_KEY, TX);
  });

  it('composes the case: its step, the newest history page with summaries, where older entries start, refused events counted, deadlines in ISO 8601', async () => {
    const { service, histories } = setup();

    const view = await service.get(CASE, board);

    expect(histories.page).toHaveBeenCalledWith(TX, CASE, { limit: HISTORY_PAGE_SIZE });
    expect(histories.refusals).toHaveBeenCalledWith(TX, CASE, 5);
    expect(view).toMatchObject({
      id: CASE,
      campaign: {
        id: 'campaign-1',
        provinceCode: 'T1',
        year: 2026,
        window: { start: '2026-09-01', end: '2026-11-30' },
      },
      village: { code: 'T1C1V1', name: 'Thôn Một', communeCode: 'T1C1' },
      definition: { key: FIXTURE_KEY },
      status: 'active',
      step: { id: 'meeting', stage: 2, role: 'village_board' },
      historyTotal: 60,
      historyNextBefore: '1',
      refusedEvents: { total: 7, recent: [] },
      pendingEvents: [{ id: 'e3', seq: 3, type: 'MEETING_HELD' }],
    });
    expect(view.allowedEvents.map((e) => e.type)).toEqual(['MEETING_HELD']);
    expect(view.history.map((h) => [h.id, h.at, h.summary])).toEqual([
      ['2', '2026-09-15T02:00:02.000Z', 'village_board board@V1: LIST_SUBMITTED — "Lập danh sách" → "Họp dân"'],
      ['1', '2026-09-15T02:00:01.000Z', 'Mở hồ sơ ở bước "Lập danh sách"'],
    ]);
    expect(view.deadlines).toEqual([
      {
        id: 'd1',
        step: 'listing',
        dueDate: '2026-11-30',
        dueAt: '2026-11-30T16:59:59.999Z',
        status: 'cancelled',
        armedAt: NOW.toISOString(),
        closedAt: '2026-09-16T03:00:00.000Z',
      },
      {
        id: 'd2',
        step: 'meeting',
        dueDate: '2026-11-30',
        dueAt: '2026-11-30T16:59:59.999Z',
        status: 'armed',
        armedAt: '2026-09-16T03:00:00.000Z',
        closedAt: null,
      },
    ]);
  });

  it('shows personal fields to the village’s officials and masks them, in the data and the history, for anyone else in scope', async () => {
    const { service } = setup();
    const shown = await service.get(CASE, board);
    expect(shown.data.LIST_SUBMITTED.note).toBe(NOTE);
    expect(shown.history[0].details).toEqual({ data: { householdCount: 3, note: NOTE } });

    const masked = await service.get(CASE, province);
    expect(masked.data.LIST_SUBMITTED).toEqual({ householdCount: 3, note: MASKED_TEXT });
    expect(masked.history[0].details).toEqual({ data: { householdCount: 3, note: MASKED_TEXT } });
  });

  it('refuses an unknown case (404) and a case outside the actor’s unit (403) before reading anything more', async () => {
    const { service, views, histories } = setup();
    views.findCase.mockResolvedValueOnce(undefined);
    await expect(service.get(CASE, board)).rejects.toBeInstanceOf(CaseNotFoundException);
    await expect(service.get(CASE, outsider)).rejects.toBeInstanceOf(AuthException);
    expect(views.deadlines).not.toHaveBeenCalled();
    expect(histories.page).not.toHaveBeenCalled();
  });

  it('pages older history: scoped, the page the repository reads for `before`, masked as in the view', async () => {
    const { service, views, histories } = setup();
    histories.page.mockResolvedValueOnce({ entries: [entry(1)], total: 60, nextBefore: null });

    const page = await service.history(CASE, province, { before: '2', limit: 10 });

    expect(histories.page).toHaveBeenCalledWith(expect.anything(), CASE, { before: '2', limit: 10 });
    expect(page).toEqual({
      caseId: CASE,
      items: [expect.objectContaining({ id: '1', details: { data: { householdCount: 3, note: MASKED_TEXT } } })],
      total: 60,
      nextBefore: null,
    });
    views.findScope.mockResolvedValueOnce(undefined);
    await expect(service.history(CASE, board, { limit: 10 })).rejects.toBeInstanceOf(CaseNotFoundException);
    await expect(service.history(CASE, outsider, { limit: 10 })).rejects.toBeInstanceOf(AuthException);
  });

  it('lists a campaign’s cases under a unit inside the actor’s scope only', async () => {
    const { service, views } = setup();
    const filter = { campaignId: 'campaign-1', unitPath: '/T1/T1C1/', limit: 20, offset: 0 };
    await service.list(province, filter);
    expect(views.list).toHaveBeenCalledWith(expect.anything(), filter);
    await expect(service.list(outsider, filter)).rejects.toBeInstanceOf(AuthException);
    expect(views.list).toHaveBeenCalledTimes(1);
  });
});
