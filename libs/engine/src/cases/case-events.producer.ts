import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { jobId, JobName, QueueName, type ApplyCaseEventsPayload } from '@rasoat/contracts';

/** The only way to enqueue work on the case-events queue. */
@Injectable()
export class CaseEventsProducer {
  constructor(@InjectQueue(QueueName.CaseEvents) private readonly queue: Queue<ApplyCaseEventsPayload>) {}

  /** Wakes the worker to apply the case's accepted events; duplicates of one seq collapse. */
  async wake(caseId: string, seq: number): Promise<void> {
    await this.queue.add(JobName.ApplyCaseEvents, { caseId }, { jobId: jobId.applyCaseEvents(caseId, seq) });
  }

  /** `wake` for many cases in one round trip per 1,000 (the batched acceptance: one job per case, for its highest new seq). */
  async wakeMany(items: readonly { caseId: string; seq: number }[]): Promise<void> {
    for (let i = 0; i < items.length; i += 1000) {
      await this.queue.addBulk(
        items.slice(i, i + 1000).map(({ caseId, seq }) => ({
          name: JobName.ApplyCaseEvents,
          data: { caseId },
          opts: { jobId: jobId.applyCaseEvents(caseId, seq) },
        })),
      );
    }
  }

  /**
   * The sweeper's re-wake of cases whose events waited too long. Its job id differs from the
   * first wake-up's: that job may still exist as failed (a worker killed twice while holding it
   * makes BullMQ fail it as stalled), and a re-add under its id would be silently ignored.
   */
  async rewakeMany(items: readonly { caseId: string; seq: number }[], at: Date): Promise<void> {
    for (let i = 0; i < items.length; i += 1000) {
      await this.queue.addBulk(
        items.slice(i, i + 1000).map(({ caseId, seq }) => ({
          name: JobName.ApplyCaseEvents,
          data: { caseId },
          opts: { jobId: jobId.rewakeCase(caseId, seq, at) },
        })),
      );
    }
  }
}
