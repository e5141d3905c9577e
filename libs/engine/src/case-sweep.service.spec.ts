import { Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { snapshotStageCounters } from './campaigns';
import { CaseSweep } from './case-sweep.service';
import type { AlarmRinger, CaseRewakeService } from './cases';
import type { AlarmWakeUpService, DeadlineRecomputeService } from './deadlines';
import { ManualClock } from './infrastructure';

jest.mock('./campaigns', () => ({ ...jest.requireActual('./campaigns'), snapshotStageCounters: jest.fn() }));
const snapshot = snapshotStageCounters as jest.MockedFunction<typeof snapshotStageCounters>;

const START = new Date('2026-11-20T03:00:00Z'); // 10:00 in Hà Nội
const FORK = { fork: 'em' } as unknown as EntityManager;

/** The sweep over mocked services of the other contexts; `calls` records what it called, in order. */
function setup() {
  const calls: string[] = [];
  const clock = new ManualClock(START);
  const cases = { rewakeWaiting: jest.fn(async () => (calls.push('rewake'), 2)) };
  const recompute = { recomputeOutdated: jest.fn(async () => (calls.push('recompute'), { checked: 0, moved: 0 })) };
  const alarms = {
    fireDue: jest.fn(async () => (calls.push('fireDue'), { rung: 4, events: 3, stale: 1, notifications: 5 })),
  };
  const wakeUps = { rearmNextHour: jest.fn(async () => (calls.push('rearm'), 7)) };
  snapshot.mockReset().mockImplementation(async () => (calls.push('snapshot'), 0));
  const sweep = new CaseSweep(
    { fork: () => FORK } as unknown as EntityManager,
    cases as unknown as CaseRewakeService,
    recompute as unknown as DeadlineRecomputeService,
    alarms as unknown as AlarmRinger,
    wakeUps as unknown as AlarmWakeUpService,
    clock,
  );
  return { sweep, clock, cases, recompute, alarms, wakeUps, calls };
}

describe('CaseSweep', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('re-wakes waiting cases, recomputes outdated deadlines, rings what is due, copies the stage counters, then re-arms the next hour', async () => {
    const { sweep, cases, wakeUps, calls } = setup();

    expect(await sweep.sweep(60)).toEqual({
      rung: 4,
      events: 3,
      stale: 1,
      notifications: 5,
      fired: 7,
      woken: 2,
      rearmed: 7,
    });
    expect(calls).toEqual(['rewake', 'recompute', 'fireDue', 'snapshot', 'rearm']);
    expect(cases.rewakeWaiting).toHaveBeenCalledWith(START, 60, 5000);
    expect(snapshot).toHaveBeenCalledWith(FORK, START);
    expect(wakeUps.rearmNextHour).toHaveBeenCalledWith(START, 5000);
  });

  it('passes its limit to the re-wake and the re-arm', async () => {
    const { sweep, cases, wakeUps } = setup();

    await sweep.sweep(30, 100);
    expect(cases.rewakeWaiting).toHaveBeenCalledWith(START, 30, 100);
    expect(wakeUps.rearmNextHour).toHaveBeenCalledWith(START, 100);
  });

  it('copies the stage counters once an hour, and again as soon as a new civil day starts in Hà Nội', async () => {
    const { sweep, clock } = setup();
    const at = async (instant: string) => {
      clock.set(new Date(instant));
      await sweep.sweep(60);
      return snapshot.mock.calls.length;
    };

    expect(await at('2026-11-20T03:00:00Z')).toBe(1); // the process's first sweep
    expect(await at('2026-11-20T03:59:59Z')).toBe(1);
    expect(await at('2026-11-20T04:00:00Z')).toBe(2); // an hour later
    expect(await at('2026-11-20T16:30:00Z')).toBe(3); // 23:30 in Hà Nội
    expect(await at('2026-11-20T16:59:59Z')).toBe(3);
    expect(await at('2026-11-20T17:00:00Z')).toBe(4); // midnight in Hà Nội: the new day's first copy
    expect(await at('2026-11-20T17:10:00Z')).toBe(4);
  });

  it('fails the sweep before the re-arm when the copy fails, and copies again at the next sweep', async () => {
    const { sweep, calls } = setup();
    snapshot.mockRejectedValueOnce(new Error('connection lost'));

    await expect(sweep.sweep(60)).rejects.toThrow('connection lost');
    expect(calls).toEqual(['rewake', 'recompute', 'fireDue']);
    await sweep.sweep(60);
    expect(snapshot).toHaveBeenCalledTimes(2); // the failed copy did not count
  });
});
