import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { jobId, JobName, QueueName } from '@rasoat/contracts';

/**
 * Delayed wake-ups for deadlines. A job only wakes the engine: the deadline row in
 * PostgreSQL is the truth, and the sweeper fires anything whose job was lost.
 */
@Injectable()
export class TimersProducer {
  constructor(@InjectQueue(QueueName.Timers) private readonly queue: Queue) {}

  async schedule(deadlineId: string, dueAt: Date, now: Date): Promise<void> {
    await this.queue.add(JobName.FireDeadline, { deadlineId }, { jobId: jobId.fireDeadline(deadlineId), delay: Math.max(0, dueAt.getTime() - now.getTime()) });
  }

  async scheduleMany(items: readonly { deadlineId: string; dueAt: Date }[], now: Date): Promise<void> {
    for (let i = 0; i < items.length; i += 1000) {
      await this.queue.addBulk(
        items.slice(i, i + 1000).map(({ deadlineId, dueAt }) => ({
          name: JobName.FireDeadline,
          data: { deadlineId },
          opts: { jobId: jobId.fireDeadline(deadlineId), delay: Math.max(0, dueAt.getTime() - now.getTime()) },
        })),
      );
    }
  }

  /** The periodic sweep, as a BullMQ job scheduler: one per deployment, whatever the process count. */
  async ensureSweeper(everySeconds: number): Promise<void> {
    await this.queue.upsertJobScheduler('sweeper', { every: everySeconds * 1000 }, { name: JobName.Sweep, data: {} });
  }
}
