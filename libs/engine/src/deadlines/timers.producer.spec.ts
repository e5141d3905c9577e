import { JobName } from '@rasoat/contracts';
import type { JobQueue } from '../infrastructure';
import { TimersProducer } from './timers.producer';

describe('TimersProducer', () => {
  const jobs = { enqueueMany: jest.fn(), schedule: jest.fn() };
  const producer = new TimersProducer(jobs as unknown as JobQueue);

  beforeEach(() => jest.clearAllMocks());

  it('enqueues one fire-alarms job per distinct second, named after it, delayed until it (at once when past)', async () => {
    const now = new Date('2026-11-23T01:00:00.000Z');
    await producer.wakeAt(
      [
        new Date('2026-11-23T01:00:10.200Z'),
        new Date('2026-11-23T01:00:10.900Z'),
        new Date('2026-11-23T00:59:00.000Z'),
      ],
      now,
    );
    expect(jobs.enqueueMany.mock.calls).toEqual([
      [
        JobName.FireAlarms,
        [
          { data: { at: '2026-11-23T01:00:11.000Z' }, jobId: `alarms.${now.getTime() / 1000 + 11}`, delay: 11_000 },
          { data: { at: '2026-11-23T00:59:00.000Z' }, jobId: `alarms.${now.getTime() / 1000 - 60}`, delay: 0 },
        ],
      ],
    ]);
  });

  it('keeps the sweeper as a job scheduler every N seconds', async () => {
    await producer.ensureSweeper(30);
    expect(jobs.schedule.mock.calls).toEqual([['sweeper', { every: 30_000 }, JobName.Sweep, {}]]);
  });
});
