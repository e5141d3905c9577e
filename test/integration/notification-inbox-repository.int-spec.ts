import { NotificationInboxRepository } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const COMMITTEE = 'commune_committee';
const T = (minute: number) => new Date(Date.UTC(2026, 10, 23, 2, minute)); // from 09:00 on 23 Nov in Hà Nội
const READ_AT = new Date('2026-11-24T01:00:00Z');
const NOW = new Date('2026-11-25T00:30:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * The inbox's statements on a real PostgreSQL, each test on a fresh database. Who may read
 * which inbox is the service's (unit tests) and the API's (notification-delivery.int-spec.ts).
 */
describe('NotificationInboxRepository', () => {
  let db: TestOrm;
  let inbox: NotificationInboxRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);
  const notify = (n: number, at: Date, fields: { unit?: string; role?: string; readAt?: Date } = {}) =>
    sql(
      `insert into notification (id, dedupe_key, unit_code, role, template, title, body, case_id, created_at, read_at)
       values (?, ?, ?, ?, 'step-overdue', ?, 'x', null, ?, ?)`,
      [id(n), `test:${n}`, fields.unit ?? 'T1C1', fields.role ?? COMMITTEE, `Quá hạn ${n}`, at, fields.readAt ?? null],
    );
  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

  beforeEach(async () => {
    db = await createTestOrm();
    inbox = new NotificationInboxRepository(db.em);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('pages one recipient’s notifications newest first (ties by id), continuing after an id or before an instant', async () => {
    await notify(1, T(1));
    await notify(2, T(2));
    await notify(3, T(2)); // same instant as 2: the larger id first
    await notify(4, T(4));
    await notify(5, T(5), { unit: 'T1C2' }); // another unit
    await notify(6, T(6), { role: 'commune_chairman' }); // another role

    expect(ids(await inbox.page('T1C1', COMMITTEE, { limit: 10 }))).toEqual([id(4), id(3), id(2), id(1)]);
    expect(ids(await inbox.page('T1C1', COMMITTEE, { limit: 2 }))).toEqual([id(4), id(3)]);
    expect(ids(await inbox.page('T1C1', COMMITTEE, { limit: 2, cursor: { afterId: id(3) } }))).toEqual([id(2), id(1)]);
    expect(ids(await inbox.page('T1C1', COMMITTEE, { limit: 10, cursor: { before: T(2) } }))).toEqual([id(1)]);
    const [first] = await inbox.page('T1C1', COMMITTEE, { limit: 1 });
    expect({ ...first, created_at: new Date(first.created_at) }).toEqual({
      id: id(4),
      unit_code: 'T1C1',
      role: COMMITTEE,
      template: 'step-overdue',
      title: 'Quá hạn 4',
      body: 'x',
      case_id: null,
      created_at: T(4),
      read_at: null,
    });
  });

  it('lists and counts only the unread notifications of the recipient when asked', async () => {
    await notify(1, T(1), { readAt: READ_AT });
    await notify(2, T(2));
    await notify(3, T(3));
    await notify(4, T(4), { unit: 'T1C2' });
    expect(ids(await inbox.page('T1C1', COMMITTEE, { limit: 10, unread: true }))).toEqual([id(3), id(2)]);
    expect(await inbox.unreadCount('T1C1', COMMITTEE)).toBe(2);
    expect(await inbox.unreadCount('T1C2', COMMITTEE)).toBe(1);
    expect(await inbox.unreadCount('T1C1', 'commune_chairman')).toBe(0);
  });

  it('finds a notification’s recipient, and marks it read once: the first read time stays', async () => {
    await notify(1, T(1));
    expect(await inbox.recipientOf(id(1))).toMatchObject({ unit_code: 'T1C1', role: COMMITTEE });
    expect(await inbox.recipientOf(id(9))).toBeUndefined();

    const read = await inbox.markRead(id(1), READ_AT);
    expect({ id: read.id, title: read.title, readAt: new Date(read.read_at as Date) }).toEqual({
      id: id(1),
      title: 'Quá hạn 1',
      readAt: READ_AT,
    });
    const again = await inbox.markRead(id(1), NOW);
    expect(new Date(again.read_at as Date)).toEqual(READ_AT);
  });

  it('marks every unread notification of one recipient read, and only those', async () => {
    await notify(1, T(1), { readAt: READ_AT });
    await notify(2, T(2));
    await notify(3, T(3));
    await notify(4, T(4), { unit: 'T1C2' });
    expect(await inbox.markAllRead('T1C1', COMMITTEE, NOW)).toBe(2);
    const rows = await sql<{ id: string; read_at: string | null }>(`select id, read_at from notification order by id`);
    expect(rows.map((r) => [r.id, r.read_at && new Date(r.read_at).toISOString()])).toEqual([
      [id(1), READ_AT.toISOString()],
      [id(2), NOW.toISOString()],
      [id(3), NOW.toISOString()],
      [id(4), null],
    ]);
    expect(await inbox.markAllRead('T1C1', COMMITTEE, NOW)).toBe(0);
  });
});
