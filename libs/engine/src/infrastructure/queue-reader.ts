import { Inject, Injectable } from '@nestjs/common';
import type { JobType, Queue } from 'bullmq';
import type { QueueName } from '@rasoat/contracts';
import { PRODUCER_QUEUES } from './producer-queues';

/**
 * The queues as health, metrics and the dashboard see them, on the producers' connections (which
 * fail fast in a process that serves HTTP, so that a probe never waits on Redis). Jobs are added
 * through `JobQueue` only.
 */
@Injectable()
export class QueueReader {
  constructor(@Inject(PRODUCER_QUEUES) private readonly queues: ReadonlyMap<QueueName, Queue>) {}

  /** How many jobs of queue `name` are in each of `states`. */
  jobCounts(name: QueueName, ...states: JobType[]): Promise<Record<string, number>> {
    return this.queueOf(name).getJobCounts(...states);
  }

  /** The queues themselves, for Bull Board: it lists their jobs, and lets national admins retry, promote and clean them. */
  forDashboard(names: readonly QueueName[]): Queue[] {
    return names.map((name) => this.queueOf(name));
  }

  private queueOf(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no queue "${name}"`);
    return queue;
  }
}
