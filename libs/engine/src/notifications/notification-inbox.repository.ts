import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** A `notification` row as the inbox shows it. */
export interface InboxRow {
  id: string;
  unit_code: string;
  role: string;
  template: string;
  title: string;
  body: string;
  case_id: string | null;
  created_at: Date;
  read_at: Date | null;
}

/** Where a page of the inbox starts: after a notification (by id), or before an instant. */
export type InboxCursor = { afterId: string } | { before: Date };

const COLUMNS = 'id, unit_code, role, template, title, body, case_id, created_at, read_at';

/** The SQL of the in-app inbox: the `notification` rows of one (unit, role), and their `read_at`. */
@Injectable()
export class NotificationInboxRepository {
  constructor(private readonly em: EntityManager) {}

  /** Up to `limit` notifications of (unit, role), newest first (ties by id), after `cursor`; only the unread ones with `unread`. */
  page(
    unit: string,
    role: string,
    options: { unread?: boolean; cursor?: InboxCursor; limit: number },
  ): Promise<InboxRow[]> {
    const where = ['unit_code = ?', 'role = ?'];
    const params: unknown[] = [unit, role];
    if (options.unread) where.push('read_at is null');
    if (options.cursor && 'afterId' in options.cursor) {
      where.push('(created_at, id) < (select created_at, id from notification where id = ?)');
      params.push(options.cursor.afterId);
    } else if (options.cursor) {
      where.push('created_at < ?');
      params.push(options.cursor.before);
    }
    return this.em.fork().execute<InboxRow[]>(
      `select ${COLUMNS} from notification
       where ${where.join(' and ')} order by created_at desc, id desc limit ?`,
      [...params, options.limit],
    );
  }

  async unreadCount(unit: string, role: string): Promise<number> {
    const [{ n }] = await this.em
      .fork()
      .execute<{ n: number }[]>(
        `select count(*)::int as n from notification where unit_code = ? and role = ? and read_at is null`,
        [unit, role],
      );
    return n;
  }

  /** The recipient of a notification, or undefined when there is no such notification. */
  async recipientOf(id: string): Promise<{ unit_code: string; role: string } | undefined> {
    const [row] = await this.em
      .fork()
      .execute<InboxRow[]>(`select id, unit_code, role from notification where id = ?`, [id]);
    return row;
  }

  /** Marks a notification read at `at` unless it was read before (the first read time stays); the row after. */
  async markRead(id: string, at: Date): Promise<InboxRow> {
    const [row] = await this.em.fork().execute<InboxRow[]>(
      `update notification set read_at = coalesce(read_at, ?) where id = ?
       returning ${COLUMNS}`,
      [at, id],
    );
    return row;
  }

  /** Marks every unread notification of (unit, role) read at `at`; how many. */
  async markAllRead(unit: string, role: string, at: Date): Promise<number> {
    const rows = await this.em
      .fork()
      .execute<{ id: string }[]>(
        `update notification set read_at = ? where unit_code = ? and role = ? and read_at is null returning id`,
        [at, unit, role],
      );
    return rows.length;
  }
}
