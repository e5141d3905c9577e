import { JobName } from '@rasoat/contracts';
import type { JobQueue } from '../infrastructure';
import { DIGEST_SCHEDULER_ID, NotificationsProducer } from './notifications.producer';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('NotificationsProducer', () => {
  const calls: string[] = [];
  const jobs = {
    enqueueMany: jest.fn(async () => void calls.push('enqueueMany')),
    remove: jest.fn(async () => void calls.push('remove')),
    schedule: jest.fn(async () => undefined),
  };
  const producer = new NotificationsProducer(jobs as unknown as JobQueue);

  beforeEach(() => {
    jest.clearAllMocks();
    calls.length = 0;
  });

  it('enqueues one delivery job per row, with the id delivery.<id>', async () => {
    await producer.deliver([id(1), id(2)]);
    expect(jobs.enqueueMany.mock.calls).toEqual([
      [
        JobName.DeliverNotification,
        [
          { data: { deliveryId: id(1) }, jobId: `delivery.${id(1)}` },
          { data: { deliveryId: id(2) }, jobId: `delivery.${id(2)}` },
        ],
      ],
    ]);
  });

  it('removes a dead delivery’s job before enqueuing it again under the same id', async () => {
    await producer.redeliver(id(3));
    expect(calls).toEqual(['remove', 'enqueueMany']);
    expect(jobs.remove.mock.calls).toEqual([[JobName.DeliverNotification, `delivery.${id(3)}`]]);
    expect(jobs.enqueueMany.mock.calls).toEqual([
      [JobName.DeliverNotification, [{ data: { deliveryId: id(3) }, jobId: `delivery.${id(3)}` }]],
    ]);
  });

  it('keeps the daily digest as a job scheduler at the hour in Asia/Ho_Chi_Minh', async () => {
    await producer.ensureDigestSchedule(6);
    expect(jobs.schedule.mock.calls).toEqual([
      [DIGEST_SCHEDULER_ID, { pattern: '0 6 * * *', tz: 'Asia/Ho_Chi_Minh' }, JobName.BuildDigests, {}],
    ]);
  });
});
