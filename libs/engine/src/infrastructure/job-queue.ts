import { Inject, Injectable } from '@nestjs/common';
import type { Queue, RepeatOptions } from 'bullmq';
import { APP_CONFIG } from '@rasoat/config';
import {
  JOBS,
  parseJobPayload,
  type JobName,
  type JobPayload,
  type QueueName,
  type RetrySettings,
} from '@rasoat/contracts';
import { PRODUCER_QUEUES } from './producer-queues';

/** What `JobQueue` uses of a BullMQ queue (a fake in unit tests). */
export type EnqueueTarget = Pick<Queue, 'add' | 'addBulk' | 'upsertJobScheduler' | 'remove'>;

/** Where and when one job runs, beside its payload: a deterministic id collapses duplicates. */
export interface EnqueueOptions {
  jobId?: string;
  /** Milliseconds before the job may run. */
  delay?: number;
}

/** One job of an `enqueueMany`. */
export type JobEntry<N extends JobName> = EnqueueOptions & { data: JobPayload<N> };

/** When a job scheduler adds its job: every N ms, or on a cron pattern in a time zone. */
export type JobSchedule = Pick<RepeatOptions, 'every'> | Pick<RepeatOptions, 'pattern' | 'tz'>;

/** Most jobs one `addBulk` carries (one Redis round trip each). */
const BULK_SIZE = 1000;

/**
 * The only way to put a job in a queue. The job's name picks its queue and its options (attempts,
 * backoff, retention) from the contract (`JOBS`), and its payload is parsed against the contract
 * before it reaches Redis: a bad payload throws, naming the job and the field, and adds nothing.
 * It adds to the producer queues (`producerQueueProviders`): in a process that serves HTTP they
 * fail fast when Redis does not answer.
 */
@Injectable()
export class JobQueue {
  private readonly settings: RetrySettings;

  constructor(
    @Inject(PRODUCER_QUEUES) private readonly queues: ReadonlyMap<QueueName, EnqueueTarget>,
    @Inject(APP_CONFIG) config: { notifications: RetrySettings },
  ) {
    this.settings = config.notifications;
  }

  /** Adds one job (BullMQ `add`). */
  async enqueue<N extends JobName>(name: N, data: JobPayload<N>, options: EnqueueOptions = {}): Promise<void> {
    const payload = this.parse(name, data);
    await this.queueOf(name).add(name, payload, { ...JOBS[name].options(this.settings), ...options });
  }

  /** Adds jobs of one name in order, `BULK_SIZE` per `addBulk`; every payload is parsed before the first is added. */
  async enqueueMany<N extends JobName>(name: N, entries: readonly JobEntry<N>[]): Promise<void> {
    const queue = this.queueOf(name);
    const defaults = JOBS[name].options(this.settings);
    const jobs = entries.map(({ data, ...options }) => ({
      name,
      data: this.parse(name, data),
      opts: { ...defaults, ...options },
    }));
    for (let i = 0; i < jobs.length; i += BULK_SIZE) await queue.addBulk(jobs.slice(i, i + BULK_SIZE));
  }

  /** Creates or updates a BullMQ job scheduler that adds job `name` with `data` on `schedule`. */
  async schedule<N extends JobName>(
    schedulerId: string,
    schedule: JobSchedule,
    name: N,
    data: JobPayload<N>,
  ): Promise<void> {
    const payload = this.parse(name, data);
    await this.queueOf(name).upsertJobScheduler(schedulerId, schedule, {
      name,
      data: payload,
      opts: JOBS[name].options(this.settings),
    });
  }

  /** Removes the job `jobId` of job `name`'s queue, if it is there and not running (so that its id can be used again). */
  async remove(name: JobName, jobId: string): Promise<void> {
    await this.queueOf(name).remove(jobId);
  }

  private parse<N extends JobName>(name: N, data: unknown): JobPayload<N> {
    const parsed = parseJobPayload(name, data);
    if (!parsed.success) throw new Error(parsed.error);
    return parsed.data;
  }

  private queueOf(name: JobName): EnqueueTarget {
    const queue = this.queues.get(JOBS[name].queue);
    if (!queue) throw new Error(`no producer queue "${JOBS[name].queue}" for job "${name}"`);
    return queue;
  }
}
