import { JobName, QueueName } from '@rasoat/contracts';
import { JobQueue, type EnqueueTarget } from './job-queue';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const engineOptions = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

function fakeQueue() {
  return {
    add: jest.fn().mockResolvedValue(undefined),
    addBulk: jest.fn().mockResolvedValue([]),
    upsertJobScheduler: jest.fn().mockResolvedValue(undefined),
    remove: jest.fn().mockResolvedValue(1),
  };
}

describe('JobQueue', () => {
  let queues: Record<QueueName, ReturnType<typeof fakeQueue>>;
  let jobs: JobQueue;

  beforeEach(() => {
    queues = {
      [QueueName.CaseEvents]: fakeQueue(),
      [QueueName.Timers]: fakeQueue(),
      [QueueName.Notifications]: fakeQueue(),
    };
    const byName = new Map(Object.entries(queues) as unknown as [QueueName, EnqueueTarget][]);
    jobs = new JobQueue(byName, { notifications: { deliveryAttempts: 3, deliveryBackoffMs: 50 } });
  });

  const calls = () =>
    Object.fromEntries(
      Object.entries(queues).map(([name, q]) => [
        name,
        q.add.mock.calls.length + q.addBulk.mock.calls.length + q.upsertJobScheduler.mock.calls.length,
      ]),
    );

  it('adds a job to the queue of its name, with the contract’s options and its id and delay', async () => {
    await jobs.enqueue(JobName.ApplyCaseEvents, { caseId: id(1) }, { jobId: 'case.1.4' });
    await jobs.enqueue(JobName.FireAlarms, { at: '2026-11-23T01:00:00.000Z' }, { jobId: 'alarms.1', delay: 1500 });
    expect(queues[QueueName.CaseEvents].add.mock.calls).toEqual([
      [JobName.ApplyCaseEvents, { caseId: id(1) }, { ...engineOptions, jobId: 'case.1.4' }],
    ]);
    expect(queues[QueueName.Timers].add.mock.calls).toEqual([
      [JobName.FireAlarms, { at: '2026-11-23T01:00:00.000Z' }, { ...engineOptions, jobId: 'alarms.1', delay: 1500 }],
    ]);
    expect(calls()).toEqual({ [QueueName.CaseEvents]: 1, [QueueName.Timers]: 1, [QueueName.Notifications]: 0 });
  });

  it('retries a delivery as the deployment’s settings say', async () => {
    await jobs.enqueueMany(JobName.DeliverNotification, [{ data: { deliveryId: id(2) }, jobId: 'delivery.2' }]);
    expect(queues[QueueName.Notifications].addBulk.mock.calls).toEqual([
      [
        [
          {
            name: JobName.DeliverNotification,
            data: { deliveryId: id(2) },
            opts: {
              attempts: 3,
              backoff: { type: 'exponential', delay: 50 },
              removeOnComplete: true,
              removeOnFail: { age: 7 * 24 * 3600 },
              jobId: 'delivery.2',
            },
          },
        ],
      ],
    ]);
  });

  it('adds many jobs in order, 1,000 per addBulk, and nothing for none', async () => {
    const entries = Array.from({ length: 2500 }, (_, i) => ({ data: { caseId: id(i) }, jobId: `case.${i}.1` }));
    await jobs.enqueueMany(JobName.ApplyCaseEvents, entries);
    await jobs.enqueueMany(JobName.ApplyCaseEvents, []);
    const bulks = queues[QueueName.CaseEvents].addBulk.mock.calls.map(
      ([added]) => added as { name: string; data: { caseId: string }; opts: { jobId: string } }[],
    );
    expect(bulks.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(bulks.flat().map((j) => j.opts.jobId)).toEqual(entries.map((e) => e.jobId));
    expect(bulks.flat().every((j) => j.name === JobName.ApplyCaseEvents)).toBe(true);
  });

  it('refuses a bad payload before adding anything, naming the job and the field', async () => {
    await expect(jobs.enqueue(JobName.DeliverNotification, { deliveryId: 'not-a-delivery' })).rejects.toThrow(
      'bad payload for job "deliver-notification": deliveryId: Invalid UUID',
    );
    const entries = [{ data: { caseId: id(1) } }, { data: { caseId: id(2), extra: true } as never }];
    await expect(jobs.enqueueMany(JobName.ApplyCaseEvents, entries)).rejects.toThrow(
      'bad payload for job "apply-case-events"',
    );
    await expect(jobs.schedule('sweeper', { every: 1000 }, JobName.Sweep, { every: 1 } as never)).rejects.toThrow(
      'bad payload for job "sweep": (payload): Unrecognized key: "every"',
    );
    expect(calls()).toEqual({ [QueueName.CaseEvents]: 0, [QueueName.Timers]: 0, [QueueName.Notifications]: 0 });
  });

  it('keeps a job scheduler whose jobs carry the contract’s options', async () => {
    await jobs.schedule(
      'notification-digest',
      { pattern: '0 6 * * *', tz: 'Asia/Ho_Chi_Minh' },
      JobName.BuildDigests,
      {},
    );
    expect(queues[QueueName.Notifications].upsertJobScheduler.mock.calls).toEqual([
      [
        'notification-digest',
        { pattern: '0 6 * * *', tz: 'Asia/Ho_Chi_Minh' },
        { name: JobName.BuildDigests, data: {}, opts: engineOptions },
      ],
    ]);
  });

  it('removes a job from the queue of its name', async () => {
    await jobs.remove(JobName.DeliverNotification, 'delivery.2');
    expect(queues[QueueName.Notifications].remove.mock.calls).toEqual([['delivery.2']]);
    expect(queues[QueueName.CaseEvents].remove).not.toHaveBeenCalled();
  });
});
