import { z } from 'zod';

/**
 * Queue and job names are wire format shared by producers (API, sweepers) and consumers
 * (worker). Explicit strings, never class names; changing one is a breaking change.
 */
export const QueueName = {
  /** Wake-ups that make the worker drain a case's inbox of accepted events. */
  CaseEvents: 'case-events',
  /** Deadline wake-ups and periodic sweeps. */
  Timers: 'timers',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  ApplyCaseEvents: 'apply-case-events',
  FireAlarms: 'fire-alarms',
  Sweep: 'sweep',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export const ApplyCaseEventsPayload = z.strictObject({ caseId: z.uuid() });
export type ApplyCaseEventsPayload = z.infer<typeof ApplyCaseEventsPayload>;

/** Rings every deadline alarm due at or before `at` (and any missed earlier). */
export const FireAlarmsPayload = z.strictObject({ at: z.iso.datetime() });
export type FireAlarmsPayload = z.infer<typeof FireAlarmsPayload>;

export const SweepPayload = z.strictObject({});
export type SweepPayload = z.infer<typeof SweepPayload>;

/** Which schema parses which job's payload; the worker refuses to start if a job has no handler. */
export const JOB_PAYLOADS = {
  [JobName.ApplyCaseEvents]: { queue: QueueName.CaseEvents, schema: ApplyCaseEventsPayload },
  [JobName.FireAlarms]: { queue: QueueName.Timers, schema: FireAlarmsPayload },
  [JobName.Sweep]: { queue: QueueName.Timers, schema: SweepPayload },
} as const;

/** Deterministic job ids, so that a duplicate wake-up collapses into the job already queued. */
export const jobId = {
  applyCaseEvents: (caseId: string, seq: number) => `case.${caseId}.${seq}`,
  /** A sweeper's re-wake: unique per sweep instant, collapsing duplicates of that sweep only. */
  rewakeCase: (caseId: string, seq: number, at: Date) => `case.${caseId}.${seq}.rewake.${at.getTime()}`,
  fireAlarms: (epochSecond: number) => `alarms.${epochSecond}`,
};
