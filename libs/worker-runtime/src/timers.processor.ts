import { Inject } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { JobName, QueueName } from '@rasoat/contracts';
import { CaseDeadlinesService } from '@rasoat/engine';
import { dispatch, type JobHandlers } from './job-dispatch';

/** Deadline alarm wake-ups and the periodic sweep. */
@Processor(QueueName.Timers, { concurrency: 2 })
export class TimersProcessor extends WorkerHost {
  static readonly queue = QueueName.Timers;
  static readonly handles = [JobName.FireAlarms, JobName.Sweep] as const;
  private readonly handlers: JobHandlers<(typeof TimersProcessor.handles)[number]> = {
    // Rings everything due now, not only this second's alarms: batches are set-based, and
    // two wake-ups running side by side skip each other's locked rows.
    [JobName.FireAlarms]: () => this.deadlines.fireDue(),
    [JobName.Sweep]: () => this.deadlines.sweep(this.config.worker.staleEventSeconds),
  };

  constructor(
    private readonly deadlines: CaseDeadlinesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return dispatch(job, this.handlers);
  }
}
