import { Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '@rasoat/config';
import type { Metrics } from '@rasoat/observability';
import type { CompiledDefinition } from '@rasoat/workflow-core';
import type { Alarm, TimersProducer } from '../deadlines';
import type { DefinitionRegistry } from '../definitions';
import type { UnitDirectory, UnitLink } from '../units';
import { AlarmRinger } from './alarm-ringer';
import type { CaseChanges } from './case-changes';
import type { CaseEffectWriter } from './case-effect-writer';
import type { DeadlineAlarmsRepository, DueAlarmRow, RungDeadlineUpdate } from './deadline-alarms.repository';
import type { FireOutcome, OnDueEventSender } from './on-due-event-sender';

const NOW = new Date('2026-10-30T17:00:00Z'); // just after the due instant of 30 Oct in Hà Nội
const DUE = '2026-10-30T16:59:59.999Z';
const TX = { transaction: 'tx' } as unknown as EntityManager;
const PATH = '/24/213/07000/0700001/';
const chain: UnitLink[] = [
  { code: '24', name: 'Tỉnh Bắc Giang', level: 'province' },
  { code: '213', name: 'Thành phố Bắc Giang', level: 'district' },
  { code: '07000', name: 'Xã An Sơn', level: 'commune' },
  { code: '0700001', name: 'Thôn Hạ 1', level: 'village' },
];
const definition = {
  definition: {
    roles: { village_board: { level: 'village' } },
    steps: { listing: { label: { vi: 'Bước 1: Lập danh sách', en: 'Step 1: listing' }, role: 'village_board' } },
  },
} as unknown as CompiledDefinition;

const plan: Alarm[] = [
  { at: '2026-10-02T01:00:00.000Z', kind: 'reminder', level: 20 },
  { at: DUE, kind: 'due', level: 0 },
  { at: DUE, kind: 'escalation', level: 1 },
  { at: '2026-11-03T01:00:00.000Z', kind: 'escalation', level: 2 },
];

const row = (id: string, fields: Partial<DueAlarmRow> = {}): DueAlarmRow => ({
  id,
  case_id: `case-${id}`,
  step: 'listing',
  due_date: '2026-10-30',
  status: 'armed',
  alarms: plan,
  next_alarm: 1,
  case_status: 'active',
  case_step: 'listing',
  regions: null,
  definition_key: 'periodic-review@1',
  unit_path: PATH,
  village_code: '0700001',
  village_name: 'Thôn Hạ 1',
  ...fields,
});

/**
 * The ringer over a mocked repository and collaborators. `batches` are what successive
 * `lockDue` calls return (then nothing); `calls` records the order of the writes.
 */
function setup(
  batches: DueAlarmRow[][],
  options: { dueEvents?: string[]; outcome?: (id: string) => FireOutcome } = {},
) {
  const calls: string[] = [];
  const queue = [...batches];
  const written: CaseChanges[] = [];
  const updates: RungDeadlineUpdate[][] = [];
  const alarms: jest.Mocked<
    Pick<DeadlineAlarmsRepository, 'transaction' | 'commitAsynchronously' | 'lockDue' | 'updateRung' | 'dueEvents'>
  > = {
    transaction: jest.fn(async (work: (tx: EntityManager) => Promise<unknown>) => {
      const result = await work(TX);
      calls.push('commit');
      return result;
    }) as jest.Mocked<DeadlineAlarmsRepository>['transaction'],
    commitAsynchronously: jest.fn<Promise<void>, [EntityManager]>(async () => {
      calls.push('synchronous_commit off');
    }),
    lockDue: jest.fn<Promise<DueAlarmRow[]>, Parameters<DeadlineAlarmsRepository['lockDue']>>(async () => {
      calls.push('lockDue');
      return queue.shift() ?? [];
    }),
    updateRung: jest.fn(async (_tx: EntityManager, u: readonly RungDeadlineUpdate[]) => {
      calls.push('updateRung');
      updates.push([...u]);
    }),
    dueEvents: jest.fn().mockResolvedValue(options.dueEvents ?? []),
  };
  const registry = { get: jest.fn(async () => definition) };
  const units = {
    chains: jest.fn(async (paths: readonly string[]) => new Map(paths.map((p) => [p, p === PATH ? chain : []]))),
  };
  const effects = {
    write: jest.fn(async (_tx: EntityManager, changes: CaseChanges) => {
      calls.push('effects');
      written.push(changes);
    }),
  };
  const onDue = {
    fireEvents: jest.fn(async (ids: readonly string[]) =>
      ids.map((id) => (options.outcome ?? (() => 'fired' as const))(id)),
    ),
  };
  const timers = { wakeAt: jest.fn(async () => void calls.push('wakeAt')) };
  const metrics = { alarmsRung: { inc: jest.fn() } };
  const ringer = new AlarmRinger(
    alarms as unknown as DeadlineAlarmsRepository,
    registry as unknown as DefinitionRegistry,
    units as unknown as UnitDirectory,
    effects as unknown as CaseEffectWriter,
    onDue as unknown as OnDueEventSender,
    timers as unknown as TimersProducer,
    { publicUrl: 'https://rasoat.example.gov.vn' } as AppConfig,
    { now: () => NOW },
    metrics as unknown as Metrics,
  );
  return { ringer, alarms, registry, units, effects, written, updates, onDue, timers, metrics, calls };
}

describe('AlarmRinger', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('rings every alarm of a deadline due now in one pass: the overdue notice and the first escalation of one instant', async () => {
    const { ringer, written, updates, metrics } = setup([[row('d1')]]);

    expect(await ringer.fireDue()).toEqual({ rung: 2, events: 0, stale: 0, notifications: 2 });

    const [changes] = written;
    expect(changes.notifications.map((n) => [n.template, n.unitCode, n.role, n.dedupeKey])).toEqual([
      ['step-overdue', '0700001', 'village_board', 'deadline:d1:alarm:1'],
      ['step-escalated', '07000', 'commune_committee', 'deadline:d1:alarm:2'],
    ]);
    expect(changes.history).toEqual([
      expect.objectContaining({
        caseId: 'case-d1',
        kind: 'deadline',
        fromStep: 'listing',
        toStep: 'listing',
        details: {
          deadlineId: 'd1',
          alarm: 'due',
          level: 0,
          dueDate: '2026-10-30',
          notified: { unit: '0700001', role: 'village_board' },
        },
      }),
      expect.objectContaining({
        caseId: 'case-d1',
        details: {
          deadlineId: 'd1',
          alarm: 'escalation',
          level: 1,
          dueDate: '2026-10-30',
          notified: { unit: '07000', role: 'commune_committee' },
        },
      }),
    ]);
    // Overdue, past the two alarms rung, the next one (escalation 2) still to ring.
    expect(updates).toEqual([
      [{ id: 'd1', status: 'overdue', next_alarm: 3, next_alarm_at: '2026-11-03T01:00:00.000Z', closed_at: null }],
    ]);
    expect(metrics.alarmsRung.inc.mock.calls).toEqual([[{ kind: 'due' }], [{ kind: 'escalation' }]]);
  });

  it('records an escalation with nobody left to tell, without a notice', async () => {
    const { ringer, written } = setup([[row('d1', { unit_path: '/elsewhere/' })]]); // no unit known above the case

    expect(await ringer.fireDue()).toMatchObject({ rung: 2, notifications: 1 });
    expect(written[0].history.map((h) => h.details?.notified)).toEqual([
      { unit: '0700001', role: 'village_board' },
      null,
    ]);
  });

  it('closes the deadlines of steps already left without ringing: closed when overdue, cancelled otherwise', async () => {
    const { ringer, written, updates, metrics } = setup([
      [
        row('left', { case_step: 'survey' }),
        row('done', { case_status: 'done', status: 'overdue', next_alarm: 3 }),
        row('region', { case_step: 'checks', regions: { sample: 'listing' } }), // active inside a region of a parallel step
      ],
    ]);

    expect(await ringer.fireDue()).toEqual({ rung: 2, events: 0, stale: 2, notifications: 2 });
    expect(updates[0]).toEqual([
      { id: 'left', status: 'cancelled', next_alarm: 1, next_alarm_at: null, closed_at: NOW.toISOString() },
      { id: 'done', status: 'closed', next_alarm: 3, next_alarm_at: null, closed_at: NOW.toISOString() },
      { id: 'region', status: 'overdue', next_alarm: 3, next_alarm_at: '2026-11-03T01:00:00.000Z', closed_at: null },
    ]);
    expect(written[0].history.every((h) => h.caseId === 'case-region')).toBe(true);
    expect(metrics.alarmsRung.inc).toHaveBeenCalledTimes(2);
  });

  it('rings nothing not yet due and never an onDue event; a deadline whose last alarm rang has no next one', async () => {
    const { ringer, updates, timers } = setup([
      [
        row('early', { next_alarm: 3 }), // escalation 2 rings on 3 Nov
        row('last', { alarms: plan.slice(0, 3), next_alarm: 2, status: 'overdue' }),
        row('event', {
          alarms: [
            { at: DUE, kind: 'due', level: 0 },
            { at: DUE, kind: 'event', level: 0 },
          ],
          next_alarm: 0,
        }),
      ],
    ]);

    expect(await ringer.fireDue()).toMatchObject({ rung: 2, stale: 0 });
    expect(updates[0]).toEqual([
      { id: 'early', status: 'armed', next_alarm: 3, next_alarm_at: '2026-11-03T01:00:00.000Z', closed_at: null },
      { id: 'last', status: 'overdue', next_alarm: 3, next_alarm_at: null, closed_at: null },
      // The event that follows is due now: it is the onDue sender's, and needs no wake-up.
      { id: 'event', status: 'overdue', next_alarm: 1, next_alarm_at: DUE, closed_at: null },
    ]);
    expect(timers.wakeAt).toHaveBeenCalledTimes(1);
    expect(timers.wakeAt).toHaveBeenCalledWith([new Date('2026-11-03T01:00:00.000Z')], NOW);
  });

  it('rings batch after batch in two lanes until a batch comes back empty, each batch in its own transaction', async () => {
    const { ringer, alarms, registry, units } = setup([[row('d1'), row('d2')], [row('d3')]]);

    expect(await ringer.fireDue()).toEqual({ rung: 6, events: 0, stale: 0, notifications: 6 });
    // Two batches with rows, then one empty batch per lane.
    expect(alarms.transaction).toHaveBeenCalledTimes(4);
    expect(alarms.lockDue.mock.calls).toEqual(Array.from({ length: 4 }, () => [TX, NOW, 5000]));
    // Each definition and the units once per batch, in the batch's transaction.
    expect(registry.get.mock.calls).toEqual([
      ['periodic-review@1', TX],
      ['periodic-review@1', TX],
    ]);
    expect(units.chains.mock.calls).toEqual([
      [[PATH], TX],
      [[PATH], TX],
    ]);
  });

  it('in a batch: commits without waiting for the flush, locks, writes the effects then the rows, and wakes the next alarms only after commit', async () => {
    const { ringer, calls } = setup([[row('d1')]]);

    await ringer.fireDue();
    expect(calls.indexOf('synchronous_commit off')).toBeLessThan(calls.indexOf('lockDue'));
    const writes = calls.slice(calls.indexOf('effects'));
    expect(writes.slice(0, 4)).toEqual(['effects', 'updateRung', 'commit', 'wakeAt']);
  });

  it('sends the onDue events due in batches of EVENT_BATCH after ringing, and counts those fired', async () => {
    const ids = Array.from({ length: 1200 }, (_, i) => `e${i}`);
    const { ringer, alarms, onDue } = setup([], { dueEvents: ids, outcome: (id) => (id === 'e7' ? 'stale' : 'fired') });

    expect(await ringer.fireDue()).toEqual({ rung: 0, events: 1199, stale: 0, notifications: 0 });
    expect(alarms.dueEvents).toHaveBeenCalledWith(NOW);
    expect(onDue.fireEvents.mock.calls.map(([batch]) => [batch[0], batch.length])).toEqual([
      ['e0', 500],
      ['e500', 500],
      ['e1000', 200],
    ]);
  });
});
