import { Injectable } from '@nestjs/common';
import { jobId, JobName, MAX_CASES_PER_JOB } from '@rasoat/contracts';
import { JobQueue } from '../infrastructure';

/** The case-events queue's typed facade: wake-ups that make the worker apply accepted events. */
@Injectable()
export class CaseEventsProducer {
  constructor(private readonly jobs: JobQueue) {}

  /** Wakes the worker to apply the case's accepted events; duplicates of one seq collapse. */
  async wake(caseId: string, seq: number): Promise<void> {
    await this.jobs.enqueue(JobName.ApplyCaseEvents, { caseId }, { jobId: jobId.applyCaseEvents(caseId, seq) });
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
      jobs.push({
        data: { caseIds: chunk.map((c) => c.caseId) },
        jobId: jobId.applyCases(chunk[0].caseId, chunk[0].seq, chunk.length),
      });
    }
    await this.jobs.enqueueMany(JobName.ApplyCaseEvents, jobs);
  }

  /**
   * The sweeper's re-wake of cases whose events waited too long. Its job id differs from the
   * first wake-up's: that job may still exist as failed (a worker killed twice while holding it
   * makes BullMQ fail it as stalled), and a re-add under its id would be silently ignored.
   */
  async rewakeMany(items: readonly { caseId: string; seq: number }[], at: Date): Promise<void> {
    await this.jobs.enqueueMany(
      JobName.ApplyCaseEvents,
      items.map(({ caseId, seq }) => ({ data: { caseId }, jobId: jobId.rewakeCase(caseId, seq, at) })),
    );
  }
}
