import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { SubscriptionChannel } from '@rasoat/persistence';

/** A subscription with its unit's name and path; whether it has a secret, never the secret. */
export interface SubscriptionRow {
  id: string;
  unit_code: string;
  unit_name: string;
  unit_path: string;
  role: string;
  channel: SubscriptionChannel;
  address: string;
  has_secret: boolean;
  created_at: Date;
  created_by: string;
  active: boolean;
}

/** A subscription to insert (active). */
export interface NewSubscriptionRow {
  id: string;
  unitCode: string;
  role: string;
  channel: SubscriptionChannel;
  address: string;
  secret: string | null;
  createdAt: Date;
  createdBy: string;
}

const SELECT = `select s.id, s.unit_code, u.name as unit_name, u.path as unit_path, s.role, s.channel, s.address, s.secret is not null as has_secret, s.created_at, s.created_by, s.active
  from notification_subscription s join admin_unit u on u.code = s.unit_code`;

/** The SQL of subscriptions (`notification_subscription`): who receives the digests of a (unit, role), and how. */
@Injectable()
export class SubscriptionRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Active subscriptions by unit, role and creation time (at most 1,000): of one unit with `unit`,
   * else of the units under `withinUnit` (a unit code) when given, else all.
   */
  list(filter: { unit?: string; withinUnit?: string }): Promise<SubscriptionRow[]> {
    const where = ['s.active'];
    const params: unknown[] = [];
    if (filter.unit) {
      where.push('s.unit_code = ?');
      params.push(filter.unit);
    } else if (filter.withinUnit) {
      where.push(`u.path like ?`);
      params.push(`%/${filter.withinUnit}/%`);
    }
    return this.em
      .fork()
      .execute<SubscriptionRow[]>(
        `${SELECT} where ${where.join(' and ')} order by s.unit_code, s.role, s.created_at limit 1000`,
        params,
      );
  }

  /** Inserts a subscription; its id, or undefined when the same one exists (the row is left as it is). */
  async insert(row: NewSubscriptionRow): Promise<string | undefined> {
    const [inserted] = await this.em.fork().execute<{ id: string }[]>(
      `insert into notification_subscription (id, unit_code, role, channel, address, secret, created_at, created_by, active)
       values (?, ?, ?, ?, ?, ?, ?, ?, true) on conflict do nothing returning id`,
      [row.id, row.unitCode, row.role, row.channel, row.address, row.secret, row.createdAt, row.createdBy],
    );
    return inserted?.id;
  }

  /** A subscription, active or not; undefined when there is none. */
  async find(id: string): Promise<SubscriptionRow | undefined> {
    const [row] = await this.em.fork().execute<SubscriptionRow[]>(`${SELECT} where s.id = ?`, [id]);
    return row;
  }

  /** Deactivates a subscription at `at` by `by` (one already inactive is left as it is). */
  async deactivate(id: string, at: Date, by: string): Promise<void> {
    await this.em
      .fork()
      .execute(
        `update notification_subscription set active = false, deactivated_at = ?, deactivated_by = ? where id = ? and active`,
        [at, by, id],
        'run',
      );
  }
}
