import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { jobId, JobName, QueueName } from '@rasoat/contracts';
import { InjectProducerQueue } from '../infrastructure';

/**
 * Wake-ups for deadline alarms. Redis holds one delayed job per distinct second at which some
 * alarm rings — not one per deadline — so a million armed deadlines cost a few thousand jobs,
 * and 80,000 villages due at the same instant cost one. The job only wakes the engine: the
 * deadline rows in PostgreSQL are the truth, and the sweeper rings anything a lost job missed.
 */
@Injectable()
export class TimersProducer {
  constructor(@InjectProducerQueue(QueueName.Timers) private readonly queue: Queue) {}

  /** Schedules a wake-up at each distinct second of `instants` (already-past ones ring now). */
  async wakeAt(instants: readonly Date[], now: Date): Promise<void> {
    const seconds = [...new Set(instants.map((i) => Math.ceil(i.getTime() / 1000)))];
    for (let i = 0; i < seconds.length; i += 1000) {
      await this.queue.addBulk(
        seconds.slice(i, i + 1000).map((second) => ({
          name: JobName.FireAlarms,
          data: { at: new Date(second * 1000).toISOString() },
          opts: { jobId: jobId.fireAlarms(second), delay: Math.max(0, second * 1000 - now.getTime()) },
        })),
      );
    }
  }

  /** The periodic sweep, as a BullMQ job scheduler: one per deployment, whatever the process count. */
  async ensureSweeper(everySeconds: number): Promise<void> {
    await this.queue.upsertJobScheduler('sweeper', { every: everySeconds * 1000 }, { name: JobName.Sweep, data: {} });
  }
}
