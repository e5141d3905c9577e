import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { Actor } from '@rasoat/contracts';
import { NATION } from '../auth/actor-scope';
import { AuthErrorCode, AuthException } from '../auth/auth.exception';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { caseUrl } from './digest-template';
import { NotificationNotFoundException } from './notifications.exception';

export interface InboxQuery {
  unread?: boolean;
  limit: number;
  /** A notification id (the page continues after it) or an ISO instant (older than it). */
  before?: string;
  /** Another recipient: national admins only. */
  unit?: string;
  role?: string;
}

export interface InboxItem {
  id: string;
  unitCode: string;
  role: string;
  template: string;
  title: string;
  body: string;
  caseId: string | null;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
}

export interface InboxPage {
  unitCode: string;
  role: string;
  unreadCount: number;
  items: InboxItem[];
  /** Pass as `before` for the next page; null on the last one. */
  nextBefore: string | null;
}

interface Row {
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The in-app inbox: notifications addressed to the caller's unit AND role, newest first.
 * Only a national admin may open another recipient's inbox (`unit=`, `role=`).
 */
@Injectable()
export class NotificationInboxService {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(actor: Actor, q: InboxQuery): Promise<InboxPage> {
    const { unit, role } = recipientOf(actor, q);
    const em = this.em.fork();
    const where = ['unit_code = ?', 'role = ?'];
    const params: unknown[] = [unit, role];
    if (q.unread) where.push('read_at is null');
    if (q.before && UUID.test(q.before)) {
      where.push('(created_at, id) < (select created_at, id from notification where id = ?)');
      params.push(q.before);
    } else if (q.before) {
      where.push('created_at < ?');
      params.push(new Date(q.before));
    }
    const rows = await em.execute<Row[]>(
      `select id, unit_code, role, template, title, body, case_id, created_at, read_at from notification
       where ${where.join(' and ')} order by created_at desc, id desc limit ?`,
      [...params, q.limit + 1],
    );
    const [{ n }] = await em.execute<{ n: number }[]>(`select count(*)::int as n from notification where unit_code = ? and role = ? and read_at is null`, [unit, role]);
    const page = rows.slice(0, q.limit);
    return {
      unitCode: unit,
      role,
      unreadCount: n,
      items: page.map((r) => this.item(r)),
      nextBefore: rows.length > q.limit ? page[page.length - 1].id : null,
    };
  }

  /** Marks one notification read (idempotent: the first read time stays). */
  async markRead(actor: Actor, id: string): Promise<InboxItem> {
    const em = this.em.fork();
    const [row] = await em.execute<Row[]>(`select id, unit_code, role from notification where id = ?`, [id]);
    if (!row) throw new NotificationNotFoundException(id);
    if (!isNational(actor) && (row.unit_code !== actor.unit || row.role !== actor.role)) {
      throw new AuthException('forbidden', AuthErrorCode.OutOfScope, `Thông báo này gửi cho ${row.role} tại ${row.unit_code}, không phải cho bạn / this notification is addressed to someone else`);
    }
    const [updated] = await em.execute<Row[]>(
      `update notification set read_at = coalesce(read_at, ?) where id = ?
       returning id, unit_code, role, template, title, body, case_id, created_at, read_at`,
      [this.clock.now(), id],
    );
    return this.item(updated);
  }

  /** Marks every unread notification of the recipient read. */
  async markAllRead(actor: Actor, q: Pick<InboxQuery, 'unit' | 'role'>): Promise<{ unitCode: string; role: string; marked: number }> {
    const { unit, role } = recipientOf(actor, q);
    const rows = await this.em.fork().execute<{ id: string }[]>(
      `update notification set read_at = ? where unit_code = ? and role = ? and read_at is null returning id`,
      [this.clock.now(), unit, role],
    );
    return { unitCode: unit, role, marked: rows.length };
  }

  private item(r: Row): InboxItem {
    return {
      id: r.id,
      unitCode: r.unit_code,
      role: r.role,
      template: r.template,
      title: r.title,
      body: r.body,
      caseId: r.case_id,
      link: r.case_id ? caseUrl(this.config.publicUrl, r.case_id) : null,
      createdAt: new Date(r.created_at),
      readAt: r.read_at ? new Date(r.read_at) : null,
    };
  }
}

function isNational(actor: Actor): boolean {
  return actor.role === 'national_admin' && actor.unit === NATION;
}

/** Whose inbox: the caller's own, or — for a national admin — the one named by `unit`/`role`. */
function recipientOf(actor: Actor, q: Pick<InboxQuery, 'unit' | 'role'>): { unit: string; role: string } {
  const unit = q.unit ?? actor.unit;
  const role = q.role ?? actor.role;
  if (unit === actor.unit && role === actor.role) return { unit, role };
  if (isNational(actor)) return { unit, role };
  throw new AuthException('forbidden', AuthErrorCode.OutOfScope, `Chỉ xem được thông báo gửi cho ${actor.role} tại ${actor.unit} / you can read only your own unit's and role's notifications`);
}
