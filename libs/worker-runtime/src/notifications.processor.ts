import { Inject, Logger, type OnModuleInit } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { DeliverNotificationPayload, JobName, QueueName } from '@rasoat/contracts';
import { CLOCK, DeliveryService, DigestService, type Clock } from '@rasoat/engine';
import { runWithLogContext } from '@rasoat/observability';

/** Notification deliveries and the daily digest. Thin: parse, call the service, map the outcome. */
@Processor(QueueName.Notifications)
export class NotificationsProcessor extends WorkerHost implements OnModuleInit {
  static readonly handles = [JobName.DeliverNotification, JobName.BuildDigests];
  private readonly logger = new Logger(NotificationsProcessor.name);

  constructor(
    private readonly deliveries: DeliveryService,
    private readonly digests: DigestService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.notifications.deliveryConcurrency;
  }

  process(job: Job): Promise<unknown> {
    return runWithLogContext({ jobId: job.id }, () => this.handle(job));
  }

  private async handle(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.DeliverNotification: {
        const payload = DeliverNotificationPayload.safeParse(job.data);
        if (!payload.success) throw new UnrecoverableError(`bad payload for ${job.name}: ${payload.error.message}`);
        // attemptsMade counts the failed attempts before this one.
        const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        const outcome = await this.deliveries.deliver(payload.data.deliveryId, { final });
        // Thrown so that BullMQ retries with backoff; on the last attempt the row is already dead.
        if (outcome.status === 'failed') throw new Error(outcome.error);
        return outcome;
      }
      case JobName.BuildDigests: {
        const run = await this.digests.runScheduled(this.clock.now());
        this.logger.log(`digests of ${run.date}: ${run.digestsCreated} built, ${run.deliveryIds.length} new deliveries, ${run.requeued} pending re-queued`);
        return { date: run.date, digestsCreated: run.digestsCreated, deliveries: run.deliveryIds.length, requeued: run.requeued };
      }
      default:
        throw new UnrecoverableError(`no handler for job "${job.name}" on ${QueueName.Notifications}`);
    }
  }
}
