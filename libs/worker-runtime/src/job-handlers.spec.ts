import { JobName, QueueName } from '@rasoat/contracts';
import { CaseEventsProcessor } from './case-events.processor';
import { assertEveryJobHandled, type ProcessorJobs } from './job-handlers';
import { NotificationsProcessor } from './notifications.processor';
import { TimersProcessor } from './timers.processor';

const caseEvents: ProcessorJobs = {
  name: 'CaseEventsProcessor',
  queue: QueueName.CaseEvents,
  handles: [JobName.ApplyCaseEvents],
};
const timers: ProcessorJobs = {
  name: 'TimersProcessor',
  queue: QueueName.Timers,
  handles: [JobName.FireAlarms, JobName.Sweep],
};
const notifications: ProcessorJobs = {
  name: 'NotificationsProcessor',
  queue: QueueName.Notifications,
  handles: [JobName.DeliverNotification, JobName.BuildDigests],
};

describe('assertEveryJobHandled', () => {
  it('accepts one handler per job, each on the processor of the job’s queue', () => {
    expect(() => assertEveryJobHandled([caseEvents, timers, notifications])).not.toThrow();
  });

  it('accepts the worker’s processors, whose declared queue is the one their @Processor consumes', () => {
    const processors = [CaseEventsProcessor, TimersProcessor, NotificationsProcessor];
    expect(() => assertEveryJobHandled(processors)).not.toThrow();
    // Where @nestjs/bullmq keeps the queue a processor class consumes.
    for (const processor of processors)
      expect(Reflect.getMetadata('bullmq:processor_metadata', processor)).toEqual({ name: processor.queue });
  });

  it('refuses a job without a handler', () => {
    expect(() =>
      assertEveryJobHandled([caseEvents, { ...timers, handles: [JobName.FireAlarms] }, notifications]),
    ).toThrow('Worker cannot start:\njob "sweep" has 0 handlers (expected exactly 1)');
  });

  it('refuses a job with two handlers', () => {
    expect(() =>
      assertEveryJobHandled([
        caseEvents,
        timers,
        notifications,
        { name: 'SecondTimersProcessor', queue: QueueName.Timers, handles: [JobName.Sweep] },
      ]),
    ).toThrow('job "sweep" has 2 handlers (expected exactly 1)');
  });

  it('refuses a handler on a processor of another queue than the job’s, naming both', () => {
    const moved = () =>
      assertEveryJobHandled([
        caseEvents,
        { ...timers, handles: [JobName.FireAlarms] },
        { ...notifications, handles: [...notifications.handles, JobName.Sweep] },
      ]);
    expect(moved).toThrow(
      'job "sweep" is handled by NotificationsProcessor on queue "notifications", but the contract puts it on "timers"',
    );
    expect(moved).not.toThrow('has 0 handlers');
  });

  it('refuses a handler for a name that is not a job of the contract', () => {
    expect(() =>
      assertEveryJobHandled([
        caseEvents,
        timers,
        { ...notifications, handles: [...notifications.handles, 'resize-photo' as JobName] },
      ]),
    ).toThrow('NotificationsProcessor handles "resize-photo", which is not a job of the contract');
  });

  it('lists every problem at once', () => {
    expect(() => assertEveryJobHandled([caseEvents])).toThrow(
      /fire-alarms.*\n.*sweep.*\n.*deliver-notification.*\n.*build-digests/,
    );
  });
});
