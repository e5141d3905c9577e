import { Inject } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { FireAlarmsPayload, JobName, QueueName } from '@rasoat/contracts';
import { CaseDeadlinesService } from '@rasoat/engine';
import { runWithLogContext } from '@rasoat/observability';

/** Deadline alarm wake-ups and the periodic sweep. */
@Processor(QueueName.Timers, { concurrency: 2 })
export class TimersProcessor extends WorkerHost {
  static readonly handles = [JobName.FireAlarms, JobName.Sweep];

  constructor(
    private readonly deadlines: CaseDeadlinesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return runWithLogContext({ jobId: job.id }, () => this.handle(job));
  }

  private async handle(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.FireAlarms: {
        const payload = FireAlarmsPayload.safeParse(job.data);
        if (!payload.success) throw new UnrecoverableError(`bad payload for ${job.name}: ${payload.error.message}`);
        // Rings everything due now, not only this second's alarms: batches are set-based, and
        // two wake-ups running side by side skip each other's locked rows.
        return this.deadlines.fireDue();
      }
      case JobName.Sweep:
        return this.deadlines.sweep(this.config.worker.staleEventSeconds);
      default:
        throw new UnrecoverableError(`no handler for job "${job.name}" on ${QueueName.Timers}`);
    }
  }
}
