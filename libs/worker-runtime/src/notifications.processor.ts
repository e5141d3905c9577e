import { Inject, Logger, type OnModuleInit } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { JobName, QueueName } from '@rasoat/contracts';
import { CLOCK, DeliveryService, DigestService, type Clock } from '@rasoat/engine';
import { dispatch, type JobHandlers } from './job-dispatch';

/** Notification deliveries and the daily digest. Thin: call the service, map the outcome. */
@Processor(QueueName.Notifications)
export class NotificationsProcessor extends WorkerHost implements OnModuleInit {
  static readonly queue = QueueName.Notifications;
  static readonly handles = [JobName.DeliverNotification, JobName.BuildDigests] as const;
  private readonly logger = new Logger(NotificationsProcessor.name);
  private readonly handlers: JobHandlers<(typeof NotificationsProcessor.handles)[number]> = {
    [JobName.DeliverNotification]: async ({ deliveryId }, job) => {
      // attemptsMade counts the failed attempts before this one.
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const outcome = await this.deliveries.deliver(deliveryId, { final });
      // Thrown so that BullMQ retries with backoff; on the last attempt the row is already dead.
      if (outcome.status === 'failed') throw new Error(outcome.error);
      return outcome;
    },
    [JobName.BuildDigests]: async () => {
      const run = await this.digests.runScheduled(this.clock.now());
      this.logger.log(
        `digests of ${run.date}: ${run.digestsCreated} built, ${run.deliveryIds.length} new deliveries, ${run.requeued} pending re-queued`,
      );
      return {
        date: run.date,
        digestsCreated: run.digestsCreated,
        deliveries: run.deliveryIds.length,
        requeued: run.requeued,
      };
    },
  };

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
    return dispatch(job, this.handlers);
  }
}
