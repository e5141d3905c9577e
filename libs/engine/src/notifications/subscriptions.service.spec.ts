import type { AppConfig } from '@rasoat/config';
import type { Actor, CreateSubscriptionBody } from '@rasoat/contracts';
import type { AdminUnit } from '@rasoat/persistence';
import { AuthException } from '../auth';
import { ManualClock } from '../infrastructure';
import type { UnitsService } from '../units';
import { SubscriptionExistsException, SubscriptionNotFoundException } from './notifications.exception';
import type { NewSubscriptionRow, SubscriptionRepository, SubscriptionRow } from './subscription.repository';
import { SubscriptionsService } from './subscriptions.service';

const NOW = new Date('2026-11-20T03:00:00Z');
const COMMITTEE = 'commune_committee';
const provinceAdmin: Actor = { sub: 'province_admin@T1', role: 'province_admin', unit: 'T1' };
const national: Actor = { sub: 'national_admin@VN', role: 'national_admin', unit: 'VN' };
const UNITS = new Map<string, AdminUnit>([
  [
    'T1C1',
    { code: 'T1C1', name: 'Xã T1C1', level: 'commune', path: '/T1/T1D1/T1C1/', provinceCode: 'T1', parentCode: 'T1D1' },
  ],
  [
    'T2C1',
    { code: 'T2C1', name: 'Xã T2C1', level: 'commune', path: '/T2/T2C1/', provinceCode: 'T2', parentCode: 'T2' },
  ],
]);

const row = (fields: Partial<SubscriptionRow> = {}): SubscriptionRow => ({
  id: 'subscription-1',
  unit_code: 'T1C1',
  unit_name: 'Xã T1C1',
  unit_path: '/T1/T1D1/T1C1/',
  role: COMMITTEE,
  channel: 'email',
  address: 'bcd.t1c1@example.gov.vn',
  has_secret: false,
  created_at: NOW,
  created_by: provinceAdmin.sub,
  active: true,
  ...fields,
});

function setup(notifications: Partial<AppConfig['notifications']> = {}) {
  // The repository keeps what is inserted, so that the created subscription can be read back.
  const inserted = new Map<string, NewSubscriptionRow>();
  const subscriptions = {
    list: jest.fn<Promise<SubscriptionRow[]>, Parameters<SubscriptionRepository['list']>>().mockResolvedValue([]),
    insert: jest.fn(async (r: NewSubscriptionRow): Promise<string | undefined> => {
      inserted.set(r.id, r);
      return r.id;
    }),
    find: jest.fn(async (id: string): Promise<SubscriptionRow | undefined> => {
      const r = inserted.get(id);
      return (
        r &&
        row({
          id: r.id,
          unit_code: r.unitCode,
          role: r.role,
          channel: r.channel,
          address: r.address,
          has_secret: r.secret !== null,
          created_at: r.createdAt,
          created_by: r.createdBy,
        })
      );
    }),
    deactivate: jest.fn().mockResolvedValue(undefined),
  } satisfies Record<keyof SubscriptionRepository, jest.Mock>;
  const units = {
    get: jest.fn(async (code: string) => {
      const unit = UNITS.get(code);
      if (!unit) throw new Error(`unknown unit ${code}`);
      return unit;
    }),
  };
  const config = {
    notifications: {
      allowHttpWebhooks: false,
      webhookAllowedHosts: ['hooks.lan'],
      webhookTimeoutMs: 1000,
      ...notifications,
    },
  } as AppConfig;
  const service = new SubscriptionsService(
    subscriptions as unknown as SubscriptionRepository,
    units as unknown as UnitsService,
    config,
    new ManualClock(NOW),
  );
  return { service, subscriptions };
}

const body = (fields: Partial<CreateSubscriptionBody> = {}) =>
  ({
    unitCode: 'T1C1',
    role: COMMITTEE,
    channel: 'email',
    address: 'bcd.t1c1@example.gov.vn',
    ...fields,
  }) as CreateSubscriptionBody;

