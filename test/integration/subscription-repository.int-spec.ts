import { SubscriptionRepository } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const COMMITTEE = 'commune_committee';
const AT = new Date('2026-11-01T03:00:00Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const subscription = (
  n: number,
  unitCode: string,
  fields: {
    role?: string;
    channel?: 'email' | 'webhook';
    address?: string;
    secret?: string | null;
    createdAt?: Date;
  } = {},
) => ({
  id: id(n),
  unitCode,
  role: fields.role ?? COMMITTEE,
  channel: fields.channel ?? 'email',
  address: fields.address ?? `bcd${n}@example.gov.vn`,
  secret: fields.secret ?? null,
  createdAt: fields.createdAt ?? AT,
  createdBy: 'province_admin@T1',
});

/**
 * The subscriptions' statements on a real PostgreSQL, each test on a fresh database. Who may
 * subscribe what (scope, webhook addresses, secrets) is the service's (unit tests) and the API's
 * (notification-delivery.int-spec.ts).
 */
describe('SubscriptionRepository', () => {
  let db: TestOrm;
  let subscriptions: SubscriptionRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);
  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

  beforeEach(async () => {
    db = await createTestOrm();
    subscriptions = new SubscriptionRepository(db.em);
    await sql(`insert into admin_unit (code, name, level, parent_code, path, province_code) values
      ('T1', 'Tỉnh Một', 'province', null, '/T1/', 'T1'), ('T1C1', 'Xã Một', 'commune', 'T1', '/T1/T1C1/', 'T1'),
      ('T1C2', 'Xã Hai', 'commune', 'T1', '/T1/T1C2/', 'T1'),
      ('T2', 'Tỉnh Hai', 'province', null, '/T2/', 'T2'), ('T2C1', 'Xã Một', 'commune', 'T2', '/T2/T2C1/', 'T2')`);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('inserts a subscription and reads it back with its unit, saying whether it has a secret but never the secret', async () => {
    expect(
      await subscriptions.insert(
        subscription(1, 'T1C1', {
          channel: 'webhook',
          address: 'https://hooks.example.gov.vn/t1c1',
          secret: 'the-secret-of-t1c1-0001',
        }),
      ),
    ).toBe(id(1));
    const row = await subscriptions.find(id(1));
    expect(row).toEqual({
      id: id(1),
      unit_code: 'T1C1',
      unit_name: 'Xã Một',
      unit_path: '/T1/T1C1/',
      role: COMMITTEE,
      channel: 'webhook',
      address: 'https://hooks.example.gov.vn/t1c1',
      has_secret: true,
      created_at: expect.anything(),
      created_by: 'province_admin@T1',
      active: true,
    });
    expect(new Date(row?.created_at as Date).toISOString()).toBe(AT.toISOString());
    expect(JSON.stringify(row)).not.toContain('the-secret-of-t1c1-0001');
    expect(await subscriptions.find(id(9))).toBeUndefined();
  });

  it('inserts nothing when the same subscription is active, and says so', async () => {
    await subscriptions.insert(subscription(1, 'T1C1'));
    expect(await subscriptions.insert(subscription(2, 'T1C1', { address: 'bcd1@example.gov.vn' }))).toBeUndefined();
    expect(await sql(`select id from notification_subscription`)).toEqual([{ id: id(1) }]);
    // Another role or another address of the same unit is another subscription.
    expect(
      await subscriptions.insert(subscription(3, 'T1C1', { role: 'commune_chairman', address: 'bcd1@example.gov.vn' })),
    ).toBe(id(3));
    expect(await subscriptions.insert(subscription(4, 'T1C1'))).toBe(id(4));
  });

  it('lists the active subscriptions by unit, role and creation time: all, of one unit, or of the units under one', async () => {
    await subscriptions.insert(subscription(1, 'T1C2', { createdAt: new Date('2026-11-02T00:00:00Z') }));
    await subscriptions.insert(
      subscription(2, 'T1C1', { role: 'commune_committee', createdAt: new Date('2026-11-03T00:00:00Z') }),
    );
    await subscriptions.insert(subscription(3, 'T1C1', { role: 'commune_chairman' }));
    await subscriptions.insert(
      subscription(4, 'T1C1', { role: 'commune_committee', createdAt: new Date('2026-11-01T00:00:00Z') }),
    );
    await subscriptions.insert(subscription(5, 'T2C1'));
    await subscriptions.insert(subscription(6, 'T1C1'));
    await subscriptions.deactivate(id(6), AT, 'province_admin@T1');

    expect(ids(await subscriptions.list({}))).toEqual([id(3), id(4), id(2), id(1), id(5)]);
    expect(ids(await subscriptions.list({ withinUnit: 'T1' }))).toEqual([id(3), id(4), id(2), id(1)]);
    expect(ids(await subscriptions.list({ withinUnit: 'T1C2' }))).toEqual([id(1)]);
    expect(ids(await subscriptions.list({ unit: 'T1C1' }))).toEqual([id(3), id(4), id(2)]);
    // One unit named: the unit alone, whatever the actor's unit.
    expect(ids(await subscriptions.list({ unit: 'T2C1', withinUnit: 'T1' }))).toEqual([id(5)]);
  });

  it('deactivates a subscription once, recording when and by whom; it is still found, inactive', async () => {
    await subscriptions.insert(subscription(1, 'T1C1'));
    await subscriptions.deactivate(id(1), new Date('2026-11-20T03:00:00Z'), 'province_admin@T1');
    await subscriptions.deactivate(id(1), new Date('2026-11-21T03:00:00Z'), 'national_admin@VN');

    expect(await subscriptions.find(id(1))).toMatchObject({ id: id(1), active: false });
    const [row] = await sql<{ deactivated_at: string; deactivated_by: string }>(
      `select deactivated_at, deactivated_by from notification_subscription where id = ?`,
      [id(1)],
    );
    expect({ at: new Date(row.deactivated_at).toISOString(), by: row.deactivated_by }).toEqual({
      at: '2026-11-20T03:00:00.000Z',
      by: 'province_admin@T1',
    });
    // Deactivated, the same address may be subscribed again.
    expect(await subscriptions.insert(subscription(2, 'T1C1', { address: 'bcd1@example.gov.vn' }))).toBe(id(2));
  });
});
