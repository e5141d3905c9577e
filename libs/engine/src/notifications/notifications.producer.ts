import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { jobId, JobName, QueueName } from '@rasoat/contracts';
import { InjectProducerQueue } from '../infrastructure';

export const DIGEST_SCHEDULER_ID = 'notification-digest';

/**
 * The notifications queue's typed facade: one delivery job per `notification_delivery` row
 * (deterministic id, retried with exponential backoff), and the daily digest scheduler.
 */
@Injectable()
export class NotificationsProducer {
  constructor(
    @InjectProducerQueue(QueueName.Notifications) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Enqueues deliveries; an id whose job is still queued, delayed or dead collapses into it. */
  async deliver(deliveryIds: readonly string[]): Promise<void> {
    const { deliveryAttempts, deliveryBackoffMs } = this.config.notifications;
    for (let i = 0; i < deliveryIds.length; i += 1000) {
      await this.queue.addBulk(
        deliveryIds.slice(i, i + 1000).map((deliveryId) => ({
          name: JobName.DeliverNotification,
          data: { deliveryId },
          opts: { jobId: jobId.deliverNotification(deliveryId), attempts: deliveryAttempts, backoff: { type: 'exponential', delay: deliveryBackoffMs } },
        })),
      );
    }
  }

  /** Sends a dead delivery again: its failed job is removed first, so the same job id can be reused. */
  async redeliver(deliveryId: string): Promise<void> {
    await this.queue.remove(jobId.deliverNotification(deliveryId));
    await this.deliver([deliveryId]);
  }

  /** The daily digest, as a BullMQ job scheduler (one per deployment) at `hour`:00 in Asia/Ho_Chi_Minh. */
  async ensureDigestSchedule(hour: number): Promise<void> {
    await this.queue.upsertJobScheduler(DIGEST_SCHEDULER_ID, { pattern: `0 ${hour} * * *`, tz: 'Asia/Ho_Chi_Minh' }, { name: JobName.BuildDigests, data: {} });
  }
}
