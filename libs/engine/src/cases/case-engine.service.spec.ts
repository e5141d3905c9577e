import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import { Metrics } from '@rasoat/observability';
import { startCase, type CaseSnapshot } from '@rasoat/workflow-core';
import type { DeadlineRecomputeService, DeadlineScheduler, TimersProducer } from '../deadlines';
import type { DefinitionRegistry } from '../definitions';
import { ManualClock } from '../infrastructure';
import type { UnitDirectory, UnitLink } from '../units';
import type { CaseChanges } from './case-changes';
import type { CaseEffectWriter } from './case-effect-writer';
import { CaseEngineService } from './case-engine.service';
import type { CaseEventRepository, EventToApplyRow } from './case-event.repository';
import { FIXTURE_KEY, fixtureReview } from './review-definition.fixture';
import type { CaseToDrainRow, ReviewCaseRepository } from './review-case.repository';

const NOW = new Date('2026-09-15T02:00:00Z');
const DUE_AT = new Date('2026-11-30T16:59:59.999Z');
const FIRST_ALARM = new Date('2026-11-20T01:00:00Z');
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const board: Actor = { sub: 'board@V1', role: 'village_board', unit: 'T1C1V1' };
const CHAIN: UnitLink[] = [
  { code: 'T1', name: 'Tỉnh Một', level: 'province' },
  { code: 'T1C1', name: 'Xã Một', level: 'commune' },
  { code: 'T1C1V1', name: 'Thôn Một', level: 'village' },
];
const TX = { transaction: 'drain' } as unknown as EntityManager;

const started = startCase(fixtureReview, NOW).snapshot;
const atMeeting: CaseSnapshot = {
  ...started,
  step: 'meeting',
  context: { ...started.context, milestones: { ...started.context.milestones, meeting: NOW.toISOString() } },
};

const caseRow = (id: string, snapshot: CaseSnapshot, fields: Partial<CaseToDrainRow> = {}): CaseToDrainRow => ({
  id,
  campaign_id: 'campaign-1',
  village_code: 'T1C1V1',
  commune_code: 'T1C1',
  unit_path: '/T1/T1C1/T1C1V1/',
  definition_key: FIXTURE_KEY,
  step: snapshot.step,
  max_stage: snapshot.step === 'meeting' ? 2 : 1,
  snapshot,
  applied_seq: 0,
  window_start: '2026-09-01',
  window_end: '2026-11-30',
  province_code: 'T1',
  ...fields,
});

const event = (caseId: string, seq: number, type: string, payload: Record<string, unknown>): EventToApplyRow => ({
  id: `${caseId.slice(-1)}-event-${seq}`,
  case_id: caseId,
  seq,
  type,
  payload,
  actor: board,
});

/**
 * The drain over mocked repositories: `rows` are the cases found, `inbox` their events after
 * `applied_seq`; `calls` records the order of the statements, `written` the CaseChanges written.
 */
