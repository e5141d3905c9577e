import { Inject } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { FireDeadlinePayload, JobName, QueueName } from '@rasoat/contracts';
import { CaseDeadlinesService } from '@rasoat/engine';

/** Deadline wake-ups and the periodic sweep. */
@Processor(QueueName.Timers, { concurrency: 8 })
export class TimersProcessor extends WorkerHost {
  static readonly handles = [JobName.FireDeadline, JobName.Sweep];

  constructor(
    private readonly deadlines: CaseDeadlinesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.FireDeadline: {
        const payload = FireDeadlinePayload.safeParse(job.data);
        if (!payload.success) throw new UnrecoverableError(`bad payload for ${job.name}: ${payload.error.message}`);
        // 'not-due' (the deadline moved later) is fine: the sweeper fires it when it is due.
        return { outcome: await this.deadlines.fire(payload.data.deadlineId) };
      }
      case JobName.Sweep:
        return this.deadlines.sweep(this.config.worker.staleEventSeconds);
      default:
        throw new UnrecoverableError(`no handler for job "${job.name}" on ${QueueName.Timers}`);
    }
  }
}
