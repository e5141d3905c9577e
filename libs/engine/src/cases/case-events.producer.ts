import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { jobId, JobName, MAX_CASES_PER_JOB, QueueName, type ApplyCaseEventsPayload } from '@rasoat/contracts';
import { InjectProducerQueue } from '../infrastructure';

/** The only way to enqueue work on the case-events queue. */
@Injectable()
export class CaseEventsProducer {
  constructor(@InjectProducerQueue(QueueName.CaseEvents) private readonly queue: Queue<ApplyCaseEventsPayload>) {}

  /** Wakes the worker to apply the case's accepted events; duplicates of one seq collapse. */
  async wake(caseId: string, seq: number): Promise<void> {
    await this.queue.add(JobName.ApplyCaseEvents, { caseId }, { jobId: jobId.applyCaseEvents(caseId, seq) });
  }

  /**
   * Wakes the worker for many cases with one job per MAX_CASES_PER_JOB (the batched acceptance):
   * the queue costs one job per batch, not one per event, and the worker drains the job's cases
   * in one transaction. A lone case gets the single-case job of `wake`.
   */
  async wakeMany(items: readonly { caseId: string; seq: number }[]): Promise<void> {
    if (items.length === 1) return this.wake(items[0].caseId, items[0].seq);
    const jobs = [];
    for (let i = 0; i < items.length; i += MAX_CASES_PER_JOB) {
      const chunk = items.slice(i, i + MAX_CASES_PER_JOB);
      jobs.push({ name: JobName.ApplyCaseEvents, data: { caseIds: chunk.map((c) => c.caseId) }, opts: { jobId: jobId.applyCases(chunk[0].caseId, chunk[0].seq, chunk.length) } });
    }
    await this.queue.addBulk(jobs);
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