function setup(rows: CaseToDrainRow[], inbox: EventToApplyRow[]) {
  const calls: string[] = [];
  const written: CaseChanges[] = [];
  const cases: jest.Mocked<
    Pick<ReviewCaseRepository, 'commitAsynchronously' | 'lockCases' | 'findToDrain' | 'lockForUpdate' | 'saveDrained'>
  > = {
    commitAsynchronously: jest.fn(async (_tx: EntityManager) => void calls.push('commit asynchronously')),
    lockCases: jest.fn(
      async (_tx: EntityManager, ids: readonly string[]) => void calls.push(`case locks ${ids.join(' ')}`),
    ),
    findToDrain: jest.fn(async (_tx: EntityManager, _ids: readonly string[]) => {
      calls.push('read cases');
      return rows;
    }),
    lockForUpdate: jest.fn(
      async (_tx: EntityManager, ids: readonly string[]) => void calls.push(`lock case rows ${ids.join(' ')}`),
    ),
    saveDrained: jest.fn(
      async (..._args: Parameters<ReviewCaseRepository['saveDrained']>) => void calls.push('save cases'),
    ),
  };
  const events: jest.Mocked<Pick<CaseEventRepository, 'nextToApply'>> = {
    nextToApply: jest.fn(async (_tx: EntityManager, _ids: readonly string[], limit: number) => {
      calls.push(`read events (${limit} per case)`);
      return inbox;
    }),
  };
  const effects = {
    write: jest.fn(async (_tx: EntityManager, changes: CaseChanges) => {
      calls.push('write changes');
      written.push(changes);
    }),
  };
  const deadlines = {
    plan: jest.fn(() => ({
      dueDate: '2026-11-30',
      dueAt: DUE_AT,
      alarms: [{ at: FIRST_ALARM.toISOString(), kind: 'reminder', level: 3 }],
      firstAlarmAt: FIRST_ALARM,
    })),
  };
  const em = {
    fork: () => em,
    transactional: jest.fn(async (work: (tx: EntityManager) => Promise<unknown>) => work(TX)),
  };
  const registry = { get: jest.fn().mockResolvedValue(fixtureReview) };
  const recompute = { syncCalendar: jest.fn().mockResolvedValue(undefined) };
  const units = { chains: jest.fn(async (paths: readonly string[]) => new Map(paths.map((p) => [p, CHAIN]))) };
  const timers = { wakeAt: jest.fn().mockResolvedValue(undefined) };
  const metrics = new Metrics();
  const engine = new CaseEngineService(
    em as unknown as EntityManager,
    registry as unknown as DefinitionRegistry,
    cases as unknown as ReviewCaseRepository,
    events as unknown as CaseEventRepository,
    effects as unknown as CaseEffectWriter,
    deadlines as unknown as DeadlineScheduler,
    recompute as unknown as DeadlineRecomputeService,
    units as unknown as UnitDirectory,
    timers as unknown as TimersProducer,
    new ManualClock(NOW),
    metrics,
  );
  return { engine, cases, events, effects, deadlines, timers, em, metrics, calls, written };
}

