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
export const ApplyCaseEventsPayload = z.union([
  z.strictObject({ caseId: z.uuid() }),
  z.strictObject({ caseIds: z.array(z.uuid()).min(1).max(MAX_CASES_PER_JOB) }),
]);
export type ApplyCaseEventsPayload = z.infer<typeof ApplyCaseEventsPayload>;

/** The cases an apply job wakes. */
export const casesOf = (payload: ApplyCaseEventsPayload): string[] =>
  'caseIds' in payload ? payload.caseIds : [payload.caseId];

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

/** What a deployment sets of the retry policy: config `notifications.deliveryAttempts` and `deliveryBackoffMs`. */
export interface RetrySettings {
  deliveryAttempts: number;
  deliveryBackoffMs: number;
}

/**
 * The options every job is added with (the shape of BullMQ's `JobsOptions`, which the contract
 * does not import): attempts with the first run included, exponential backoff from `delay` ms; a
 * completed job is removed at once, a failed one kept a week for the dashboard and a retry.
 */
export interface JobDefaults {
  attempts: number;
  backoff: { type: 'exponential'; delay: number };
  removeOnComplete: true;
  removeOnFail: { age: number };
}

/** One row of `JOBS`. */
export interface JobSpec {
  /** The queue the job is added to and whose processor must handle it. */
  queue: QueueName;
  /** Parses the payload, when it is enqueued and again when it is handled. */
  payload: z.ZodType;
  /** Its retry and retention: the only place they are set. */
  options: (settings: RetrySettings) => JobDefaults;
}

const KEEP_FAILED_SECONDS = 7 * 24 * 3600;

/** The engine's own jobs only wake it (PostgreSQL holds the work): retried soon and often. */
const ENGINE_JOB: JobSpec['options'] = () => ({
  attempts: 20,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { age: KEEP_FAILED_SECONDS },
});

/** A delivery waits on someone else's server: retried as the deployment says, then its row is dead. */
const DELIVERY_JOB: JobSpec['options'] = (settings) => ({
  attempts: settings.deliveryAttempts,
  backoff: { type: 'exponential', delay: settings.deliveryBackoffMs },
  removeOnComplete: true,
  removeOnFail: { age: KEEP_FAILED_SECONDS },
});

/**
 * The job contract, one row per job name: its queue, its payload's schema and its options.
 * Producers enqueue through it (the engine's `JobQueue`), the worker dispatches through it, and
 * the worker refuses to start unless each job has one handler, on the processor of its queue.
 */
export const JOBS = {
  [JobName.ApplyCaseEvents]: { queue: QueueName.CaseEvents, payload: ApplyCaseEventsPayload, options: ENGINE_JOB },
  [JobName.FireAlarms]: { queue: QueueName.Timers, payload: FireAlarmsPayload, options: ENGINE_JOB },
  [JobName.Sweep]: { queue: QueueName.Timers, payload: SweepPayload, options: ENGINE_JOB },
  [JobName.DeliverNotification]: {
    queue: QueueName.Notifications,
    payload: DeliverNotificationPayload,
    options: DELIVERY_JOB,
  },
  [JobName.BuildDigests]: { queue: QueueName.Notifications, payload: BuildDigestsPayload, options: ENGINE_JOB },
} as const satisfies { readonly [N in JobName]: JobSpec };

/** The payload of job `N`, as its schema in `JOBS` parses it. */
export type JobPayload<N extends JobName> = z.output<(typeof JOBS)[N]['payload']>;

export type PayloadParse<N extends JobName> =
  { success: true; data: JobPayload<N> } | { success: false; error: string };

/**
 * Parses a payload of job `name`. A refusal names the job and each bad field, e.g.
 * `bad payload for job "deliver-notification": deliveryId: Invalid UUID`.
 */
export function parseJobPayload<N extends JobName>(name: N, data: unknown): PayloadParse<N> {
  const parsed = JOBS[name].payload.safeParse(data);
  if (parsed.success) return { success: true, data: parsed.data as JobPayload<N> };
  return {
    success: false,
    error: `bad payload for job "${name}": ${parsed.error.issues.map((issue) => describeIssue(issue, [])).join('; ')}`,
  };
}

/** `field.path: message`; a union that no option matched lists each option's issues. */
function describeIssue(issue: z.core.$ZodIssue, parent: readonly PropertyKey[]): string {
  const path = [...parent, ...issue.path];
  const own = `${path.length > 0 ? path.map(String).join('.') : '(payload)'}: ${issue.message}`;
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return own;
  return `${own} (${issue.errors.map((option) => option.map((i) => describeIssue(i, path)).join(', ')).join(' | ')})`;
}

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
