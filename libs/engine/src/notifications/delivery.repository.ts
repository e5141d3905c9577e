import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { DeliveryStatus, DigestGroup, SubscriptionChannel } from '@rasoat/persistence';

/** A delivery with what its subscription says about where it goes, as an attempt reads it. */
export interface DeliveryRow {
  id: string;
  subscription_id: string;
  digest_key: string;
  notification_count: number;
  subject: string;
  body_text: string;
  body_html: string | null;
  status: DeliveryStatus;
  attempts: number;
  channel: SubscriptionChannel;
  address: string;
  secret: string | null;
  active: boolean;
  unit_code: string;
  role: string;
}

/** A delivery as the dead-letter list shows it (no bodies, no secret). */
export interface DeliveryListRow {
  id: string;
  subscription_id: string;
  digest_key: string;
  notification_count: number;
  subject: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  channel: SubscriptionChannel;
  address: string;
  unit_code: string;
  role: string;
}

/** The digest a webhook body describes. */
export interface DeliveryDigestRow {
  unit_code: string;
  role: string;
  digest_date: string;
  period_start: Date;
  period_end: Date;
  groups: DigestGroup[];
}

/** The SQL of deliveries (`notification_delivery`): an attempt under the row's lock, the dead letters, the re-queues. */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly em: EntityManager) {}

  /** Runs `work` in one transaction; the statements it gets run in that transaction. */
  transaction<T>(work: (tx: DeliveryAttemptStatements) => Promise<T>): Promise<T> {
    return this.em.fork().transactional((tx) => work(new DeliveryAttemptStatements(tx)));
  }

  /**
   * Deliveries newest first (ties by id), at most `limit`: only those of subscriptions of units
   * under `withinUnit` (a unit code) when given, only those in `status` when given.
   */
  list(filter: { withinUnit?: string; status?: DeliveryStatus }, limit: number): Promise<DeliveryListRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.withinUnit) {
      where.push('u.path like ?');
      params.push(`%/${filter.withinUnit}/%`);
    }
    if (filter.status) {
      where.push('d.status = ?');
      params.push(filter.status);
    }
    return this.em.fork().execute<DeliveryListRow[]>(
      `select d.id, d.subscription_id, d.digest_key, d.notification_count, d.subject, d.status, d.attempts, d.last_error, d.created_at, d.sent_at,
              s.channel, s.address, s.unit_code, s.role
       from notification_delivery d join notification_subscription s on s.id = d.subscription_id join admin_unit u on u.code = s.unit_code
       ${where.length ? `where ${where.join(' and ')}` : ''} order by d.created_at desc, d.id desc limit ?`,
      [...params, limit],
    );
  }

  /** A delivery's status and the unit (code, path) of its subscription; undefined when there is no such delivery. */
  async findWithUnit(
    id: string,
  ): Promise<{ id: string; status: DeliveryStatus; unit_path: string; unit_code: string } | undefined> {
    const [row] = await this.em
      .fork()
      .execute<{ id: string; status: DeliveryStatus; unit_path: string; unit_code: string }[]>(
        `select d.id, d.status, u.path as unit_path, s.unit_code from notification_delivery d
       join notification_subscription s on s.id = d.subscription_id join admin_unit u on u.code = s.unit_code where d.id = ?`,
        [id],
      );
    return row;
  }

  /** Makes a dead delivery pending again (a delivery in any other status is left as it is). */
  async requeueDead(id: string): Promise<void> {
    await this.em
      .fork()
      .execute(`update notification_delivery set status = 'pending' where id = ? and status = 'dead'`, [id], 'run');
  }

  /** Deliveries still pending, oldest first (at most 10,000). */
  async pendingIds(): Promise<string[]> {
    const rows = await this.em
      .fork()
      .execute<{ id: string }[]>(
        `select id from notification_delivery where status = 'pending' order by created_at limit 10000`,
      );
    return rows.map((r) => r.id);
  }
}

/** The statements of one delivery attempt, inside the transaction of `DeliveryRepository.transaction`. */
export class DeliveryAttemptStatements {
  constructor(private readonly tx: EntityManager) {}

  /** The delivery with its subscription, its row locked until the transaction ends; undefined when there is none. */
  async lock(id: string): Promise<DeliveryRow | undefined> {
    const [row] = await this.tx.execute<DeliveryRow[]>(
      `select d.id, d.subscription_id, d.digest_key, d.notification_count, d.subject, d.body_text, d.body_html, d.status, d.attempts,
                s.channel, s.address, s.secret, s.active, s.unit_code, s.role
         from notification_delivery d join notification_subscription s on s.id = d.subscription_id
         where d.id = ? for update of d`,
      [id],
    );
    return row;
  }

  /** Gives up on a delivery without an attempt (its subscription was deactivated). */
  async markDead(id: string, error: string): Promise<void> {
    await this.tx.execute(
      `update notification_delivery set status = 'dead', last_error = ? where id = ?`,
      [error, id],
      'run',
    );
  }

  /** Records a failed attempt: the delivery is `dead` after the last one, otherwise pending for the retry. */
  async markFailed(id: string, attempts: number, error: string, dead: boolean): Promise<void> {
    await this.tx.execute(
      `update notification_delivery set attempts = ?, last_error = ?, status = ? where id = ?`,
      [attempts, error, dead ? 'dead' : 'pending', id],
      'run',
    );
  }

  async markSent(id: string, attempts: number, at: Date): Promise<void> {
    await this.tx.execute(
      `update notification_delivery set attempts = ?, last_error = null, status = 'sent', sent_at = ? where id = ?`,
      [attempts, at, id],
      'run',
    );
  }

  /** The digest of `key`, for a webhook's body; undefined when there is none. */
  async digest(key: string): Promise<DeliveryDigestRow | undefined> {
    const [digest] = await this.tx.execute<DeliveryDigestRow[]>(
      `select unit_code, role, digest_date::text as digest_date, period_start, period_end, groups from notification_digest where key = ?`,
      [key],
    );
    return digest;
  }
}
