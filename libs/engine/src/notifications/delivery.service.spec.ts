import type { AppConfig } from '@rasoat/config';
import type { Actor } from '@rasoat/contracts';
import type { Metrics } from '@rasoat/observability';
import type { DeliveryStatus } from '@rasoat/persistence';
import { AuthException } from '../auth';
import { ManualClock } from '../infrastructure';
import type {
  DeliveryAttemptStatements,
  DeliveryDigestRow,
  DeliveryListRow,
  DeliveryRepository,
  DeliveryRow,
} from './delivery.repository';
import { DeliveryService } from './delivery.service';
import type { NotificationsProducer } from './notifications.producer';
import { DeliveryNotFoundException, DeliveryNotRetryableException } from './notifications.exception';
import type { SmtpMailer } from './smtp-mailer';
import { postWebhook } from './webhook-request';
import { verifyWebhook } from './webhook-signature';

// The webhook's HTTP request is the one IO left in the service: answered here.
jest.mock('./webhook-request', () => ({ postWebhook: jest.fn() }));
const post = postWebhook as jest.MockedFunction<typeof postWebhook>;

const NOW = new Date('2026-11-24T00:30:00Z');
const config = {
  notifications: { webhookAllowedHosts: ['hooks.lan'], webhookTimeoutMs: 5000 },
} as unknown as AppConfig;
const SECRET = 'webhook-secret-for-the-t1c1-committee';

const delivery = (fields: Partial<DeliveryRow> = {}): DeliveryRow => ({
  id: 'delivery-1',
  subscription_id: 'subscription-1',
  digest_key: 'digest:T1C1:commune_committee:2026-11-23',
  notification_count: 2000,
  subject: '[rasoat] Tổng hợp nhắc việc ngày 23/11/2026',
  body_text: 'text',
  body_html: '<p>html</p>',
  status: 'pending',
  attempts: 0,
  channel: 'email',
  address: 'bcd.t1c1@example.gov.vn',
  secret: null,
  active: true,
  unit_code: 'T1C1',
  role: 'commune_committee',
  ...fields,
});
const webhook = (fields: Partial<DeliveryRow> = {}) =>
  delivery({ channel: 'webhook', address: 'https://hooks.lan/rasoat', secret: SECRET, body_html: null, ...fields });
const digest: DeliveryDigestRow = {
  unit_code: 'T1C1',
  role: 'commune_committee',
  digest_date: '2026-11-23',
  period_start: new Date('2026-11-22T17:00:00Z'),
  period_end: new Date('2026-11-23T17:00:00Z'),
  groups: [],
};

function setup(options: { smtp?: boolean } = {}) {
  const tx = {
    lock: jest.fn<Promise<DeliveryRow | undefined>, [string]>().mockResolvedValue(undefined),
    markDead: jest.fn().mockResolvedValue(undefined),
    markFailed: jest.fn().mockResolvedValue(undefined),
    markSent: jest.fn().mockResolvedValue(undefined),
    digest: jest.fn<Promise<DeliveryDigestRow | undefined>, [string]>().mockResolvedValue(digest),
  } satisfies Record<keyof DeliveryAttemptStatements, jest.Mock>;
  const deliveries = {
    transaction: jest.fn(async (work: (statements: DeliveryAttemptStatements) => Promise<unknown>) =>
      work(tx as unknown as DeliveryAttemptStatements),
    ),
    list: jest.fn<Promise<DeliveryListRow[]>, Parameters<DeliveryRepository['list']>>().mockResolvedValue([]),
    findWithUnit: jest.fn<ReturnType<DeliveryRepository['findWithUnit']>, [string]>().mockResolvedValue(undefined),
    requeueDead: jest.fn().mockResolvedValue(undefined),
    pendingIds: jest.fn(),
  } satisfies Record<keyof DeliveryRepository, jest.Mock>;
  const mailer = {
    configured: options.smtp ?? true,
    domain: 'rasoat.local',
    send: jest.fn().mockResolvedValue(undefined),
  };
  const producer = { redeliver: jest.fn().mockResolvedValue(undefined) };
  const metrics = { notificationDeliveries: { inc: jest.fn() } };
  const clock = new ManualClock(NOW);
  const service = new DeliveryService(
    deliveries as unknown as DeliveryRepository,
    mailer as unknown as SmtpMailer,
    producer as unknown as NotificationsProducer,
    config,
    clock,
    metrics as unknown as Metrics,
  );
  const outcomes = () => metrics.notificationDeliveries.inc.mock.calls.map(([labels]) => labels);
  return { service, deliveries, tx, mailer, producer, outcomes, clock };
}

