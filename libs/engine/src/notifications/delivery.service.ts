import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { Actor } from '@rasoat/contracts';
import { Metrics } from '@rasoat/observability';
import type { DeliveryStatus, SubscriptionChannel } from '@rasoat/persistence';
import { AuthErrorCode, AuthException, inScope, isNational } from '../auth';
import { CLOCK, type Clock } from '../infrastructure';
import { DeliveryRepository, type DeliveryAttemptStatements, type DeliveryRow } from './delivery.repository';
import { NotificationsProducer } from './notifications.producer';
import { DeliveryNotFoundException, DeliveryNotRetryableException } from './notifications.exception';
import { SmtpMailer } from './smtp-mailer';
import { WebhookAddressPolicy, WebhookAddressRefusedError } from './webhook-address';
import { postWebhook, type WebhookAnswer } from './webhook-request';
import { signWebhook, WebhookHeader } from './webhook-signature';

/**
 * What one attempt did. `failed` is retried by the queue (with backoff) unless it was the last
 * attempt, which makes the delivery `dead`; `no-transport` leaves an e-mail pending (no SMTP
 * relay configured) without an error loop.
 */
export type DeliverOutcome =
  | { status: 'sent'; attempts: number }
  | { status: 'failed'; attempts: number; error: string; dead: boolean }
  | { status: 'already-sent' | 'dead' | 'unknown' | 'no-transport' | 'inactive' };

export interface DeliveryView {
  id: string;
  subscriptionId: string;
  unitCode: string;
  role: string;
  channel: SubscriptionChannel;
  address: string;
  digestKey: string;
  notificationCount: number;
  subject: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/**
 * Sends deliveries: e-mail over SMTP or a signed webhook POST. The delivery row is locked for
 * the attempt and marked `sent` in the same transaction, so a job for a sent row does nothing
 * and two jobs never send one row twice at once. After a crash between the send and the
 * commit, the resend carries the same Message-ID / `X-Rasoat-Delivery`. A webhook goes only to
 * public addresses unless its host is allowed (`WebhookAddressPolicy`), checked on the addresses
 * DNS gives as the request connects: one that now resolves inside fails with the reason.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private warnedNoSmtp = false;
  private readonly addresses: WebhookAddressPolicy;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly mailer: SmtpMailer,
    private readonly producer: NotificationsProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {
    this.addresses = new WebhookAddressPolicy(config.notifications.webhookAllowedHosts);
  }

  /** One attempt; `final` says whether the queue will retry a failure (false) or not (true: dead letter). */
  async deliver(deliveryId: string, attempt: { final: boolean }): Promise<DeliverOutcome> {
    return this.deliveries.transaction(async (tx): Promise<DeliverOutcome> => {
      const row = await tx.lock(deliveryId);
      if (!row) return { status: 'unknown' };
      if (row.status === 'sent') return { status: 'already-sent' };
      if (row.status === 'dead') return { status: 'dead' };
      if (!row.active) {
        await tx.markDead(row.id, 'đăng ký đã bị hủy / subscription deactivated');
        this.metrics.notificationDeliveries.inc({ channel: row.channel, outcome: 'inactive' });
        return { status: 'inactive' };
      }
      if (row.channel === 'email' && !this.mailer.configured) {
        const line = `chưa cấu hình máy chủ thư (SMTP_URL / notifications.smtpUrl): thư ${row.id} chờ gửi / no SMTP relay configured: e-mail delivery ${row.id} stays pending`;
        if (this.warnedNoSmtp) this.logger.debug(line);
        else this.logger.warn(`${line} (further ones are logged at debug level)`);
        this.warnedNoSmtp = true;
        this.metrics.notificationDeliveries.inc({ channel: row.channel, outcome: 'no_transport' });
        return { status: 'no-transport' };
      }
      const attempts = row.attempts + 1;
      const now = this.clock.now();
      try {
        if (row.channel === 'email') await this.sendEmail(row);
        else await this.sendWebhook(tx, row, now);
      } catch (e) {
        const error = (e instanceof Error ? e.message : String(e)).slice(0, 2000);
        await tx.markFailed(row.id, attempts, error, attempt.final);
        this.metrics.notificationDeliveries.inc({ channel: row.channel, outcome: attempt.final ? 'dead' : 'failed' });
        // Logs name the delivery, never the recipient's address.
        if (attempt.final)
          this.logger.warn(
            `delivery ${row.id} (${row.channel}) is dead after ${attempts} attempts: ${error.split(row.address).join('<address>')}`,
          );
        return { status: 'failed', attempts, error, dead: attempt.final };
      }
      await tx.markSent(row.id, attempts, this.clock.now());
      this.metrics.notificationDeliveries.inc({ channel: row.channel, outcome: 'sent' });
      return { status: 'sent', attempts };
    });
  }