describe('CaseEngineService.drainMany', () => {
  it('applies each case’s events in sequence order in one transaction: case locks first, the case rows locked and updated last', async () => {
    const { engine, cases, em, calls, written } = setup(
      [caseRow(A, started), caseRow(B, atMeeting)],
      [event(A, 1, 'LIST_SUBMITTED', { householdCount: 3 }), event(A, 2, 'MEETING_HELD', { attendees: 5 })],
    );

    const outcomes = await engine.drainMany([B, A, B]);

    expect(outcomes).toEqual(
      new Map([
        [A, { status: 'done', applied: 1, rejected: 1 }],
        [B, { status: 'done', applied: 0, rejected: 0 }],
      ]),
    );
    expect(em.transactional).toHaveBeenCalledTimes(1);
    expect(calls).toEqual([
      'commit asynchronously',
      `case locks ${A} ${B}`,
      'read cases',
      'read events (201 per case)',
      'write changes',
      `lock case rows ${A}`,
      'save cases',
    ]);
    expect(cases.saveDrained).toHaveBeenCalledWith(
      TX,
      [
        {
          id: A,
          snapshot: expect.objectContaining({ step: 'meeting' }),
          step: 'meeting',
          status: 'active',
          applied_seq: 2,
          max_stage: 2,
          locked: false,
        },
      ],
      NOW,
    );
    const [changes] = written;
    expect(changes.events).toEqual([
      { id: 'a-event-1', status: 'applied', code: null, reason: null },
      { id: 'a-event-2', status: 'rejected', code: 'GUARD_REJECTED', reason: expect.any(String) },
    ]);
  });

  it('writes history for what changed a case, never for a refused event', async () => {
    const { engine, written } = setup(
      [caseRow(A, started)],
      [event(A, 1, 'LIST_SUBMITTED', { householdCount: 3 }), event(A, 2, 'MEETING_HELD', { attendees: 5 })],
    );
    await engine.drainMany([A]);
    expect(written[0].history).toEqual([
      {
        caseId: A,
        kind: 'transition',
        seq: 1,
        eventType: 'LIST_SUBMITTED',
        actor: board,
        fromStep: 'listing',
        toStep: 'meeting',
        details: { data: { householdCount: 3 } },
      },
    ]);
  });

  it('collects a transition’s effects: the step left closes its deadline, the step entered arms one, counters move, the first alarm is woken after commit', async () => {
    const { engine, deadlines, timers, written, calls } = setup(
      [caseRow(A, started)],
      [event(A, 1, 'LIST_SUBMITTED', { householdCount: 3 })],
    );
    timers.wakeAt.mockImplementation(async () => void calls.push('wake alarms'));

    await engine.drainMany([A]);

    const [changes] = written;
    expect(changes.closedSteps).toEqual([{ caseId: A, step: 'listing' }]);
    expect(deadlines.plan).toHaveBeenCalledWith(
      expect.objectContaining({
        step: 'meeting',
        window: { start: '2026-09-01', end: '2026-11-30' },
        provinceCode: 'T1',
        now: NOW,
      }),
    );
    expect(changes.deadlines).toEqual([
      expect.objectContaining({ caseId: A, step: 'meeting', status: 'armed', dueAt: DUE_AT }),
    ]);
    expect(changes.counters).toEqual(
      new Map([
        [`campaign-1|T1C1|listing`, -1],
        [`campaign-1|T1C1|meeting`, 1],
      ]),
    );
    expect(changes.stages).toEqual(new Map([[`campaign-1|T1C1|2`, 1]]));
    expect(timers.wakeAt).toHaveBeenCalledWith([FIRST_ALARM], NOW);
    expect(calls.slice(-1)).toEqual(['wake alarms']);
  });

  it('notifies the unit of the role’s level and records the completion when the case ends', async () => {
    const { engine, cases, written } = setup([caseRow(A, atMeeting)], [event(A, 3, 'MEETING_HELD', { attendees: 12 })]);

    await engine.drainMany([A]);

    const [changes] = written;
    expect(changes.notifications).toEqual([
      expect.objectContaining({
        dedupeKey: `case:${A}:seq:3:commune_committee:meeting-held`,
        unitCode: 'T1C1',
        role: 'commune_committee',
        template: 'meeting-held',
        caseId: A,
      }),
    ]);
    expect(changes.history.map((h) => h.kind)).toEqual(['transition', 'completed']);
    expect(cases.saveDrained).toHaveBeenCalledWith(
      TX,
      [expect.objectContaining({ id: A, step: 'done', status: 'done', applied_seq: 3 })],
      NOW,
    );
  });

  it('takes at most 200 events of a lone case and reports `more`; the case keeps its place at the last one applied', async () => {
    const backlog = Array.from({ length: 201 }, (_, i) => event(A, i + 1, 'MEETING_HELD', { attendees: 1 }));
    const { engine, events, cases } = setup([caseRow(A, started)], backlog);

    const outcomes = await engine.drainMany([A]);

    expect(events.nextToApply).toHaveBeenCalledWith(TX, [A], 201);
    expect(outcomes.get(A)).toEqual({ status: 'more', applied: 0, rejected: 200 });
    expect(cases.saveDrained).toHaveBeenCalledWith(
      TX,
      [expect.objectContaining({ id: A, applied_seq: 200, step: 'listing' })],
      NOW,
    );
  });

  it('answers `unknown-case` for an id without a case, reading and writing nothing else', async () => {
    const { engine, events, effects, cases } = setup([], []);
    expect(await engine.drainMany([A])).toEqual(new Map([[A, { status: 'unknown-case', applied: 0, rejected: 0 }]]));
    expect(events.nextToApply).not.toHaveBeenCalled();
    expect(effects.write).not.toHaveBeenCalled();
    expect(cases.saveDrained).not.toHaveBeenCalled();
  });

  it('leaves a case with nothing after `applied_seq` alone: `done`, nothing written', async () => {
    const { engine, effects, cases } = setup([caseRow(A, started)], []);
    expect(await engine.drainMany([A])).toEqual(new Map([[A, { status: 'done', applied: 0, rejected: 0 }]]));
    expect(effects.write).not.toHaveBeenCalled();
    expect(cases.lockForUpdate).not.toHaveBeenCalled();
  });

  it('counts the events applied and refused', async () => {
    const { engine, metrics } = setup(
      [caseRow(A, started)],
      [event(A, 1, 'LIST_SUBMITTED', { householdCount: 3 }), event(A, 2, 'MEETING_HELD', { attendees: 5 })],
    );
    await engine.drainMany([A]);
    const counted = (await metrics.eventsApplied.get()).values.map((v) => [v.labels.outcome, v.value]);
    expect(counted).toEqual([
      ['applied', 1],
      ['rejected', 1],
    ]);
  });
});
