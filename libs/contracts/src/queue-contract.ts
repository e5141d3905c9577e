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
  /** Notification deliveries (e-mail, signed webhooks) and the daily digest. */
  Notifications: 'notifications',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  ApplyCaseEvents: 'apply-case-events',
  FireAlarms: 'fire-alarms',
  Sweep: 'sweep',
  DeliverNotification: 'deliver-notification',
  BuildDigests: 'build-digests',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Most cases one apply job names (an acceptance batch larger than this is woken by several jobs). */
export const MAX_CASES_PER_JOB = 500;

/**
 * Applies the accepted events of one case, or of several: an acceptance batch wakes all its
 * cases with one job, so that the queue costs one job per batch, not one per event.
 */
export const ApplyCaseEventsPayload = z.union([z.strictObject({ caseId: z.uuid() }), z.strictObject({ caseIds: z.array(z.uuid()).min(1).max(MAX_CASES_PER_JOB) })]);
export type ApplyCaseEventsPayload = z.infer<typeof ApplyCaseEventsPayload>;

/** The cases an apply job wakes. */
export const casesOf = (payload: ApplyCaseEventsPayload): string[] => ('caseIds' in payload ? payload.caseIds : [payload.caseId]);

/** Rings every deadline alarm due at or before `at` (and any missed earlier). */
export const FireAlarmsPayload = z.strictObject({ at: z.iso.datetime() });
export type FireAlarmsPayload = z.infer<typeof FireAlarmsPayload>;

export const SweepPayload = z.strictObject({});
export type SweepPayload = z.infer<typeof SweepPayload>;

/** Sends one `notification_delivery` row (e-mail or webhook); a sent row is never sent again. */
export const DeliverNotificationPayload = z.strictObject({ deliveryId: z.uuid() });
export type DeliverNotificationPayload = z.infer<typeof DeliverNotificationPayload>;

/** Builds the daily digests due at the job's run time (the job scheduler's daily tick). */
export const BuildDigestsPayload = z.strictObject({});
export type BuildDigestsPayload = z.infer<typeof BuildDigestsPayload>;

/** Which schema parses which job's payload; the worker refuses to start if a job has no handler. */
export const JOB_PAYLOADS = {
  [JobName.ApplyCaseEvents]: { queue: QueueName.CaseEvents, schema: ApplyCaseEventsPayload },
  [JobName.FireAlarms]: { queue: QueueName.Timers, schema: FireAlarmsPayload },
  [JobName.Sweep]: { queue: QueueName.Timers, schema: SweepPayload },
  [JobName.DeliverNotification]: { queue: QueueName.Notifications, schema: DeliverNotificationPayload },
  [JobName.BuildDigests]: { queue: QueueName.Notifications, schema: BuildDigestsPayload },
} as const;

/** Deterministic job ids, so that a duplicate wake-up collapses into the job already queued. */
export const jobId = {
  applyCaseEvents: (caseId: string, seq: number) => `case.${caseId}.${seq}`,
  /** Several cases woken together: named after the first case's new event, which no other wake-up names. */
  applyCases: (firstCaseId: string, seq: number, count: number) => `cases.${firstCaseId}.${seq}.${count}`,
  /** A sweeper's re-wake: unique per sweep instant, collapsing duplicates of that sweep only. */
  rewakeCase: (caseId: string, seq: number, at: Date) => `case.${caseId}.${seq}.rewake.${at.getTime()}`,
  deliverNotification: (deliveryId: string) => `delivery.${deliveryId}`,
  fireAlarms: (epochSecond: number) => `alarms.${epochSecond}`,
};
