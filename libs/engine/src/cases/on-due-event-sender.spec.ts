import { Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import type { Metrics } from '@rasoat/observability';
import type { CaseSnapshot, ResolvedDeadline } from '@rasoat/workflow-core';
import type { CaseInboxService, EventReceipt } from './case-inbox.service';
import type { CaseChanges } from './case-changes';
import type { CaseEffectWriter } from './case-effect-writer';
import type { CaseEventsProducer } from './case-events.producer';
import type { DeadlineAlarmsRepository, OnDueCaseRow, OnDueDeadlineRow } from './deadline-alarms.repository';
import { OnDueEventSender } from './on-due-event-sender';

const NOW = new Date('2026-11-20T17:00:00Z');
const TX = { transaction: 'tx' } as unknown as EntityManager;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const caseId = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const spec = { due: { kind: 'afterMilestone' }, onDue: 'postingEnded' } as unknown as ResolvedDeadline;

const deadline = (n: number, fields: Partial<OnDueDeadlineRow> = {}): OnDueDeadlineRow => ({
  id: id(n),
  case_id: caseId(n),
  step: 'posting',
  due_date: '2026-11-20',
  spec,
  alarms: [{ at: '2026-11-20T16:59:59.999Z', kind: 'event', level: 0 }],
  next_alarm: 0,
  next_alarm_at: '2026-11-20 16:59:59.999+00',
  ...fields,
});
const caseRow = (n: number, fields: Partial<OnDueCaseRow> = {}): OnDueCaseRow => ({
  id: caseId(n),
  status: 'active',
  snapshot: { step: 'posting' } as CaseSnapshot,
  ...fields,
});

/**
 * The sender over a mocked repository, inbox, writer and producer. `deadlines` and `cases` are
 * the rows the database holds; `calls` records the order of locks, writes and enqueues.
 */
function setup(
  deadlines: OnDueDeadlineRow[],
  cases: OnDueCaseRow[],
  options: { failWhen?: (ids: readonly string[]) => boolean } = {},
) {
  const calls: string[] = [];
  const written: CaseChanges[] = [];
  const seqs = new Map<string, number>();
  const alarms: jest.Mocked<
    Pick<
      DeadlineAlarmsRepository,
      'transaction' | 'casesOf' | 'lockCases' | 'lockCaseRows' | 'lockDeadlines' | 'cancel' | 'markFired'
    >
  > = {
    transaction: jest.fn(async (work: (tx: EntityManager) => Promise<unknown>) => {
      const result = await work(TX);
      calls.push('commit');
      return result;
    }) as jest.Mocked<DeadlineAlarmsRepository>['transaction'],
    casesOf: jest.fn(async (_tx: EntityManager, ids: readonly string[]) => {
      calls.push('casesOf');
      if (options.failWhen?.(ids)) throw new Error('key reused with another payload');
      return deadlines.filter((d) => ids.includes(d.id)).map((d) => ({ id: d.id, case_id: d.case_id }));
    }),
    lockCases: jest.fn(async (_tx: EntityManager, ids: readonly string[]) => {
      calls.push(`lockCases ${ids.join(' ')}`);
    }),
    lockCaseRows: jest.fn(async (_tx: EntityManager, ids: readonly string[]) => {
      calls.push('lockCaseRows');
      return cases.filter((c) => ids.includes(c.id));
    }),
    lockDeadlines: jest.fn(async (_tx: EntityManager, ids: readonly string[]) => {
      calls.push('lockDeadlines');
      return deadlines.filter((d) => ids.includes(d.id));
    }),
    cancel: jest.fn<Promise<void>, Parameters<DeadlineAlarmsRepository['cancel']>>(async () => {
      calls.push('cancel');
    }),
    markFired: jest.fn<Promise<void>, Parameters<DeadlineAlarmsRepository['markFired']>>(async () => {
      calls.push('markFired');
    }),
  };
  const effects = {
    write: jest.fn(async (_tx: EntityManager, changes: CaseChanges) => {
      calls.push('effects');
      written.push(changes);
    }),
  };
  const inbox = {
    insertBatch: jest.fn(async (_tx: EntityManager, items: readonly { caseId: string }[]) => {
      calls.push('insertBatch');
      return items.map((i) => {
        seqs.set(i.caseId, (seqs.get(i.caseId) ?? 0) + 1);
        return { ok: true as const, value: { caseId: i.caseId, seq: seqs.get(i.caseId) } as EventReceipt };
      });
    }),
  };
  const producer = { wakeMany: jest.fn(async () => void calls.push('wakeMany')) };
  const metrics = { alarmsRung: { inc: jest.fn() } };
  const sender = new OnDueEventSender(
    alarms as unknown as DeadlineAlarmsRepository,
    inbox as unknown as CaseInboxService,
    producer as unknown as CaseEventsProducer,
    effects as unknown as CaseEffectWriter,
    { now: () => NOW },
    metrics as unknown as Metrics,
  );
  return { sender, alarms, effects, written, inbox, producer, metrics, calls };
}

describe('OnDueEventSender', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('answers each deadline in the order asked: unknown, not due, already closed, stale, fired', async () => {
    const { sender, alarms } = setup(
      [
        deadline(2, { next_alarm_at: '2026-11-21 01:00:00+00' }), // not due yet
        deadline(3, { next_alarm_at: null }), // closed
        deadline(4, { alarms: [{ at: '2026-11-20T16:59:59.999Z', kind: 'due', level: 0 }] }), // its next alarm is no event
        deadline(5), // its case left the step
        deadline(6), // its case is done
        deadline(7),
      ],
      [
        caseRow(2),
        caseRow(3),
        caseRow(4),
        caseRow(5, { snapshot: { step: 'meeting' } as CaseSnapshot }),
        caseRow(6, { status: 'done' }),
        caseRow(7),
      ],
    );

    expect(await sender.fireEvents([id(1), id(2), id(3), id(4), id(5), id(6), id(7), 'not-a-uuid'])).toEqual([
      'unknown',
      'not-due',
      'already-closed',
      'already-closed',
      'stale',
      'stale',
      'fired',
      'unknown',
    ]);
    expect(alarms.cancel).toHaveBeenCalledWith(TX, [id(5), id(6)], NOW);
    expect(alarms.markFired).toHaveBeenCalledWith(TX, [id(7)], NOW);
  });

  it('locks the case locks, then the case rows, then the deadlines, each in id order, before writing', async () => {
    const { sender, alarms, calls } = setup(
      [deadline(2, { case_id: caseId(9) }), deadline(1, { case_id: caseId(9) }), deadline(3)],
      [caseRow(9), caseRow(3)],
    );

    await sender.fireEvents([id(2), id(3), id(1)]);
    expect(calls).toEqual([
      'casesOf',
      `lockCases ${caseId(3)} ${caseId(9)}`,
      'lockCaseRows',
      'lockDeadlines',
      'markFired',
      'effects',
      'insertBatch',
      'commit',
      'wakeMany',
    ]);
    expect(alarms.lockCaseRows).toHaveBeenCalledWith(TX, [caseId(3), caseId(9)]);
  });

  it('sends each fired deadline’s event through the inbox under the key deadline:<id>, with its history entry, and wakes each case once at its last event', async () => {
    const { sender, written, inbox, producer, metrics } = setup(
      [deadline(1, { case_id: caseId(9) }), deadline(2, { case_id: caseId(9) }), deadline(3)],
      [caseRow(9), caseRow(3)],
    );

    expect(await sender.fireEvents([id(1), id(2), id(3)])).toEqual(['fired', 'fired', 'fired']);
    expect(inbox.insertBatch).toHaveBeenCalledWith(TX, [
      { caseId: caseId(9), type: 'postingEnded', data: {}, actor: SYSTEM_ACTOR, key: `deadline:${id(1)}` },
      { caseId: caseId(9), type: 'postingEnded', data: {}, actor: SYSTEM_ACTOR, key: `deadline:${id(2)}` },
      { caseId: caseId(3), type: 'postingEnded', data: {}, actor: SYSTEM_ACTOR, key: `deadline:${id(3)}` },
    ]);
    expect(written[0].history[0]).toEqual({
      caseId: caseId(9),
      kind: 'deadline',
      actor: SYSTEM_ACTOR,
      fromStep: 'posting',
      toStep: 'posting',
      details: { deadlineId: id(1), alarm: 'event', dueDate: '2026-11-20', onDue: 'postingEnded' },
    });
    expect(producer.wakeMany).toHaveBeenCalledWith([
      { caseId: caseId(9), seq: 2 },
      { caseId: caseId(3), seq: 1 },
    ]);
    expect(metrics.alarmsRung.inc).toHaveBeenCalledWith({ kind: 'event' }, 3);
  });

  it('folds repeated and upper-case ids into one deadline, and writes nothing when none is due', async () => {
    const { sender, alarms, producer, metrics } = setup(
      [deadline(1, { next_alarm_at: '2026-11-21 01:00:00+00' })],
      [caseRow(1)],
    );

    expect(await sender.fireEvents([id(1), id(1).toUpperCase()])).toEqual(['not-due', 'not-due']);
    expect(alarms.casesOf).toHaveBeenCalledWith(TX, [id(1)]);
    expect(alarms.markFired).not.toHaveBeenCalled();
    expect(alarms.cancel).not.toHaveBeenCalled();
    expect(producer.wakeMany).not.toHaveBeenCalled();
    expect(metrics.alarmsRung.inc).not.toHaveBeenCalled();
  });

  it('opens no transaction when no id can name a deadline', async () => {
    const { sender, alarms } = setup([], []);

    expect(await sender.fireEvents(['x', ''])).toEqual(['unknown', 'unknown']);
    expect(alarms.transaction).not.toHaveBeenCalled();
  });

  it('after a failed batch, sends the deadlines one by one, then throws the first error; a lone deadline’s error is thrown as is', async () => {
    const failing = setup([deadline(1), deadline(2), deadline(3)], [caseRow(1), caseRow(2), caseRow(3)], {
      failWhen: (ids) => ids.includes(id(2)),
    });

    await expect(failing.sender.fireEvents([id(1), id(2), id(3)])).rejects.toThrow('key reused with another payload');
    // The batch, then each deadline alone: the first and third were sent.
    expect(failing.alarms.transaction).toHaveBeenCalledTimes(4);
    expect(failing.alarms.markFired.mock.calls.map(([, ids]) => ids)).toEqual([[id(1)], [id(3)]]);

    const recovering = setup([deadline(1), deadline(2)], [caseRow(1), caseRow(2)], {
      failWhen: (ids) => ids.length > 1,
    });
    expect(await recovering.sender.fireEvents([id(2), id(1)])).toEqual(['fired', 'fired']);

    const lone = setup([deadline(2)], [caseRow(2)], { failWhen: () => true });
    await expect(lone.sender.fireEvent(id(2))).rejects.toThrow('key reused with another payload');
    expect(lone.alarms.transaction).toHaveBeenCalledTimes(1);
  });
});
