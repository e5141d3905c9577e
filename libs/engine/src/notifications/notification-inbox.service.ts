import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { UUID_PATTERN, type Actor } from '@rasoat/contracts';
import { AuthErrorCode, AuthException, NATION } from '../auth';
import { CLOCK, type Clock } from '../infrastructure';
import { caseUrl } from './digest-template';
import { NotificationInboxRepository, type InboxRow } from './notification-inbox.repository';
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

/**
 * The in-app inbox: notifications addressed to the caller's unit AND role, newest first.
 * Only a national admin may open another recipient's inbox (`unit=`, `role=`).
 */
@Injectable()
export class NotificationInboxService {
  constructor(
    private readonly inbox: NotificationInboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(actor: Actor, q: InboxQuery): Promise<InboxPage> {
    const { unit, role } = recipientOf(actor, q);
    const cursor = !q.before
      ? undefined
      : UUID_PATTERN.test(q.before)
        ? { afterId: q.before }
        : { before: new Date(q.before) };
    const rows = await this.inbox.page(unit, role, { unread: q.unread, cursor, limit: q.limit + 1 });
    const unreadCount = await this.inbox.unreadCount(unit, role);
    const page = rows.slice(0, q.limit);
    return {
      unitCode: unit,
      role,
      unreadCount,
      items: page.map((r) => this.item(r)),
      nextBefore: rows.length > q.limit ? page[page.length - 1].id : null,
    };
  }

  /** Marks one notification read (idempotent: the first read time stays). */
  async markRead(actor: Actor, id: string): Promise<InboxItem> {
    const recipient = await this.inbox.recipientOf(id);
    if (!recipient) throw new NotificationNotFoundException(id);
    if (!isNational(actor) && (recipient.unit_code !== actor.unit || recipient.role !== actor.role)) {
      throw new AuthException(
        'forbidden',
        AuthErrorCode.OutOfScope,
        `Thông báo này gửi cho ${recipient.role} tại ${recipient.unit_code}, không phải cho bạn / this notification is addressed to someone else`,
      );
    }
    return this.item(await this.inbox.markRead(id, this.clock.now()));
  }

  /** Marks every unread notification of the recipient read. */
  async markAllRead(
    actor: Actor,
    q: Pick<InboxQuery, 'unit' | 'role'>,
  ): Promise<{ unitCode: string; role: string; marked: number }> {
    const { unit, role } = recipientOf(actor, q);
    const marked = await this.inbox.markAllRead(unit, role, this.clock.now());
    return { unitCode: unit, role, marked };
  }

  private item(r: InboxRow): InboxItem {
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
  throw new AuthException(
    'forbidden',
    AuthErrorCode.OutOfScope,
    `Chỉ xem được thông báo gửi cho ${actor.role} tại ${actor.unit} / you can read only your own unit's and role's notifications`,
  );
}
