import {
  ApplyCaseEventsPayload,
  casesOf,
  JOBS,
  JobName,
  MAX_CASES_PER_JOB,
  parseJobPayload,
  QueueName,
} from './queue-contract';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('ApplyCaseEventsPayload', () => {
  it('takes one case or a list of cases, and casesOf names them', () => {
    expect(casesOf(ApplyCaseEventsPayload.parse({ caseId: id(1) }))).toEqual([id(1)]);
    expect(casesOf(ApplyCaseEventsPayload.parse({ caseIds: [id(1), id(2)] }))).toEqual([id(1), id(2)]);
  });

  it('refuses an empty or oversized list, a non-UUID, both forms at once and unknown keys, naming the path', () => {
    const issues = (payload: unknown) => {
      const r = ApplyCaseEventsPayload.safeParse(payload);
      expect(r.success).toBe(false);
      return JSON.stringify(r.error?.issues);
    };
    expect(issues({ caseIds: [] })).toContain('caseIds');
    expect(issues({ caseIds: Array.from({ length: MAX_CASES_PER_JOB + 1 }, (_, i) => id(i)) })).toContain('caseIds');
    expect(issues({ caseIds: [id(1), 'not-a-case'] })).toContain('"caseIds",1');
    expect(issues({ caseId: id(1), caseIds: [id(2)] })).toBeTruthy();
    expect(issues({ caseId: id(1), extra: true })).toBeTruthy();
  });
});

describe('JOBS', () => {
  const settings = { deliveryAttempts: 3, deliveryBackoffMs: 50 };
  const weekSeconds = 7 * 24 * 3600;

  it('has one row per job name, on one of the queues', () => {
    expect(Object.keys(JOBS).sort()).toEqual(Object.values(JobName).sort());
    for (const row of Object.values(JOBS)) expect(Object.values(QueueName)).toContain(row.queue);
    expect(Object.fromEntries(Object.entries(JOBS).map(([name, row]) => [name, row.queue]))).toEqual({
      [JobName.ApplyCaseEvents]: QueueName.CaseEvents,
      [JobName.FireAlarms]: QueueName.Timers,
      [JobName.Sweep]: QueueName.Timers,
      [JobName.DeliverNotification]: QueueName.Notifications,
      [JobName.BuildDigests]: QueueName.Notifications,
    });
  });

  it('retries the engine’s jobs 20 times from 500 ms, a delivery as the deployment says; removes a completed job, keeps a failed one a week', () => {
    for (const name of [JobName.ApplyCaseEvents, JobName.FireAlarms, JobName.Sweep, JobName.BuildDigests]) {
      expect(JOBS[name].options(settings)).toEqual({
        attempts: 20,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: true,
        removeOnFail: { age: weekSeconds },
      });
    }
    expect(JOBS[JobName.DeliverNotification].options(settings)).toEqual({
      attempts: 3,
      backoff: { type: 'exponential', delay: 50 },
      removeOnComplete: true,
      removeOnFail: { age: weekSeconds },
    });
  });
});

describe('parseJobPayload', () => {
  it('gives the payload of each job as its schema parses it', () => {
    expect(parseJobPayload(JobName.DeliverNotification, { deliveryId: id(7) })).toEqual({
      success: true,
      data: { deliveryId: id(7) },
    });
    expect(parseJobPayload(JobName.FireAlarms, { at: '2026-11-23T01:00:00.000Z' })).toEqual({
      success: true,
      data: { at: '2026-11-23T01:00:00.000Z' },
    });
    expect(parseJobPayload(JobName.Sweep, {})).toEqual({ success: true, data: {} });
    expect(parseJobPayload(JobName.BuildDigests, {})).toEqual({ success: true, data: {} });
  });

  it('refuses a bad payload naming the job and the field', () => {
    expect(parseJobPayload(JobName.DeliverNotification, { deliveryId: 'x' })).toEqual({
      success: false,
      error: 'bad payload for job "deliver-notification": deliveryId: Invalid UUID',
    });
    expect(parseJobPayload(JobName.ApplyCaseEvents, { caseIds: [id(1), 'x'] })).toEqual({
      success: false,
      error: 'bad payload for job "apply-case-events": caseIds.1: Invalid UUID',
    });
    expect(parseJobPayload(JobName.Sweep, { extra: 1 })).toEqual({
      success: false,
      error: 'bad payload for job "sweep": (payload): Unrecognized key: "extra"',
    });
    expect(parseJobPayload(JobName.BuildDigests, undefined)).toMatchObject({
      success: false,
      error: expect.stringContaining('bad payload for job "build-digests": (payload): '),
    });
  });

  it('lists what each form of a union missed when the payload matches none', () => {
    const refused = parseJobPayload(JobName.ApplyCaseEvents, {});
    expect(refused.success).toBe(false);
    expect(!refused.success && refused.error).toMatch(
      /^bad payload for job "apply-case-events": \(payload\): Invalid input \(caseId: .+ \| caseIds: .+\)$/,
    );
  });
});