  /** Deliveries of subscriptions in the actor's scope, newest first (`status=dead`: the dead letters). */
  async list(actor: Actor, q: { status?: DeliveryStatus; limit: number }): Promise<DeliveryView[]> {
    const rows = await this.deliveries.list(
      { withinUnit: isNational(actor) ? undefined : actor.unit, status: q.status },
      q.limit,
    );
    return rows.map((r) => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      unitCode: r.unit_code,
      role: r.role,
      channel: r.channel,
      address: r.address,
      digestKey: r.digest_key,
      notificationCount: r.notification_count,
      subject: r.subject,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: new Date(r.created_at),
      sentAt: r.sent_at ? new Date(r.sent_at) : null,
    }));
  }

  /** Puts a dead delivery back in the queue (after the receiver was fixed). */
  async retry(actor: Actor, deliveryId: string): Promise<{ id: string; status: DeliveryStatus }> {
    const row = await this.deliveries.findWithUnit(deliveryId);
    if (!row) throw new DeliveryNotFoundException(deliveryId);
    if (!inScope(actor, row.unit_path))
      throw new AuthException(
        'forbidden',
        AuthErrorCode.OutOfScope,
        `Không có quyền với đơn vị ${row.unit_code} / unit ${row.unit_code} is outside your unit`,
      );
    if (row.status !== 'dead') throw new DeliveryNotRetryableException(deliveryId, row.status);
    await this.deliveries.requeueDead(deliveryId);
    await this.producer.redeliver(deliveryId);
    return { id: deliveryId, status: 'pending' };
  }

  private async sendEmail(row: DeliveryRow): Promise<void> {
    await this.mailer.send({
      to: row.address,
      subject: row.subject,
      text: row.body_text,
      html: row.body_html,
      messageId: `<delivery-${row.id}@${this.mailer.domain}>`,
      headers: { [WebhookHeader.Delivery]: row.id },
    });
  }

  private async sendWebhook(tx: DeliveryAttemptStatements, row: DeliveryRow, now: Date): Promise<void> {
    if (!row.secret) throw new Error('webhook subscription without a secret');
    const digest = await tx.digest(row.digest_key);
    const body = JSON.stringify({
      type: 'notification.digest',
      deliveryId: row.id,
      digestKey: row.digest_key,
      unitCode: row.unit_code,
      role: row.role,
      date: digest?.digest_date ?? null,
      periodStart: digest ? new Date(digest.period_start).toISOString() : null,
      periodEnd: digest ? new Date(digest.period_end).toISOString() : null,
      notificationCount: row.notification_count,
      subject: row.subject,
      text: row.body_text,
      groups: digest?.groups ?? [],
    });
    const timestamp = Math.floor(now.getTime() / 1000);
    const url = new URL(row.address);
    // An IP literal is checked here; a name, on the addresses it resolves to as the request connects.
    const refused = this.addresses.literalRefusal(url);
    if (refused) throw new Error(`webhook ${row.address}: ${refused.message}`);
    let answer: WebhookAnswer;
    try {
      answer = await postWebhook(
        url,
        {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'rasoat-webhook/1',
          [WebhookHeader.Delivery]: row.id,
          [WebhookHeader.Timestamp]: String(timestamp),
          [WebhookHeader.Signature]: signWebhook(row.secret, timestamp, body),
        },
        body,
        { timeoutMs: this.config.notifications.webhookTimeoutMs, lookup: this.addresses.lookupFor(url) },
      );
    } catch (e) {
      if (e instanceof WebhookAddressRefusedError) throw new Error(`webhook ${row.address}: ${e.message}`);
      const cause = (e as { cause?: { name?: string } }).cause;
      const reason =
        cause?.name === 'TimeoutError'
          ? `no answer within ${this.config.notifications.webhookTimeoutMs} ms`
          : ((e as { code?: string }).code ?? (e as Error).message);
      throw new Error(`webhook ${row.address}: ${reason}`);
    }
    if (answer.status < 200 || answer.status >= 300)
      throw new Error(
        `webhook ${row.address} answered ${answer.status}${answer.text ? `: ${answer.text.slice(0, 200)}` : ''}`,
      );
  }
}
