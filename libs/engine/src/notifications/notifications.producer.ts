import { Injectable } from '@nestjs/common';
import { jobId, JobName } from '@rasoat/contracts';
import { JobQueue } from '../infrastructure';

export const DIGEST_SCHEDULER_ID = 'notification-digest';

/**
 * The notifications queue's typed facade: one delivery job per `notification_delivery` row
 * (deterministic id, retried as the contract says), and the daily digest scheduler.
 */
@Injectable()
export class NotificationsProducer {
  constructor(private readonly jobs: JobQueue) {}

  /** Enqueues deliveries; an id whose job is still queued, delayed or dead collapses into it. */
  async deliver(deliveryIds: readonly string[]): Promise<void> {
    await this.jobs.enqueueMany(
      JobName.DeliverNotification,
      deliveryIds.map((deliveryId) => ({ data: { deliveryId }, jobId: jobId.deliverNotification(deliveryId) })),
    );
  }

  /** Sends a dead delivery again: its failed job is removed first, so the same job id can be reused. */
  async redeliver(deliveryId: string): Promise<void> {
    await this.jobs.remove(JobName.DeliverNotification, jobId.deliverNotification(deliveryId));
    await this.deliver([deliveryId]);
  }

  /** The daily digest, as a BullMQ job scheduler (one per deployment) at `hour`:00 in Asia/Ho_Chi_Minh. */
  async ensureDigestSchedule(hour: number): Promise<void> {
    await this.jobs.schedule(
      DIGEST_SCHEDULER_ID,
      { pattern: `0 ${hour} * * *`, tz: 'Asia/Ho_Chi_Minh' },
      JobName.BuildDigests,
      {},
    );
  }
}
