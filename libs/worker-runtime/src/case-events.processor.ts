import { Inject, Logger, type OnModuleInit } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { casesOf, JobName, QueueName } from '@rasoat/contracts';
import { CaseEngineService } from '@rasoat/engine';
import { runWithLogContext } from '@rasoat/observability';
import { dispatch, type JobHandlers } from './job-dispatch';

/** Drains a case's inbox, together with the cases of the other jobs in flight (CaseEngineService.drainSoon). Thin: call the engine, map the outcome. */
@Processor(QueueName.CaseEvents)
export class CaseEventsProcessor extends WorkerHost implements OnModuleInit {
  static readonly queue = QueueName.CaseEvents;
  static readonly handles = [JobName.ApplyCaseEvents] as const;
  private readonly logger = new Logger(CaseEventsProcessor.name);
  private readonly handlers: JobHandlers<(typeof CaseEventsProcessor.handles)[number]> = {
    [JobName.ApplyCaseEvents]: (payload) => this.apply(casesOf(payload)),
  };

  constructor(
    private readonly engine: CaseEngineService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.worker.concurrency;
  }

  process(job: Job): Promise<unknown> {
    return dispatch(job, this.handlers);
  }

  private apply(caseIds: string[]): Promise<{ applied: number; rejected: number; status: string }> {
    // Log lines written while draining carry the case id when the job names one case (never the events' payloads).
    return runWithLogContext(caseIds.length === 1 ? { caseId: caseIds[0] } : {}, async () => {
      const outcomes = await Promise.all(caseIds.map((id) => this.drainAll(id)));
      const total = { applied: 0, rejected: 0, status: outcomes.length === 1 ? outcomes[0].status : 'done' };
      for (const o of outcomes) {
        total.applied += o.applied;
        total.rejected += o.rejected;
      }
      if (total.applied + total.rejected > 0)
        this.logger.log({
          msg: 'case events processed',
          cases: caseIds.length,
          applied: total.applied,
          rejected: total.rejected,
        });
      return total;
    });
  }

  private async drainAll(caseId: string): Promise<{ applied: number; rejected: number; status: string }> {
    let applied = 0;
    let rejected = 0;
    for (;;) {
      // Any failure throws: BullMQ retries with backoff and nothing was committed.
      const outcome = await this.engine.drainSoon(caseId);
      applied += outcome.applied;
      rejected += outcome.rejected;
      if (outcome.status === 'unknown-case') return { applied, rejected, status: 'skipped: unknown case' };
      if (outcome.status === 'done') return { applied, rejected, status: 'done' };
    }
  }
}