describe('SubscriptionsService', () => {
  describe('create', () => {
    it('subscribes an e-mail address, written in lower case, without a secret', async () => {
      const { service, subscriptions } = setup();
      const created = await service.create(provinceAdmin, body({ address: ' BCD.T1C1@Example.gov.vn ' }));
      expect(subscriptions.insert).toHaveBeenCalledWith({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        unitCode: 'T1C1',
        role: COMMITTEE,
        channel: 'email',
        address: 'bcd.t1c1@example.gov.vn',
        secret: null,
        createdAt: NOW,
        createdBy: provinceAdmin.sub,
      });
      expect(created).toEqual({
        id: subscriptions.insert.mock.calls[0][0].id,
        unitCode: 'T1C1',
        unitName: 'Xã T1C1',
        role: COMMITTEE,
        channel: 'email',
        address: 'bcd.t1c1@example.gov.vn',
        hasSecret: false,
        createdAt: NOW,
        createdBy: provinceAdmin.sub,
        active: true,
      });
      expect(created).not.toHaveProperty('secret');
    });

    it('gives a webhook the secret asked for, or a new one of 32 random bytes, returned this once', async () => {
      const { service, subscriptions } = setup();
      const given = await service.create(
        provinceAdmin,
        body({ channel: 'webhook', address: 'https://hooks.lan/given', secret: 'a-secret-of-the-receiver-0001' }),
      );
      expect(given).toMatchObject({ channel: 'webhook', hasSecret: true, secret: 'a-secret-of-the-receiver-0001' });
      const generated = await service.create(
        provinceAdmin,
        body({ channel: 'webhook', address: 'https://hooks.lan/generated' }),
      );
      expect(generated.secret).toMatch(/^[0-9a-f]{64}$/);
      expect(subscriptions.insert).toHaveBeenLastCalledWith(
        expect.objectContaining({ secret: generated.secret, address: 'https://hooks.lan/generated' }),
      );
    });

    it('refuses (400, naming the field) a webhook over http, to an internal address, and a secret for e-mail', async () => {
      const { service, subscriptions } = setup();
      await expect(
        service.create(provinceAdmin, body({ channel: 'webhook', address: 'http://hooks.lan/plain' })),
      ).rejects.toMatchObject({ code: 'SUBSCRIPTION_INVALID', details: { fields: [{ field: 'address' }] } });
      for (const address of [
        'https://10.20.30.40/hook',
        'https://[::1]/hook',
        'https://169.254.169.254/latest/meta-data/',
      ]) {
        await expect(service.create(provinceAdmin, body({ channel: 'webhook', address }))).rejects.toMatchObject({
          code: 'SUBSCRIPTION_INVALID',
          message: expect.stringContaining('notifications.webhookAllowedHosts'),
        });
      }
      await expect(
        service.create(provinceAdmin, body({ secret: 'a-secret-of-the-receiver-0001' })),
      ).rejects.toMatchObject({ code: 'SUBSCRIPTION_INVALID', details: { fields: [{ field: 'secret' }] } });
      expect(subscriptions.insert).not.toHaveBeenCalled();
    });

    it('takes a webhook over http where an operator allows it', async () => {
      const { service } = setup({ allowHttpWebhooks: true });
      expect(
        await service.create(provinceAdmin, body({ channel: 'webhook', address: 'http://hooks.lan/plain' })),
      ).toMatchObject({ address: 'http://hooks.lan/plain' });
    });

    it('refuses (403) a unit outside the actor’s, and (409) a subscription that exists', async () => {
      const { service, subscriptions } = setup();
      await expect(service.create(provinceAdmin, body({ unitCode: 'T2C1' }))).rejects.toBeInstanceOf(AuthException);
      expect(subscriptions.insert).not.toHaveBeenCalled();
      expect(await service.create(national, body({ unitCode: 'T2C1' }))).toMatchObject({ unitCode: 'T2C1' });
      subscriptions.insert.mockResolvedValue(undefined);
      await expect(service.create(provinceAdmin, body())).rejects.toBeInstanceOf(SubscriptionExistsException);
    });
  });

  describe('list', () => {
    it('lists the subscriptions under the actor’s unit (a national admin: all), or of one unit in scope', async () => {
      const { service, subscriptions } = setup();
      subscriptions.list.mockResolvedValue([row({ has_secret: true, channel: 'webhook' })]);
      expect(await service.list(provinceAdmin)).toEqual([
        expect.objectContaining({ id: 'subscription-1', hasSecret: true, channel: 'webhook' }),
      ]);
      expect(subscriptions.list).toHaveBeenLastCalledWith({ unit: undefined, withinUnit: 'T1' });
      await service.list(national);
      expect(subscriptions.list).toHaveBeenLastCalledWith({ unit: undefined, withinUnit: undefined });
      await service.list(provinceAdmin, { unit: 'T1C1' });
      expect(subscriptions.list).toHaveBeenLastCalledWith({ unit: 'T1C1', withinUnit: 'T1' });
      await expect(service.list(provinceAdmin, { unit: 'T2C1' })).rejects.toBeInstanceOf(AuthException);
      expect(subscriptions.list).toHaveBeenCalledTimes(3);
    });
  });

  describe('deactivate', () => {
    it('deactivates an active subscription in scope at the clock’s time; 404 when unknown or inactive, 403 outside the actor’s unit', async () => {
      const { service, subscriptions } = setup();
      subscriptions.find.mockImplementation(async (id) =>
        id === 'subscription-1'
          ? row()
          : id === 'subscription-2'
            ? row({ id, active: false })
            : id === 'subscription-3'
              ? row({ id, unit_code: 'T2C1', unit_path: '/T2/T2C1/' })
              : undefined,
      );

      expect(await service.deactivate(provinceAdmin, 'subscription-1')).toMatchObject({
        id: 'subscription-1',
        active: false,
      });
      expect(subscriptions.deactivate).toHaveBeenCalledWith('subscription-1', NOW, provinceAdmin.sub);
      await expect(service.deactivate(provinceAdmin, 'subscription-2')).rejects.toBeInstanceOf(
        SubscriptionNotFoundException,
      );
      await expect(service.deactivate(provinceAdmin, 'subscription-9')).rejects.toBeInstanceOf(
        SubscriptionNotFoundException,
      );
      await expect(service.deactivate(provinceAdmin, 'subscription-3')).rejects.toBeInstanceOf(AuthException);
      expect(subscriptions.deactivate).toHaveBeenCalledTimes(1);
    });
  });
});
