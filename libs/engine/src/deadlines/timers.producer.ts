import { Injectable } from '@nestjs/common';
import { jobId, JobName } from '@rasoat/contracts';
import { JobQueue } from '../infrastructure';

/**
 * Wake-ups for deadline alarms. Redis holds one delayed job per distinct second at which some
 * alarm rings — not one per deadline — so a million armed deadlines cost a few thousand jobs,
 * and 80,000 villages due at the same instant cost one. The job only wakes the engine: the
 * deadline rows in PostgreSQL are the truth, and the sweeper rings anything a lost job missed.
 */
@Injectable()
export class TimersProducer {
  constructor(private readonly jobs: JobQueue) {}

  /** Schedules a wake-up at each distinct second of `instants` (already-past ones ring now). */
  async wakeAt(instants: readonly Date[], now: Date): Promise<void> {
    const seconds = [...new Set(instants.map((i) => Math.ceil(i.getTime() / 1000)))];
    await this.jobs.enqueueMany(
      JobName.FireAlarms,
      seconds.map((second) => ({
        data: { at: new Date(second * 1000).toISOString() },
        jobId: jobId.fireAlarms(second),
        delay: Math.max(0, second * 1000 - now.getTime()),
      })),
    );
  }

  /** The periodic sweep, as a BullMQ job scheduler: one per deployment, whatever the process count. */
  async ensureSweeper(everySeconds: number): Promise<void> {
    await this.jobs.schedule('sweeper', { every: everySeconds * 1000 }, JobName.Sweep, {});
  }
}
