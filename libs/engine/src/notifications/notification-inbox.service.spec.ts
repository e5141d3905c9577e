import type { AppConfig } from '@rasoat/config';
import type { Actor } from '@rasoat/contracts';
import { AuthException } from '../auth';
import { ManualClock } from '../infrastructure';
import type { InboxRow, NotificationInboxRepository } from './notification-inbox.repository';
import { NotificationInboxService } from './notification-inbox.service';
import { NotificationNotFoundException } from './notifications.exception';

const COMMITTEE = 'commune_committee';
const NOW = new Date('2026-11-25T00:30:00Z');
const official: Actor = { sub: 'bcd@T1C1', role: COMMITTEE, unit: 'T1C1' };
const national: Actor = { sub: 'admin@VN', role: 'national_admin', unit: 'VN' };
const config = { publicUrl: 'https://rasoat.example.gov.vn/' } as AppConfig;

const row = (n: number, fields: Partial<InboxRow> = {}): InboxRow => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  unit_code: 'T1C1',
  role: COMMITTEE,
  template: 'step-overdue',
  title: `Quá hạn ${n}`,
  body: 'x',
  case_id: null,
  created_at: new Date(Date.UTC(2026, 10, 23, 2, n)),
  read_at: null,
  ...fields,
});

function setup() {
  const inbox: jest.Mocked<Pick<NotificationInboxRepository, keyof NotificationInboxRepository>> = {
    page: jest.fn().mockResolvedValue([]),
    unreadCount: jest.fn().mockResolvedValue(0),
    recipientOf: jest.fn().mockResolvedValue(undefined),
    markRead: jest.fn(),
    markAllRead: jest.fn().mockResolvedValue(0),
  };
  const service = new NotificationInboxService(
    inbox as unknown as NotificationInboxRepository,
    config,
    new ManualClock(NOW),
  );
  return { service, inbox };
}

describe('NotificationInboxService', () => {
  it('lists the caller’s own inbox: a page of `limit` items with a link to each case, the unread count, and where the next page starts', async () => {
    const { service, inbox } = setup();
    inbox.page.mockResolvedValue([row(3, { case_id: 'case-3' }), row(2, { read_at: NOW }), row(1)]);
    inbox.unreadCount.mockResolvedValue(7);

    const page = await service.list(official, { limit: 2, unread: true });

    expect(inbox.page).toHaveBeenCalledWith('T1C1', COMMITTEE, { unread: true, cursor: undefined, limit: 3 });
    expect(inbox.unreadCount).toHaveBeenCalledWith('T1C1', COMMITTEE);
    expect(page).toEqual({
      unitCode: 'T1C1',
      role: COMMITTEE,
      unreadCount: 7,
      items: [
        {
          id: row(3).id,
          unitCode: 'T1C1',
          role: COMMITTEE,
          template: 'step-overdue',
          title: 'Quá hạn 3',
          body: 'x',
          caseId: 'case-3',
          link: 'https://rasoat.example.gov.vn/cases/case-3',
          createdAt: row(3).created_at,
          readAt: null,
        },
        expect.objectContaining({ id: row(2).id, caseId: null, link: null, readAt: NOW }),
      ],
      nextBefore: row(2).id,
    });
  });

  it('says there is no next page when the repository returns no more than `limit` rows', async () => {
    const { service, inbox } = setup();
    inbox.page.mockResolvedValue([row(2), row(1)]);
    expect((await service.list(official, { limit: 2 })).nextBefore).toBeNull();
  });

  it('reads `before` as a notification id to continue after, or as an instant', async () => {
    const { service, inbox } = setup();
    await service.list(official, { limit: 10, before: row(5).id.toUpperCase() });
    expect(inbox.page).toHaveBeenLastCalledWith('T1C1', COMMITTEE, {
      unread: undefined,
      cursor: { afterId: row(5).id.toUpperCase() },
      limit: 11,
    });
    await service.list(official, { limit: 10, before: '2026-11-23T00:00:00Z' });
    expect(inbox.page).toHaveBeenLastCalledWith('T1C1', COMMITTEE, {
      unread: undefined,
      cursor: { before: new Date('2026-11-23T00:00:00Z') },
      limit: 11,
    });
    await service.list(official, { limit: 10, before: '' });
    expect(inbox.page).toHaveBeenLastCalledWith('T1C1', COMMITTEE, { unread: undefined, cursor: undefined, limit: 11 });
  });

  it('opens another recipient’s inbox for a national admin only', async () => {
    const { service, inbox } = setup();
    await service.list(national, { limit: 5, unit: 'T1C1', role: COMMITTEE });
    expect(inbox.page).toHaveBeenCalledWith('T1C1', COMMITTEE, expect.anything());
    await expect(service.list(official, { limit: 5, unit: 'T1C2' })).rejects.toBeInstanceOf(AuthException);
    await expect(
      service.list({ ...official, role: 'commune_chairman' }, { limit: 5, role: COMMITTEE }),
    ).rejects.toBeInstanceOf(AuthException);
    await expect(service.list({ ...national, unit: 'T1' }, { limit: 5, unit: 'T1C1' })).rejects.toBeInstanceOf(
      AuthException,
    );
    await expect(service.markAllRead(official, { unit: 'T1C2' })).rejects.toBeInstanceOf(AuthException);
    expect(inbox.page).toHaveBeenCalledTimes(1);
    expect(inbox.markAllRead).not.toHaveBeenCalled();
  });

  it('marks a notification of the caller read at the clock’s time; 404 for an unknown one, 403 for someone else’s', async () => {
    const { service, inbox } = setup();
    const read = row(1, { read_at: NOW });
    inbox.recipientOf.mockImplementation(async (id) =>
      id === read.id ? { unit_code: 'T1C1', role: COMMITTEE } : undefined,
    );
    inbox.markRead.mockResolvedValue(read);

    expect(await service.markRead(official, read.id)).toMatchObject({ id: read.id, readAt: NOW });
    expect(inbox.markRead).toHaveBeenCalledWith(read.id, NOW);
    expect(await service.markRead(national, read.id)).toMatchObject({ id: read.id });

    await expect(service.markRead(official, row(9).id)).rejects.toBeInstanceOf(NotificationNotFoundException);
    await expect(service.markRead({ ...official, unit: 'T1C2' }, read.id)).rejects.toBeInstanceOf(AuthException);
    expect(inbox.markRead).toHaveBeenCalledTimes(2);
  });

  it('marks all of a recipient’s unread notifications read and says how many', async () => {
    const { service, inbox } = setup();
    inbox.markAllRead.mockResolvedValue(2001);
    expect(await service.markAllRead(official, {})).toEqual({ unitCode: 'T1C1', role: COMMITTEE, marked: 2001 });
    expect(inbox.markAllRead).toHaveBeenCalledWith('T1C1', COMMITTEE, NOW);
  });
});
