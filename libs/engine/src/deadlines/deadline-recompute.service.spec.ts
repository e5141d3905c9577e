import { Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { WorkingDayCalendar } from '@rasoat/calendar';
import type { ResolvedDeadline } from '@rasoat/workflow-core';
import type { Alarm } from './alarm-plan';
import type { DeadlineCalculator } from './deadline-calculator';
import { DeadlineRecomputeService } from './deadline-recompute.service';
import type { DeadlineRepository, RecomputedDeadline, RecomputeRow } from './deadline.repository';
import type { TimersProducer } from './timers.producer';

const NOW = new Date('2026-11-10T03:00:00Z');
const TX = { transaction: 'tx' } as unknown as EntityManager;
const REASON = 'lịch làm việc thay đổi / the working-day calendar changed';
const dueAt = (date: string) => new Date(`${date}T16:59:59.999Z`);
// A reminder two working days before; the calendar below puts it on the day before the due date.
const spec = { due: { kind: 'fixed' }, reminders: [{ workingDaysBefore: 2 }] } as unknown as ResolvedDeadline;
const reminder = (date: string): Alarm => ({ at: `${date}T01:00:00.000Z`, kind: 'reminder', level: 2 });
const due = (date: string): Alarm => ({ at: dueAt(date).toISOString(), kind: 'due', level: 0 });
const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

const row = (id: string, fields: Partial<RecomputeRow> = {}): RecomputeRow => ({
  id,
  case_id: `case-${id}`,
  step: 'meeting',
  due_date: '2026-11-20',
  status: 'armed',
  spec,
  alarms: [reminder('2026-11-19'), due('2026-11-20')],
  next_alarm: 0,
  milestones: {},
  window_start: '2026-09-01',
  window_end: '2026-12-14',
  province_code: '24',
  ...fields,
});

/** The service over a mocked repository and calculator: `dueDates` is what the new calendar makes of each deadline. */
function setup(
  batches: RecomputeRow[][],
  dueDates: Record<string, string> = {},
  calendar: { version: number; stored?: number } = { version: 1 },
) {
  const queue = [...batches];
  const written: RecomputedDeadline[][] = [];
  const deadlines: jest.Mocked<
    Pick<
      DeadlineRepository,
      | 'transaction'
      | 'calendarVersion'
      | 'calendarAdjustments'
      | 'lockOutdated'
      | 'lockOfCampaign'
      | 'writeRecomputed'
      | 'recordMoves'
    >
  > = {
    transaction: jest.fn(async (work: (tx: EntityManager) => Promise<unknown>) =>
      work(TX),
    ) as jest.Mocked<DeadlineRepository>['transaction'],
    calendarVersion: jest.fn().mockResolvedValue(calendar.stored ?? calendar.version),
    calendarAdjustments: jest
      .fn()
      .mockResolvedValue([{ provinceCode: null, date: '2026-11-19', kind: 'day_off', name: 'x' }]),
    lockOutdated: jest.fn<Promise<RecomputeRow[]>, Parameters<DeadlineRepository['lockOutdated']>>(
      async () => queue.shift() ?? [],
    ),
    lockOfCampaign: jest.fn<Promise<RecomputeRow[]>, Parameters<DeadlineRepository['lockOfCampaign']>>(
      async () => queue.shift() ?? [],
    ),
    writeRecomputed: jest.fn(
      async (_tx: EntityManager, _version: number, updates: readonly RecomputedDeadline[]) =>
        void written.push([...updates]),
    ),
    recordMoves: jest.fn(),
  };
  const days = { reminderDate: (date: string) => dayBefore(date) } as unknown as WorkingDayCalendar;
  const calculator = {
    version: calendar.version,
    apply: jest.fn((_rows: unknown, version: number): void => {
      calculator.version = version;
    }),
    calendarFor: jest.fn(() => days),
    resolve: jest.fn((_rule: unknown, inputs: { milestones: Record<string, string> }) => {
      const date = dueDates[inputs.milestones.id] ?? '2026-11-20';
      return { dueDate: date, dueAt: dueAt(date) };
    }),
  };
  const timers = { wakeAt: jest.fn() };
  const service = new DeadlineRecomputeService(
    deadlines as unknown as DeadlineRepository,
    calculator as unknown as DeadlineCalculator,
    timers as unknown as TimersProducer,
    { now: () => NOW },
  );
  return { service, deadlines, calculator, timers, written };
}

describe('DeadlineRecomputeService', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('brings the calendar up to the newest adjustment, and reads the adjustments only when there is a newer one', async () => {
    const current = setup([], {}, { version: 4 });
    expect(await current.service.syncCalendar()).toBe(false);
    expect(current.deadlines.calendarAdjustments).not.toHaveBeenCalled();

    const behind = setup([], {}, { version: 4, stored: 5 });
    expect(await behind.service.syncCalendar()).toBe(true);
    expect(behind.calculator.apply).toHaveBeenCalledWith(
      [{ provinceCode: null, date: '2026-11-19', kind: 'day_off', name: 'x' }],
      5,
    );
    // With a maximum age, a second look soon after reads nothing.
    expect(await behind.service.syncCalendar(30_000)).toBe(false);
    expect(behind.deadlines.calendarVersion).toHaveBeenCalledTimes(1);
  });

  it('recomputes the deadlines computed on an older calendar than the one it just synced, at most `limit`', async () => {
    const { service, deadlines } = setup([[]], {}, { version: 4, stored: 5 });

    expect(await service.recomputeOutdated(300)).toEqual({ checked: 0, moved: 0 });
    expect(deadlines.lockOutdated).toHaveBeenCalledWith(TX, 5, 300);
    expect(deadlines.writeRecomputed).not.toHaveBeenCalled();
  });

  it('re-plans a moved deadline without what already rang, records the move on its case, and wakes its first alarm', async () => {
    const moved = row('d1', { milestones: { id: 'd1' }, next_alarm: 1 }); // its reminder rang
    const { service, deadlines, written, timers } = setup([[moved]], { d1: '2026-11-23' });

    expect(await service.recomputeOutdated()).toEqual({ checked: 1, moved: 1 });
    expect(written).toEqual([
      [
        {
          id: 'd1',
          due_date: '2026-11-23',
          due_at: dueAt('2026-11-23').toISOString(),
          alarms: [due('2026-11-23')],
          status: 'armed',
          next_alarm_at: dueAt('2026-11-23').toISOString(),
          keep: false,
        },
      ],
    ]);
    expect(deadlines.writeRecomputed).toHaveBeenCalledWith(TX, 1, expect.any(Array));
    expect(deadlines.recordMoves).toHaveBeenCalledWith(TX, NOW, [
      {
        case_id: 'case-d1',
        step: 'meeting',
        details: { deadlineId: 'd1', recomputed: { from: '2026-11-20', to: '2026-11-23' }, reason: REASON },
      },
    ]);
    expect(timers.wakeAt).toHaveBeenCalledWith([dueAt('2026-11-23')], NOW);
  });

  it('keeps a deadline whose date and remaining alarms are unchanged, and writes a new plan without a history entry when only the alarms moved', async () => {
    const same = row('same', { milestones: { id: 'same' } });
    const replanned = row('replanned', {
      milestones: { id: 'replanned' },
      alarms: [reminder('2026-11-18'), due('2026-11-20')],
    }); // its reminder moves to the 19th
    const { service, deadlines, written, timers } = setup([[same, replanned]]);

    expect(await service.recomputeOutdated()).toEqual({ checked: 2, moved: 0 });
    expect(written[0]).toEqual([
      {
        id: 'same',
        due_date: '2026-11-20',
        due_at: null,
        alarms: null,
        status: 'armed',
        next_alarm_at: null,
        keep: true,
      },
      {
        id: 'replanned',
        due_date: '2026-11-20',
        due_at: dueAt('2026-11-20').toISOString(),
        alarms: [reminder('2026-11-19'), due('2026-11-20')],
        status: 'armed',
        next_alarm_at: reminder('2026-11-19').at,
        keep: false,
      },
    ]);
    expect(deadlines.recordMoves).not.toHaveBeenCalled();
    expect(timers.wakeAt).toHaveBeenCalledWith([new Date(reminder('2026-11-19').at)], NOW);
  });

  it('leaves the status of a deadline whose new due instant is past (an overdue stays overdue)', async () => {
    const { service, written } = setup(
      [[row('late', { milestones: { id: 'late' }, status: 'overdue', alarms: [due('2026-11-20')] })]],
      { late: '2026-11-09' },
    );

    await service.recomputeOutdated();
    expect(written[0][0]).toMatchObject({ id: 'late', due_date: '2026-11-09', status: 'overdue', keep: false });
  });

  it('goes through a campaign in batches of 2,000 in id order, each after the last id of the one before, until a batch is short', async () => {
    const full = Array.from({ length: 2000 }, (_, i) => row(`d${String(i).padStart(4, '0')}`));
    const { service, deadlines } = setup([full, [row('d9999')]]);

    expect(await service.recomputeCampaign('k1', 'window moved')).toEqual({ checked: 2001, moved: 0 });
    expect(deadlines.lockOfCampaign.mock.calls).toEqual([
      [TX, 'k1', '00000000-0000-0000-0000-000000000000', 2000],
      [TX, 'k1', 'd1999', 2000],
    ]);
    expect(deadlines.transaction).toHaveBeenCalledTimes(2);
  });
});