describe('DeliveryService', () => {
  beforeEach(() => post.mockReset());

  describe('an attempt, under the delivery’s lock', () => {
    it('sends an e-mail with the delivery’s Message-ID and marks it sent with its attempts', async () => {
      const { service, tx, mailer, outcomes } = setup();
      tx.lock.mockResolvedValue(delivery({ attempts: 1 }));
      expect(await service.deliver('delivery-1', { final: false })).toEqual({ status: 'sent', attempts: 2 });
      expect(tx.lock).toHaveBeenCalledWith('delivery-1');
      expect(mailer.send).toHaveBeenCalledWith({
        to: 'bcd.t1c1@example.gov.vn',
        subject: '[rasoat] Tổng hợp nhắc việc ngày 23/11/2026',
        text: 'text',
        html: '<p>html</p>',
        messageId: '<delivery-delivery-1@rasoat.local>',
        headers: { 'X-Rasoat-Delivery': 'delivery-1' },
      });
      expect(tx.markSent).toHaveBeenCalledWith('delivery-1', 2, NOW);
      expect(outcomes()).toEqual([{ channel: 'email', outcome: 'sent' }]);
    });

    it('records a failed attempt as pending for the queue’s retry, and as dead after the last one', async () => {
      const { service, tx, mailer, outcomes } = setup();
      tx.lock.mockResolvedValue(delivery({ attempts: 1 }));
      mailer.send.mockRejectedValue(new Error('connect ECONNREFUSED'));
      expect(await service.deliver('delivery-1', { final: false })).toEqual({
        status: 'failed',
        attempts: 2,
        error: 'connect ECONNREFUSED',
        dead: false,
      });
      expect(tx.markFailed).toHaveBeenLastCalledWith('delivery-1', 2, 'connect ECONNREFUSED', false);
      expect(await service.deliver('delivery-1', { final: true })).toEqual({
        status: 'failed',
        attempts: 2,
        error: 'connect ECONNREFUSED',
        dead: true,
      });
      expect(tx.markFailed).toHaveBeenLastCalledWith('delivery-1', 2, 'connect ECONNREFUSED', true);
      expect(tx.markSent).not.toHaveBeenCalled();
      expect(outcomes()).toEqual([
        { channel: 'email', outcome: 'failed' },
        { channel: 'email', outcome: 'dead' },
      ]);
    });

    it('keeps at most 2,000 characters of an error', async () => {
      const { service, tx, mailer } = setup();
      tx.lock.mockResolvedValue(delivery());
      mailer.send.mockRejectedValue(new Error('x'.repeat(5000)));
      expect(await service.deliver('delivery-1', { final: false })).toMatchObject({ error: 'x'.repeat(2000) });
    });

    it('does nothing for an unknown, a sent or a dead delivery', async () => {
      const { service, tx, mailer } = setup();
      expect(await service.deliver('delivery-9', { final: false })).toEqual({ status: 'unknown' });
      tx.lock.mockResolvedValue(delivery({ status: 'sent' }));
      expect(await service.deliver('delivery-1', { final: false })).toEqual({ status: 'already-sent' });
      tx.lock.mockResolvedValue(delivery({ status: 'dead' }));
      expect(await service.deliver('delivery-1', { final: false })).toEqual({ status: 'dead' });
      expect(mailer.send).not.toHaveBeenCalled();
      for (const write of [tx.markDead, tx.markFailed, tx.markSent]) expect(write).not.toHaveBeenCalled();
    });

    it('makes the delivery of a deactivated subscription dead, without an attempt', async () => {
      const { service, tx, mailer, outcomes } = setup();
      tx.lock.mockResolvedValue(delivery({ active: false }));
      expect(await service.deliver('delivery-1', { final: false })).toEqual({ status: 'inactive' });
      expect(tx.markDead).toHaveBeenCalledWith('delivery-1', 'đăng ký đã bị hủy / subscription deactivated');
      expect(mailer.send).not.toHaveBeenCalled();
      expect(outcomes()).toEqual([{ channel: 'email', outcome: 'inactive' }]);
    });

    it('leaves an e-mail pending, without an attempt or an error, when no SMTP relay is configured', async () => {
      const { service, tx, mailer, outcomes } = setup({ smtp: false });
      tx.lock.mockResolvedValue(delivery());
      expect(await service.deliver('delivery-1', { final: true })).toEqual({ status: 'no-transport' });
      expect(await service.deliver('delivery-1', { final: true })).toEqual({ status: 'no-transport' });
      expect(mailer.send).not.toHaveBeenCalled();
      for (const write of [tx.markDead, tx.markFailed, tx.markSent]) expect(write).not.toHaveBeenCalled();
      expect(outcomes()).toEqual([
        { channel: 'email', outcome: 'no_transport' },
        { channel: 'email', outcome: 'no_transport' },
      ]);
    });

    it('posts a webhook signed with the subscription’s secret, describing the digest, and marks it sent on a 2xx', async () => {
      const { service, tx, outcomes } = setup();
      tx.lock.mockResolvedValue(webhook());
      post.mockResolvedValue({ status: 204, text: '' });

      expect(await service.deliver('delivery-1', { final: false })).toEqual({ status: 'sent', attempts: 1 });

      expect(tx.digest).toHaveBeenCalledWith('digest:T1C1:commune_committee:2026-11-23');
      const [url, headers, body, options] = post.mock.calls[0];
      expect(url.href).toBe('https://hooks.lan/rasoat');
      expect(options.timeoutMs).toBe(5000);
      expect(headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'X-Rasoat-Delivery': 'delivery-1',
        'X-Rasoat-Timestamp': String(NOW.getTime() / 1000),
      });
      expect(
        verifyWebhook(
          SECRET,
          { timestamp: headers['X-Rasoat-Timestamp'], signature: headers['X-Rasoat-Signature'] },
          body,
        ),
      ).toBe(true);
      expect(JSON.parse(body)).toEqual({
        type: 'notification.digest',
        deliveryId: 'delivery-1',
        digestKey: 'digest:T1C1:commune_committee:2026-11-23',
        unitCode: 'T1C1',
        role: 'commune_committee',
        date: '2026-11-23',
        periodStart: '2026-11-22T17:00:00.000Z',
        periodEnd: '2026-11-23T17:00:00.000Z',
        notificationCount: 2000,
        subject: '[rasoat] Tổng hợp nhắc việc ngày 23/11/2026',
        text: 'text',
        groups: [],
      });
      expect(tx.markSent).toHaveBeenCalledWith('delivery-1', 1, NOW);
      expect(outcomes()).toEqual([{ channel: 'webhook', outcome: 'sent' }]);
    });

    it('fails a webhook that answers otherwise than 2xx, naming the status and the start of the answer', async () => {
      const { service, tx } = setup();
      tx.lock.mockResolvedValue(webhook({ attempts: 2 }));
      post.mockResolvedValue({ status: 503, text: 'tạm thời lỗi / temporarily failing' });
      expect(await service.deliver('delivery-1', { final: true })).toEqual({
        status: 'failed',
        attempts: 3,
        error: 'webhook https://hooks.lan/rasoat answered 503: tạm thời lỗi / temporarily failing',
        dead: true,
      });
      expect(tx.markFailed).toHaveBeenCalledWith(
        'delivery-1',
        3,
        'webhook https://hooks.lan/rasoat answered 503: tạm thời lỗi / temporarily failing',
        true,
      );
    });

    it('refuses, without a request, a webhook to an internal IP address, and one without a secret', async () => {
      const { service, tx } = setup();
      tx.lock.mockResolvedValue(webhook({ address: 'https://10.20.30.40/hook' }));
      expect(await service.deliver('delivery-1', { final: false })).toMatchObject({
        status: 'failed',
        error: expect.stringContaining(
          'webhook https://10.20.30.40/hook: máy chủ webhook 10.20.30.40 là địa chỉ mạng riêng',
        ),
      });
      tx.lock.mockResolvedValue(webhook({ secret: null }));
      expect(await service.deliver('delivery-1', { final: false })).toMatchObject({
        status: 'failed',
        error: 'webhook subscription without a secret',
      });
      expect(post).not.toHaveBeenCalled();
    });

    it('names a webhook that does not answer in time by its timeout', async () => {
      const { service, tx } = setup();
      tx.lock.mockResolvedValue(webhook());
      post.mockRejectedValue(
        Object.assign(new Error('This operation was aborted'), { cause: { name: 'TimeoutError' } }),
      );
      expect(await service.deliver('delivery-1', { final: false })).toMatchObject({
        status: 'failed',
        error: 'webhook https://hooks.lan/rasoat: no answer within 5000 ms',
      });
    });
  });

  describe('the dead letters', () => {
    const listed: DeliveryListRow = {
      id: 'delivery-1',
      subscription_id: 'subscription-1',
      digest_key: 'digest:T2C1:commune_committee:2026-11-23',
      notification_count: 3,
      subject: 's',
      status: 'dead',
      attempts: 3,
      last_error: 'webhook answered 503',
      created_at: NOW,
      sent_at: null,
      channel: 'webhook',
      address: 'https://hooks.example.gov.vn/t2c1',
      unit_code: 'T2C1',
      role: 'commune_committee',
    };

    it('lists every delivery for a national admin, those under the actor’s unit for anyone else', async () => {
      const { service, deliveries } = setup();
      deliveries.list.mockResolvedValue([listed]);
      expect(
        await service.list({ sub: 'n', role: 'national_admin', unit: 'VN' }, { status: 'dead', limit: 50 }),
      ).toEqual([
        {
          id: 'delivery-1',
          subscriptionId: 'subscription-1',
          unitCode: 'T2C1',
          role: 'commune_committee',
          channel: 'webhook',
          address: 'https://hooks.example.gov.vn/t2c1',
          digestKey: 'digest:T2C1:commune_committee:2026-11-23',
          notificationCount: 3,
          subject: 's',
          status: 'dead',
          attempts: 3,
          lastError: 'webhook answered 503',
          createdAt: NOW,
          sentAt: null,
        },
      ]);
      expect(deliveries.list).toHaveBeenLastCalledWith({ withinUnit: undefined, status: 'dead' }, 50);
      await service.list({ sub: 'a', role: 'province_admin', unit: 'T1' }, { limit: 10 });
      expect(deliveries.list).toHaveBeenLastCalledWith({ withinUnit: 'T1', status: undefined }, 10);
    });

    it('puts a dead delivery in scope back in the queue; 404 when unknown, 403 outside the actor’s unit, 409 when not dead', async () => {
      const { service, deliveries, producer } = setup();
      const found = (status: DeliveryStatus) => ({
        id: 'delivery-1',
        status,
        unit_path: '/T2/T2C1/',
        unit_code: 'T2C1',
      });
      const provinceAdmin: Actor = { sub: 'a', role: 'province_admin', unit: 'T2' };

      deliveries.findWithUnit.mockResolvedValue(found('dead'));
      expect(await service.retry(provinceAdmin, 'delivery-1')).toEqual({ id: 'delivery-1', status: 'pending' });
      expect(deliveries.requeueDead).toHaveBeenCalledWith('delivery-1');
      expect(producer.redeliver).toHaveBeenCalledWith('delivery-1');

      await expect(service.retry({ ...provinceAdmin, unit: 'T1' }, 'delivery-1')).rejects.toBeInstanceOf(AuthException);
      deliveries.findWithUnit.mockResolvedValue(found('sent'));
      await expect(service.retry(provinceAdmin, 'delivery-1')).rejects.toBeInstanceOf(DeliveryNotRetryableException);
      deliveries.findWithUnit.mockResolvedValue(undefined);
      await expect(service.retry(provinceAdmin, 'delivery-9')).rejects.toBeInstanceOf(DeliveryNotFoundException);
      expect(deliveries.requeueDead).toHaveBeenCalledTimes(1);
      expect(producer.redeliver).toHaveBeenCalledTimes(1);
    });
  });
});
