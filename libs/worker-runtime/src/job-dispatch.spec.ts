import { UnrecoverableError, type Job } from 'bullmq';
import { JobName, QueueName } from '@rasoat/contracts';
import { currentLogContext } from '@rasoat/observability';
import { dispatch } from './job-dispatch';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const jobOf = (name: string, data: unknown) =>
  ({ id: 'job-1', name, data, queueName: QueueName.Notifications, attemptsMade: 0, opts: {} }) as unknown as Job;

describe('dispatch', () => {
  // The notifications processor's jobs.
  let handlers: Record<typeof JobName.DeliverNotification | typeof JobName.BuildDigests, jest.Mock>;

  beforeEach(() => {
    handlers = {
      [JobName.DeliverNotification]: jest.fn(async () => ({ status: 'sent' })),
      [JobName.BuildDigests]: jest.fn(async () => 'built'),
    };
  });

  it('calls the handler of the job’s name with the parsed payload and the job, and answers its result', async () => {
    const job = jobOf(JobName.DeliverNotification, { deliveryId: id(1) });
    await expect(dispatch(job, handlers)).resolves.toEqual({ status: 'sent' });
    expect(handlers[JobName.DeliverNotification].mock.calls).toEqual([[{ deliveryId: id(1) }, job]]);
    expect(handlers[JobName.BuildDigests]).not.toHaveBeenCalled();
  });

  it('runs the handler with the job id in the log context', async () => {
    handlers[JobName.BuildDigests].mockImplementation(async () => currentLogContext());
    await expect(dispatch(jobOf(JobName.BuildDigests, {}), handlers)).resolves.toEqual({ jobId: 'job-1' });
  });

  it('refuses a job no handler of the processor knows, unrecoverably, naming the job and the queue', async () => {
    for (const name of ['resize-photo', JobName.Sweep, 'constructor']) {
      const refusal = dispatch(jobOf(name, {}), handlers);
      await expect(refusal).rejects.toBeInstanceOf(UnrecoverableError);
      await expect(refusal).rejects.toThrow(`no handler for job "${name}" on ${QueueName.Notifications}`);
    }
    expect(Object.values(handlers).every((h) => h.mock.calls.length === 0)).toBe(true);
  });

  it('refuses a payload the contract does not parse, unrecoverably, naming the job and the field', async () => {
    const refusal = dispatch(jobOf(JobName.DeliverNotification, { deliveryId: 'x' }), handlers);
    await expect(refusal).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(refusal).rejects.toThrow('bad payload for job "deliver-notification": deliveryId: Invalid UUID');
    // The payloads without fields are parsed too.
    await expect(dispatch(jobOf(JobName.BuildDigests, { day: 'today' }), handlers)).rejects.toThrow(
      'bad payload for job "build-digests": (payload): Unrecognized key: "day"',
    );
    expect(Object.values(handlers).every((h) => h.mock.calls.length === 0)).toBe(true);
  });

  it('lets a handler’s failure through as it is, so that BullMQ retries the job', async () => {
    handlers[JobName.DeliverNotification].mockRejectedValue(new Error('receiver answered 503'));
    const failure = dispatch(jobOf(JobName.DeliverNotification, { deliveryId: id(1) }), handlers);
    await expect(failure).rejects.toThrow('receiver answered 503');
    await expect(failure).rejects.not.toBeInstanceOf(UnrecoverableError);
  });
});
