import { DeliveryRepository } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const COMMITTEE = 'commune_committee';
const KEY = 'digest:T1C1:commune_committee:2026-11-23';
const NOW = new Date('2026-11-24T00:30:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * The deliveries' statements on a real PostgreSQL, each test on a fresh database. What an attempt
 * decides (sent, failed, dead, no transport, inactive) is the service's (unit tests); real
 * e-mail and webhooks are in notification-delivery.int-spec.ts.
 */
describe('DeliveryRepository', () => {
  let db: TestOrm;
  let deliveries: DeliveryRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);

  const subscribe = (unit: string, fields: { channel?: 'email' | 'webhook'; secret?: string; active?: boolean } = {}) =>
    sql<{ id: string }>(
      `insert into notification_subscription (id, unit_code, role, channel, address, secret, created_at, created_by, active)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, '2026-11-01T03:00:00Z', 'test', ?) returning id`,
      [
        unit,
        COMMITTEE,
        fields.channel ?? 'webhook',
        `https://hooks.example.gov.vn/${unit}/${Math.random()}`,
        fields.secret ?? null,
        fields.active ?? true,
      ],
    ).then(([row]) => row.id);
  const addDelivery = (
    n: number,
    subscription: string,
    fields: { status?: string; attempts?: number; createdAt?: string; key?: string } = {},
  ) =>
    sql(
      `insert into notification_delivery (id, subscription_id, digest_key, notification_count, subject, body_text, body_html, status, attempts, created_at)
       values (?, ?, ?, 3, 'Tổng hợp', 'text', '<p>html</p>', ?, ?, ?)`,
      [
        id(n),
        subscription,
        fields.key ?? KEY,
        fields.status ?? 'pending',
        fields.attempts ?? 0,
        fields.createdAt ?? '2026-11-24T00:30:00Z',
      ],
    );
  const state = async (n: number) =>
    (
      await sql(
        `select status, attempts, last_error, sent_at is not null as sent from notification_delivery where id = ?`,
        [id(n)],
      )
    )[0];
  // Timestamps come back from raw SQL as PostgreSQL writes them; the services read them with `new Date`.
  const instant = (value: unknown) => new Date(value as string).toISOString();

  beforeEach(async () => {
    db = await createTestOrm();
    deliveries = new DeliveryRepository(db.em);
    await sql(`insert into admin_unit (code, name, level, parent_code, path, province_code) values
      ('T1', 'Tỉnh Một', 'province', null, '/T1/', 'T1'), ('T1C1', 'Xã Một', 'commune', 'T1', '/T1/T1C1/', 'T1'),
      ('T1C2', 'Xã Hai', 'commune', 'T1', '/T1/T1C2/', 'T1'),
      ('T2', 'Tỉnh Hai', 'province', null, '/T2/', 'T2'), ('T2C1', 'Xã Một', 'commune', 'T2', '/T2/T2C1/', 'T2')`);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('reads a delivery with its subscription for an attempt; nothing for an unknown one', async () => {
    const subscription = await subscribe('T1C1', { secret: 'the-secret-of-t1c1-0001', active: false });
    await addDelivery(1, subscription, { attempts: 2 });
    const row = await deliveries.transaction((tx) => tx.lock(id(1)));
    expect(row).toEqual({
      id: id(1),
      subscription_id: subscription,
      digest_key: KEY,
      notification_count: 3,
      subject: 'Tổng hợp',
      body_text: 'text',
      body_html: '<p>html</p>',
      status: 'pending',
      attempts: 2,
      channel: 'webhook',
      address: expect.stringMatching(/^https:\/\/hooks\.example\.gov\.vn\/T1C1\//),
      secret: 'the-secret-of-t1c1-0001',
      active: false,
      unit_code: 'T1C1',
      role: COMMITTEE,
    });
    expect(await deliveries.transaction((tx) => tx.lock(id(9)))).toBeUndefined();
  });

  it('locks the delivery row until the attempt commits: a concurrent attempt waits, then reads what the first wrote', async () => {
    await addDelivery(1, await subscribe('T1C1'));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const first = deliveries.transaction(async (tx) => {
      await tx.lock(id(1));
      locked();
      await held;
      await tx.markSent(id(1), 1, NOW);
    });
    await isLocked;
    let secondRead = false;
    const second = deliveries.transaction(async (tx) => {
      const row = await tx.lock(id(1));
      secondRead = true;
      return row;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(secondRead).toBe(false);
    release();
    await first;
    expect(await second).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('records the outcome of an attempt: sent (clearing the last error), failed (pending again, or dead), dead without an attempt', async () => {
    const subscription = await subscribe('T1C1');
    for (const n of [1, 2, 3, 4]) await addDelivery(n, subscription, { key: `k${n}` });
    await sql(`update notification_delivery set last_error = 'earlier' where id = ?`, [id(1)]);

    await deliveries.transaction(async (tx) => {
      await tx.markSent(id(1), 3, NOW);
      await tx.markFailed(id(2), 1, 'webhook answered 503', false);
      await tx.markFailed(id(3), 3, 'webhook answered 503', true);
      await tx.markDead(id(4), 'đăng ký đã bị hủy / subscription deactivated');
    });

    expect(await state(1)).toEqual({ status: 'sent', attempts: 3, last_error: null, sent: true });
    expect(instant((await sql(`select sent_at from notification_delivery where id = ?`, [id(1)]))[0].sent_at)).toBe(
      NOW.toISOString(),
    );
    expect(await state(2)).toEqual({ status: 'pending', attempts: 1, last_error: 'webhook answered 503', sent: false });
    expect(await state(3)).toEqual({ status: 'dead', attempts: 3, last_error: 'webhook answered 503', sent: false });
    expect(await state(4)).toEqual({
      status: 'dead',
      attempts: 0,
      last_error: 'đăng ký đã bị hủy / subscription deactivated',
      sent: false,
    });
  });

  it('reads the digest a webhook describes', async () => {
    const groups = [
      {
        template: 'step-overdue',
        title: 'Quá hạn',
        step: 'meeting',
        stepLabel: 'Họp dân',
        dueDate: '2026-11-20',
        count: 3,
        unread: 3,
        villages: 3,
        items: [],
      },
    ];
    await sql(
      `insert into notification_digest (key, unit_code, role, digest_date, period_start, period_end, notification_count, subject, body_text, body_html, groups, created_at)
       values (?, 'T1C1', ?, '2026-11-23', '2026-11-22T17:00:00Z', '2026-11-23T17:00:00Z', 3, 's', 't', 'h', ?::jsonb, ?)`,
      [KEY, COMMITTEE, JSON.stringify(groups), NOW],
    );
    const digest = await deliveries.transaction((tx) => tx.digest(KEY));
    expect({ ...digest, period_start: instant(digest?.period_start), period_end: instant(digest?.period_end) }).toEqual(
      {
        unit_code: 'T1C1',
        role: COMMITTEE,
        digest_date: '2026-11-23',
        period_start: '2026-11-22T17:00:00.000Z',
        period_end: '2026-11-23T17:00:00.000Z',
        groups,
      },
    );
    expect(await deliveries.transaction((tx) => tx.digest('digest:T9C9:commune_committee:2026-11-23'))).toBeUndefined();
  });

  it('lists deliveries newest first (ties by id), under a unit, in a status, at most `limit`', async () => {
    const t1c1 = await subscribe('T1C1');
    const t1c2 = await subscribe('T1C2', { channel: 'email' });
    const t2c1 = await subscribe('T2C1');
    await addDelivery(1, t1c1, { status: 'sent', createdAt: '2026-11-22T00:30:00Z', key: 'k1' });
    await addDelivery(2, t1c2, { status: 'dead', createdAt: '2026-11-24T00:30:00Z', key: 'k2' });
    await addDelivery(3, t2c1, { status: 'dead', createdAt: '2026-11-24T00:30:00Z', key: 'k3' });
    await addDelivery(4, t1c1, { status: 'pending', createdAt: '2026-11-23T00:30:00Z', key: 'k4' });

    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await deliveries.list({}, 10))).toEqual([id(3), id(2), id(4), id(1)]);
    expect(ids(await deliveries.list({}, 2))).toEqual([id(3), id(2)]);
    expect(ids(await deliveries.list({ withinUnit: 'T1' }, 10))).toEqual([id(2), id(4), id(1)]);
    expect(ids(await deliveries.list({ withinUnit: 'T1C1' }, 10))).toEqual([id(4), id(1)]);
    expect(ids(await deliveries.list({ status: 'dead' }, 10))).toEqual([id(3), id(2)]);
    expect(ids(await deliveries.list({ withinUnit: 'T1', status: 'dead' }, 10))).toEqual([id(2)]);
    const [listed] = await deliveries.list({ withinUnit: 'T1C2' }, 10);
    expect({ ...listed, created_at: instant(listed.created_at) }).toEqual({
      id: id(2),
      subscription_id: t1c2,
      digest_key: 'k2',
      notification_count: 3,
      subject: 'Tổng hợp',
      status: 'dead',
      attempts: 0,
      last_error: null,
      created_at: '2026-11-24T00:30:00.000Z',
      sent_at: null,
      channel: 'email',
      address: expect.stringContaining('/T1C2/'),
      unit_code: 'T1C2',
      role: COMMITTEE,
    });
    expect(listed).not.toHaveProperty('body_text');
  });

  it('finds a delivery’s status and unit for a retry, and makes only a dead delivery pending again', async () => {
    const subscription = await subscribe('T1C2');
    await addDelivery(1, subscription, { status: 'dead', attempts: 3, key: 'k1' });
    await addDelivery(2, subscription, { status: 'sent', attempts: 1, key: 'k2' });

    expect(await deliveries.findWithUnit(id(1))).toEqual({
      id: id(1),
      status: 'dead',
      unit_path: '/T1/T1C2/',
      unit_code: 'T1C2',
    });
    expect(await deliveries.findWithUnit(id(9))).toBeUndefined();
    await deliveries.requeueDead(id(1));
    await deliveries.requeueDead(id(2));
    expect(await state(1)).toMatchObject({ status: 'pending', attempts: 3 });
    expect(await state(2)).toMatchObject({ status: 'sent' });
  });

  it('lists the pending deliveries oldest first', async () => {
    const subscription = await subscribe('C1');
    await sql(
      `insert into notification_delivery (id, subscription_id, digest_key, notification_count, subject, body_text, status, attempts, created_at) values
       ('00000000-0000-4000-8000-000000000001', ?, 'k1', 1, 's', 't', 'pending', 0, '2026-11-24T00:00:00Z'),
       ('00000000-0000-4000-8000-000000000002', ?, 'k2', 1, 's', 't', 'sent', 1, '2026-11-22T00:00:00Z'),
       ('00000000-0000-4000-8000-000000000003', ?, 'k3', 1, 's', 't', 'pending', 2, '2026-11-23T00:00:00Z'),
       ('00000000-0000-4000-8000-000000000004', ?, 'k4', 1, 's', 't', 'dead', 3, '2026-11-21T00:00:00Z')`,
      [subscription, subscription, subscription, subscription],
    );
    expect(await deliveries.pendingIds()).toEqual([
      '00000000-0000-4000-8000-000000000003',
      '00000000-0000-4000-8000-000000000001',
    ]);
  });
});
