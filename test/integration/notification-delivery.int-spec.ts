import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bullmq';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { JobName, QueueName } from '@rasoat/contracts';
import {
  DeliveryService,
  DIGEST_SCHEDULER_ID,
  DigestService,
  NotificationsProducer,
  signToken,
  UnitsService,
  verifyWebhook,
} from '@rasoat/engine';
import { eventually, startTestEngine, type TestEngine } from '@rasoat/testing';

const json = (res: Response): Promise<any> => res.json();
type Engine = TestEngine & { dropDatabase(): Promise<void> };
type Sql = <T = Record<string, any>>(q: string, p?: unknown[]) => Promise<T[]>;

/** A local SMTP server that keeps what it receives, parsed. */
async function startSmtpSink(): Promise<{ port: number; messages: ParsedMail[]; stop(): Promise<void> }> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A local webhook receiver: /ok answers 204, /flaky fails twice then answers 200, /down always 503. */
async function startReceiver(): Promise<{ url: string; requests: Received[]; stop(): Promise<void> }> {
  const requests: Received[] = [];
  let flaky = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const status = path === '/ok' ? 204 : path === '/flaky' ? (++flaky <= 2 ? 500 : 200) : 503;
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(status >= 300 ? 'tạm thời lỗi / temporarily failing' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const COMMITTEE = 'commune_committee';
const VILLAGES = 2000;
const STEP_TITLE = 'Quá hạn: Bước 3: Họp dân thống nhất kết quả rà soát';
const DAY = new Date('2026-11-23T02:00:00Z'); // 09:00 on 23 Nov in Hà Nội
const DIGEST_TIME = new Date('2026-11-24T00:30:00Z'); // 07:30 on 24 Nov in Hà Nội

/**
 * Notification delivery on real PostgreSQL, Redis, a local SMTP sink and a local webhook
 * receiver: the daily digest turns 2,000 notifications into one message per subscription.
 */
describe('notification delivery: digests, e-mail, signed webhooks, dead letters, inbox', () => {
  let engine: Engine;
  let sql: Sql;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const secret = 'webhook-secret-for-the-t1c1-committee';
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const call = (method: string, path: string, bearer?: string, body?: unknown) =>
    fetch(`${engine.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const deliveryOf = async (address: string) =>
    (
      await sql<{
        id: string;
        status: string;
        attempts: number;
        last_error: string | null;
        notification_count: number;
        digest_key: string;
      }>(
        `select d.id, d.status, d.attempts, d.last_error, d.notification_count, d.digest_key from notification_delivery d join notification_subscription s on s.id = d.subscription_id where s.address = ?`,
        [address],
      )
    )[0];
  const queue = () => engine.app.get<Queue>(getQueueToken(QueueName.Notifications));
  const queueIdle = () =>
    eventually(
      async () =>
        Object.values(await queue().getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every((n) => n === 0),
      15_000,
      'the notifications queue to drain',
    );

  /** The subscriptions of the first test: e-mail and a webhook for T1C1, a flaky webhook for T1C2, a failing one for T2C1. */
  async function subscribeCommittees() {
    const admin = token('province_admin', 'T1');
    await call('POST', '/api/admin/subscriptions', admin, {
      unitCode: 'T1C1',
      role: COMMITTEE,
      channel: 'email',
      address: 'bcd.t1c1@example.gov.vn',
    });
    await call('POST', '/api/admin/subscriptions', admin, {
      unitCode: 'T1C1',
      role: COMMITTEE,
      channel: 'webhook',
      address: `${receiver.url}/ok`,
      secret,
    });
    await call('POST', '/api/admin/subscriptions', admin, {
      unitCode: 'T1C2',
      role: COMMITTEE,
      channel: 'webhook',
      address: `${receiver.url}/flaky`,
    });
    await call('POST', '/api/admin/subscriptions', token('national_admin', 'VN'), {
      unitCode: 'T2C1',
      role: COMMITTEE,
      channel: 'webhook',
      address: `${receiver.url}/down`,
      secret: 'down-receiver-secret-0001',
    });
  }

  /** A second e-mail subscriber for T1C1 after the day's digest was built: it gets that digest too. */
  async function addLateSubscriber() {
    await queueIdle();
    await call('POST', '/api/admin/subscriptions', token('province_admin', 'T1'), {
      unitCode: 'T1C1',
      role: COMMITTEE,
      channel: 'email',
      address: 'pho.bcd.t1c1@example.gov.vn',
    });
    await engine.get(DigestService).buildDigests(engine.clock.now());
    await eventually(async () => smtp.messages.length === 2, 15_000, 'the late subscriber’s e-mail');
    await queueIdle();
  }

  beforeEach(async () => {
    smtp = await startSmtpSink();
    receiver = await startReceiver();
    engine = await startTestEngine({
      http: true,
      worker: true,
      start: DAY,
      config: {
        publicUrl: 'https://rasoat.example.gov.vn',
        'notifications.smtpUrl': `smtp://127.0.0.1:${smtp.port}`,
        'notifications.allowHttpWebhooks': true,
        // The local receiver: an operator's allowed host, as a deployment would list its LAN receivers.
        'notifications.webhookAllowedHosts': ['127.0.0.1'],
        'notifications.deliveryAttempts': 3,
        'notifications.deliveryBackoffMs': 50,
        'notifications.digestMaxItems': 5,
      },
    });
    const em = engine.get(EntityManager);
    sql = (q, p = []) => em.fork().execute(q, p as never[]);

    // 2,000 villages in commune T1C1, each with a case whose meeting deadline (20 Nov) passed.
    const villages = Array.from({ length: VILLAGES }, (_, i) => ({
      code: `T1C1X${String(i + 1).padStart(4, '0')}`,
      name: `Thôn Thử ${i + 1}`,
      level: 'village' as const,
      parentCode: 'T1C1',
    }));
    await engine.get(UnitsService).upsertTree(villages);
    await sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
       select gen_random_uuid(), '00000000-0000-4000-8000-00000000c0de', code, 'T1C1', path, 'periodic-review@1', 'meeting', 'active', 3, '{}'::jsonb, 0, 0, ?, ?
       from admin_unit where parent_code = 'T1C1' and code like 'T1C1X%'`,
      [DAY, DAY],
    );
    await sql(
      `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at)
       select gen_random_uuid(), id, 'meeting', '2026-11-20', '2026-11-20T16:59:59.999Z', '{}'::jsonb, 'overdue', ? from review_case where commune_code = 'T1C1'`,
      [DAY],
    );
    // What the deadlines wrote: one overdue notice per village to the commune committee …
    await sql(
      `insert into notification (id, dedupe_key, unit_code, role, template, title, body, case_id, created_at)
       select gen_random_uuid(), 'deadline:' || d.id || ':alarm:0', 'T1C1', ?, 'step-overdue', ?, 'Thôn ' || c.village_code || ': quá hạn', c.id, ?
       from deadline d join review_case c on c.id = d.case_id`,
      [COMMITTEE, STEP_TITLE, DAY],
    );
    // … one the day before and one on the digest day itself (neither belongs to the 23 Nov digest) …
    await sql(
      `insert into notification (id, dedupe_key, unit_code, role, template, title, body, case_id, created_at) values
       (gen_random_uuid(), 'test:t1c1:22', 'T1C1', ?, 'step-overdue', 'Hôm trước', 'x', null, '2026-11-22T02:00:00Z'),
       (gen_random_uuid(), 'test:t1c1:24', 'T1C1', ?, 'step-overdue', 'Hôm sau', 'x', null, '2026-11-24T00:10:00Z')`,
      [COMMITTEE, COMMITTEE],
    );
    // … and a few for two other commune committees (one of them in province T2).
    for (const unit of ['T1C2', 'T2C1']) {
      await sql(
        `insert into notification (id, dedupe_key, unit_code, role, template, title, body, case_id, created_at)
         select gen_random_uuid(), 'test:' || ? || ':' || g, ?, ?, 'deadline-reminder', 'Nhắc việc: Niêm yết', 'x', null, ? from generate_series(1, 3) g`,
        [unit, unit, COMMITTEE, DAY],
      );
    }
  });

  afterEach(async () => {
    await engine?.close();
    await engine?.dropDatabase();
    await smtp?.stop();
    await receiver?.stop();
  });

  describe('subscriptions API', () => {
    it('lets a province admin subscribe units of the province, and refuses others (403), bad input (400) and duplicates (409)', async () => {
      const admin = token('province_admin', 'T1');
      const email = await call('POST', '/api/admin/subscriptions', admin, {
        unitCode: 'T1C1',
        role: COMMITTEE,
        channel: 'email',
        address: 'bcd.t1c1@example.gov.vn',
      });
      expect(email.status).toBe(201);
      expect(await json(email)).toMatchObject({
        unitCode: 'T1C1',
        unitName: 'Xã T1C1',
        channel: 'email',
        active: true,
        hasSecret: false,
        createdBy: 'province_admin@T1',
      });

      const hook = await json(
        await call('POST', '/api/admin/subscriptions', admin, {
          unitCode: 'T1C1',
          role: COMMITTEE,
          channel: 'webhook',
          address: `${receiver.url}/ok`,
          secret,
        }),
      );
      expect(hook).toMatchObject({ channel: 'webhook', hasSecret: true, secret });
      const generated = await json(
        await call('POST', '/api/admin/subscriptions', admin, {
          unitCode: 'T1C2',
          role: COMMITTEE,
          channel: 'webhook',
          address: `${receiver.url}/flaky`,
        }),
      );
      expect(generated.secret).toMatch(/^[0-9a-f]{64}$/);

      const outside = await call('POST', '/api/admin/subscriptions', admin, {
        unitCode: 'T2C1',
        role: COMMITTEE,
        channel: 'webhook',
        address: `${receiver.url}/down`,
      });
      expect(outside.status).toBe(403);
      expect((await json(outside)).error.code).toBe('AUTH_OUT_OF_SCOPE');
      expect(
        (
          await call('POST', '/api/admin/subscriptions', token('commune_committee', 'T1C1'), {
            unitCode: 'T1C1',
            role: COMMITTEE,
            channel: 'email',
            address: 'x@example.gov.vn',
          })
        ).status,
      ).toBe(403);
      const national = await call('POST', '/api/admin/subscriptions', token('national_admin', 'VN'), {
        unitCode: 'T2C1',
        role: COMMITTEE,
        channel: 'webhook',
        address: `${receiver.url}/down`,
        secret: 'down-receiver-secret-0001',
      });
      expect(national.status).toBe(201);

      const bad = await call('POST', '/api/admin/subscriptions', admin, {
        unitCode: 'T1C1',
        role: COMMITTEE,
        channel: 'email',
        address: 'not-an-address',
      });
      expect(bad.status).toBe(400);
      expect((await json(bad)).error.details.fields[0].field).toBe('address');
      expect(
        (
          await call('POST', '/api/admin/subscriptions', admin, {
            unitCode: 'T1C1',
            role: 'mayor',
            channel: 'email',
            address: 'a@example.gov.vn',
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await call('POST', '/api/admin/subscriptions', admin, {
            unitCode: 'NOWHERE',
            role: COMMITTEE,
            channel: 'email',
            address: 'a@example.gov.vn',
          })
        ).status,
      ).toBe(404);
      const duplicate = await call('POST', '/api/admin/subscriptions', admin, {
        unitCode: 'T1C1',
        role: COMMITTEE,
        channel: 'email',
        address: 'BCD.T1C1@example.gov.vn',
      });
      expect(duplicate.status).toBe(409);
    });

    it('refuses webhooks to loopback, private, link-local and unique-local addresses unless the host is allowed (400 naming address)', async () => {
      const admin = token('province_admin', 'T1');
      const port = new URL(receiver.url).port;
      for (const address of [
        `http://localhost:${port}/ok`, // a name that resolves to loopback: not the allowed host 127.0.0.1
        'https://169.254.169.254/latest/meta-data/',
        'https://10.20.30.40/hook',
        'https://192.168.1.1/hook',
        'https://[::1]/hook',
        'https://[fd00::1]/hook',
        'https://0.0.0.0/hook',
      ]) {
        const res = await call('POST', '/api/admin/subscriptions', admin, {
          unitCode: 'T1C1',
          role: COMMITTEE,
          channel: 'webhook',
          address,
        });
        const body = await json(res);
        expect({
          address,
          status: res.status,
          code: body.error.code,
          field: body.error.details.fields?.[0]?.field,
        }).toEqual({ address, status: 400, code: 'SUBSCRIPTION_INVALID', field: 'address' });
        expect(body.error.message).toContain('notifications.webhookAllowedHosts');
      }
      expect(
        await sql(
          `select count(*)::int as n from notification_subscription where channel = 'webhook' and address not like ?`,
          [`${receiver.url}/%`],
        ),
      ).toEqual([{ n: 0 }]);
    });

    it('lists subscriptions in scope without their secrets, and deactivates one', async () => {
      await subscribeCommittees();
      const admin = token('province_admin', 'T1');
      const mine = await json(await call('GET', '/api/admin/subscriptions', admin));
      expect(mine.map((s: { unitCode: string }) => s.unitCode).sort()).toEqual(['T1C1', 'T1C1', 'T1C2']);
      expect(JSON.stringify(mine)).not.toContain(secret);
      const all = await json(await call('GET', '/api/admin/subscriptions', token('national_admin', 'VN')));
      expect(all).toHaveLength(4);
      expect((await call('GET', '/api/admin/subscriptions?unit=T2C1', admin)).status).toBe(403);

      const extra = await json(
        await call('POST', '/api/admin/subscriptions', admin, {
          unitCode: 'T1C2',
          role: COMMITTEE,
          channel: 'email',
          address: 'removed@example.gov.vn',
        }),
      );
      const removed = await call('DELETE', `/api/admin/subscriptions/${extra.id}`, admin);
      expect(removed.status).toBe(200);
      expect((await json(removed)).active).toBe(false);
      expect((await call('DELETE', `/api/admin/subscriptions/${extra.id}`, admin)).status).toBe(404);
      expect(await json(await call('GET', '/api/admin/subscriptions?unit=T1C2', admin))).toHaveLength(1);
    });
  });

  describe('the daily digest', () => {
    let firstRun: Awaited<ReturnType<DigestService['buildDigests']>>;

    beforeEach(async () => {
      await subscribeCommittees();
      engine.clock.set(DIGEST_TIME);
      firstRun = await engine.get(DigestService).buildDigests(engine.clock.now());
    });

    it('builds one digest per (unit, role) for the previous civil day, and one delivery per subscription', async () => {
      expect(firstRun.date).toBe('2026-11-23');
      expect(firstRun.digestsCreated).toBe(3);
      expect(firstRun.deliveryIds).toHaveLength(4);
      const digests = await sql<{ key: string; notification_count: number; period_start: Date; period_end: Date }>(
        `select key, notification_count, period_start, period_end from notification_digest order by key`,
      );
      expect(digests.map((d) => [d.key, d.notification_count])).toEqual([
        ['digest:T1C1:commune_committee:2026-11-23', VILLAGES],
        ['digest:T1C2:commune_committee:2026-11-23', 3],
        ['digest:T2C1:commune_committee:2026-11-23', 3],
      ]);
      expect(new Date(digests[0].period_start).toISOString()).toBe('2026-11-22T17:00:00.000Z');
      expect(new Date(digests[0].period_end).toISOString()).toBe('2026-11-23T17:00:00.000Z');
    });

    it('sends 2,000 notifications of one commune committee as exactly one e-mail, in Vietnamese with English beside', async () => {
      const delivery = await eventually(
        async () => {
          const d = await deliveryOf('bcd.t1c1@example.gov.vn');
          return d?.status === 'sent' ? d : undefined;
        },
        15_000,
        'the e-mail delivery to be sent',
      );
      expect(delivery).toMatchObject({
        attempts: 1,
        notification_count: VILLAGES,
        digest_key: 'digest:T1C1:commune_committee:2026-11-23',
        last_error: null,
      });
      expect(smtp.messages).toHaveLength(1);
      const mail = smtp.messages[0];
      expect(mail.subject).toBe(
        '[rasoat] Tổng hợp nhắc việc ngày 23/11/2026 — Ban Chỉ đạo Xã T1C1: 2.000 thôn quá hạn bước “Bước 3: Họp dân thống nhất kết quả rà soát” / daily digest: 2,000 villages overdue on step "meeting"',
      );
      expect(mail.messageId).toBe(`<delivery-${delivery.id}@rasoat.local>`);
      expect(mail.headers.get('x-rasoat-delivery')).toBe(delivery.id);
      expect(mail.from?.text).toContain('no-reply@rasoat.local');
      expect((mail.to as { text: string }).text).toBe('bcd.t1c1@example.gov.vn');
      const text = mail.text ?? '';
      expect(text).toContain('Daily digest for 2026-11-23');
      expect(text).toContain('2.000 thông báo mới (2.000 chưa đọc)');
      expect(text).toContain('2,000 new notifications');
      expect(text).toContain(
        'Bước / step: Bước 3: Họp dân thống nhất kết quả rà soát (meeting) · Hạn / due: 20/11/2026',
      );
      const firstCase = (await sql<{ id: string }>(`select id from review_case where village_code = 'T1C1X0001'`))[0]
        .id;
      expect(text).toContain(`- Thôn Thử 1 (T1C1X0001): https://rasoat.example.gov.vn/cases/${firstCase}`);
      expect(text.match(/https:\/\/rasoat\.example\.gov\.vn\/cases\//g)).toHaveLength(5);
      expect(text).toContain('… và 1.995 thôn khác / and 1,995 more');
      expect(text).not.toContain('Hôm trước');
      expect(text).not.toContain('Hôm sau');
      expect(mail.html).toContain(
        `<a href="https://rasoat.example.gov.vn/cases/${firstCase}">Thôn Thử 1 (T1C1X0001)</a>`,
      );
    });

    it('signs the webhook: the HMAC of "<timestamp>.<body>" verifies with the subscription secret', async () => {
      const request = await eventually(
        async () => receiver.requests.find((r) => r.path === '/ok'),
        15_000,
        'the webhook to arrive',
      );
      const delivery = await deliveryOf(`${receiver.url}/ok`);
      expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
      expect(request.headers['x-rasoat-delivery']).toBe(delivery.id);
      expect(request.headers['x-rasoat-timestamp']).toBe(String(Math.floor(DIGEST_TIME.getTime() / 1000)));
      expect(request.headers['x-rasoat-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      const headers = {
        timestamp: request.headers['x-rasoat-timestamp'] as string,
        signature: request.headers['x-rasoat-signature'] as string,
      };
      expect(verifyWebhook(secret, headers, request.body)).toBe(true);
      expect(verifyWebhook('some-other-secret-entirely', headers, request.body)).toBe(false);
      expect(verifyWebhook(secret, headers, request.body.replace('2000', '2001'))).toBe(false);
      const payload = JSON.parse(request.body);
      expect(payload).toMatchObject({
        type: 'notification.digest',
        deliveryId: delivery.id,
        unitCode: 'T1C1',
        role: COMMITTEE,
        date: '2026-11-23',
        notificationCount: VILLAGES,
      });
      expect(payload.groups).toHaveLength(1);
      expect(payload.groups[0]).toMatchObject({
        template: 'step-overdue',
        step: 'meeting',
        dueDate: '2026-11-20',
        count: VILLAGES,
        villages: VILLAGES,
      });
      expect(payload.groups[0].items).toHaveLength(5);
      expect(receiver.requests.filter((r) => r.path === '/ok')).toHaveLength(1);
    });

    it('retries a receiver that fails twice, then delivers once, recording the attempts', async () => {
      const delivery = await eventually(
        async () => {
          const d = await deliveryOf(`${receiver.url}/flaky`);
          return d?.status === 'sent' ? d : undefined;
        },
        15_000,
        'the flaky webhook to succeed',
      );
      expect(delivery).toMatchObject({ attempts: 3, last_error: null });
      const calls = receiver.requests.filter((r) => r.path === '/flaky');
      expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
      expect(new Set(calls.map((c) => c.headers['x-rasoat-delivery']))).toEqual(new Set([delivery.id]));
    });

    it('makes a delivery dead after the last attempt and lists it as a dead letter, in scope only', async () => {
      const delivery = await eventually(
        async () => {
          const d = await deliveryOf(`${receiver.url}/down`);
          return d?.status === 'dead' ? d : undefined;
        },
        15_000,
        'the failing webhook to be dead',
      );
      expect(delivery.attempts).toBe(3);
      expect(delivery.last_error).toContain('503');
      expect(receiver.requests.filter((r) => r.path === '/down')).toHaveLength(3);
      await queueIdle(); // the other three are sent

      const national = await call('GET', '/api/admin/deliveries?status=dead', token('national_admin', 'VN'));
      expect(national.status).toBe(200);
      const dead = await json(national);
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        id: delivery.id,
        unitCode: 'T2C1',
        channel: 'webhook',
        status: 'dead',
        attempts: 3,
        digestKey: 'digest:T2C1:commune_committee:2026-11-23',
      });
      expect(dead[0].lastError).toContain('503');
      expect(await json(await call('GET', '/api/admin/deliveries?status=dead', token('province_admin', 'T1')))).toEqual(
        [],
      );
      expect(
        (await json(await call('GET', '/api/admin/deliveries?status=sent', token('province_admin', 'T1')))).length,
      ).toBe(3);
      expect((await call('GET', '/api/admin/deliveries?status=dead', token('commune_committee', 'T2C1'))).status).toBe(
        403,
      );
      expect(
        (await call('POST', `/api/admin/deliveries/${delivery.id}/retry`, token('province_admin', 'T1'))).status,
      ).toBe(403);
    });

    it('is idempotent: building again and re-running delivery jobs send no second e-mail; a new subscriber gets the digest once', async () => {
      await queueIdle();
      const again = await engine.get(DigestService).buildDigests(engine.clock.now());
      expect(again).toEqual({ date: '2026-11-23', digestsCreated: 0, deliveryIds: [] });
      const sent = await deliveryOf('bcd.t1c1@example.gov.vn');
      expect(await engine.get(DeliveryService).deliver(sent.id, { final: false })).toEqual({ status: 'already-sent' });
      await engine.get(NotificationsProducer).deliver([sent.id, (await deliveryOf(`${receiver.url}/ok`)).id]);
      await queueIdle();
      expect(smtp.messages).toHaveLength(1);
      expect(receiver.requests.filter((r) => r.path === '/ok')).toHaveLength(1);
      expect(await sql(`select count(*)::int as n from notification_delivery`)).toEqual([{ n: 4 }]);

      await call('POST', '/api/admin/subscriptions', token('province_admin', 'T1'), {
        unitCode: 'T1C1',
        role: COMMITTEE,
        channel: 'email',
        address: 'pho.bcd.t1c1@example.gov.vn',
      });
      const late = await engine.get(DigestService).buildDigests(engine.clock.now());
      expect(late.digestsCreated).toBe(0);
      expect(late.deliveryIds).toHaveLength(1);
      await eventually(async () => smtp.messages.length === 2, 15_000, 'the late subscriber’s e-mail');
      await queueIdle();
      expect(smtp.messages.map((m) => (m.to as { text: string }).text).sort()).toEqual([
        'bcd.t1c1@example.gov.vn',
        'pho.bcd.t1c1@example.gov.vn',
      ]);
      expect(smtp.messages[1].subject).toBe(smtp.messages[0].subject);
    });

    it('puts a dead delivery back in the queue on request, once the receiver is fixed', async () => {
      await queueIdle(); // the failing webhook is dead, the others are sent
      const dead = await deliveryOf(`${receiver.url}/down`);
      const res = await call('POST', `/api/admin/deliveries/${dead.id}/retry`, token('national_admin', 'VN'));
      expect(res.status).toBe(202);
      // Still failing: three more attempts, dead again.
      await eventually(
        async () => receiver.requests.filter((r) => r.path === '/down').length === 6,
        15_000,
        'three more attempts',
      );
      await eventually(async () => (await deliveryOf(`${receiver.url}/down`)).status === 'dead', 15_000, 'dead again');
      expect((await deliveryOf(`${receiver.url}/down`)).attempts).toBe(6);
      const sent = await deliveryOf('bcd.t1c1@example.gov.vn');
      expect((await call('POST', `/api/admin/deliveries/${sent.id}/retry`, token('national_admin', 'VN'))).status).toBe(
        409,
      );
    });

    it('starts the next digest where the previous one ended, and keeps the daily scheduler at the configured hour', async () => {
      await addLateSubscriber(); // two e-mails of 23 Nov sent, two subscribers for 24 Nov
      engine.clock.set(new Date('2026-11-25T00:30:00Z'));
      const next = await engine.get(DigestService).buildDigests(engine.clock.now());
      expect(next.date).toBe('2026-11-24');
      expect(next.digestsCreated).toBe(1); // only T1C1 had a notification on 24 Nov
      const [digest] = await sql<{ key: string; notification_count: number; period_start: Date }>(
        `select key, notification_count, period_start from notification_digest where digest_date = '2026-11-24'`,
      );
      expect(digest).toMatchObject({ key: 'digest:T1C1:commune_committee:2026-11-24', notification_count: 1 });
      expect(new Date(digest.period_start).toISOString()).toBe('2026-11-23T17:00:00.000Z');
      await eventually(async () => smtp.messages.length === 4, 15_000, 'the next day’s e-mails');
      expect(smtp.messages[3].subject).toContain('ngày 24/11/2026');

      await engine.get(NotificationsProducer).ensureDigestSchedule(7);
      const scheduler = await queue().getJobScheduler(DIGEST_SCHEDULER_ID);
      expect(scheduler).toMatchObject({ name: JobName.BuildDigests, pattern: '0 7 * * *', tz: 'Asia/Ho_Chi_Minh' });
      expect(new Date(Number(scheduler?.next)).getUTCHours()).toBe(0); // 07:00 in Hà Nội
      await queue().removeJobScheduler(DIGEST_SCHEDULER_ID);
    });
  });

  describe('the in-app inbox API', () => {
    it('lists the caller’s unit and role’s notifications, newest first, with the unread count and pages', async () => {
      const official = token(COMMITTEE, 'T1C1');
      const res = await call('GET', '/api/notifications?limit=10', official);
      expect(res.status).toBe(200);
      const page = await json(res);
      expect(page).toMatchObject({ unitCode: 'T1C1', role: COMMITTEE, unreadCount: VILLAGES + 2 });
      expect(page.items).toHaveLength(10);
      expect(page.items[0].title).toBe('Hôm sau');
      expect(page.items[1]).toMatchObject({ template: 'step-overdue', title: STEP_TITLE, readAt: null });
      expect(page.items[1].link).toBe(`https://rasoat.example.gov.vn/cases/${page.items[1].caseId}`);
      const next = await json(await call('GET', `/api/notifications?limit=10&before=${page.nextBefore}`, official));
      expect(next.items).toHaveLength(10);
      const ids = new Set([...page.items, ...next.items].map((i: { id: string }) => i.id));
      expect(ids.size).toBe(20);
      const old = await json(await call('GET', '/api/notifications?before=2026-11-23T00:00:00Z', official));
      expect(old.items.map((i: { title: string }) => i.title)).toEqual(['Hôm trước']);
      expect((await call('GET', '/api/notifications?before=yesterday', official)).status).toBe(400);
    });

    it('marks one read, then all, and keeps each recipient to its own inbox (T1C1 cannot read T1C2)', async () => {
      engine.clock.set(new Date('2026-11-25T00:30:00Z'));
      const official = token(COMMITTEE, 'T1C1');
      const neighbour = token(COMMITTEE, 'T1C2');
      const [first] = (await json(await call('GET', '/api/notifications?limit=1', official))).items;
      const read = await call('POST', `/api/notifications/${first.id}/read`, official);
      expect(read.status).toBe(200);
      expect((await json(read)).readAt).toBe('2026-11-25T00:30:00.000Z'); // the clock's time
      const unread = await json(await call('GET', '/api/notifications?unread=true&limit=200', official));
      expect(unread.unreadCount).toBe(VILLAGES + 1);
      expect(unread.items.map((i: { id: string }) => i.id)).not.toContain(first.id);

      const t1c2 = await json(await call('GET', '/api/notifications', neighbour));
      expect(t1c2).toMatchObject({ unitCode: 'T1C2', unreadCount: 3 });
      const other = await call('POST', `/api/notifications/${first.id}/read`, neighbour);
      expect(other.status).toBe(403);
      expect((await json(other)).error.code).toBe('AUTH_OUT_OF_SCOPE');
      expect((await call('GET', '/api/notifications?unit=T1C1', neighbour)).status).toBe(403);
      expect((await call('POST', '/api/notifications/read-all?unit=T1C1', neighbour)).status).toBe(403);
      // Same unit, another role: another inbox.
      expect(
        (await call('GET', '/api/notifications?role=commune_committee', token('commune_chairman', 'T1C1'))).status,
      ).toBe(403);
      expect(await json(await call('GET', '/api/notifications', token('commune_chairman', 'T1C1')))).toMatchObject({
        unreadCount: 0,
        items: [],
      });
      // A province committee does not see its communes' inboxes either.
      expect(
        (await call('GET', '/api/notifications?unit=T1C1&role=commune_committee', token('province_committee', 'T1')))
          .status,
      ).toBe(403);
      expect(
        (await call('POST', '/api/notifications/00000000-0000-4000-8000-000000000000/read', official)).status,
      ).toBe(404);
      expect((await call('GET', '/api/notifications')).status).toBe(401);

      const national = await json(
        await call(
          'GET',
          '/api/notifications?unit=T1C1&role=commune_committee&unread=true&limit=1',
          token('national_admin', 'VN'),
        ),
      );
      expect(national).toMatchObject({ unitCode: 'T1C1', unreadCount: VILLAGES + 1 });
      const all = await call('POST', '/api/notifications/read-all', official);
      expect(all.status).toBe(200);
      expect(await json(all)).toEqual({ unitCode: 'T1C1', role: COMMITTEE, marked: VILLAGES + 1 });
      expect((await json(await call('GET', '/api/notifications?limit=1', official))).unreadCount).toBe(0);
      expect((await json(await call('GET', '/api/notifications', neighbour))).unreadCount).toBe(3);
    });
  });
});

describe('webhook addresses checked again at each delivery (DNS may answer otherwise than at subscription)', () => {
  let engine: Engine;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    engine = await startTestEngine({
      worker: false,
      start: DIGEST_TIME,
      config: { 'notifications.allowHttpWebhooks': true, 'notifications.webhookAllowedHosts': ['127.0.0.1'] },
    });
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
    await receiver?.stop();
  });

  it('fails a delivery whose host now resolves to a loopback address, naming it, and never calls it; an allowed host is called', async () => {
    const sql: Sql = (q, p = []) =>
      engine
        .get(EntityManager)
        .fork()
        .execute(q, p as never[]);
    const port = new URL(receiver.url).port;
    // Subscribed while the name resolved to a public address; it resolves to loopback now (a DNS
    // rebinding). `localhost` plays that name: it is not the allowed host 127.0.0.1.
    const [rebound] = await sql<{ id: string }>(
      `insert into notification_subscription (id, unit_code, role, channel, address, secret, created_at, created_by, active)
       values (gen_random_uuid(), 'T1C1', ?, 'webhook', ?, 'rebinding-test-secret-0001', ?, 'test', true) returning id`,
      [COMMITTEE, `http://localhost:${port}/ok`, DAY],
    );
    const [allowed] = await sql<{ id: string }>(
      `insert into notification_subscription (id, unit_code, role, channel, address, secret, created_at, created_by, active)
       values (gen_random_uuid(), 'T1C1', ?, 'webhook', ?, 'rebinding-test-secret-0002', ?, 'test', true) returning id`,
      [COMMITTEE, `${receiver.url}/ok`, DAY],
    );
    const key = 'digest:T1C1:commune_committee:2026-11-23';
    await sql(
      `insert into notification_digest (key, unit_code, role, digest_date, period_start, period_end, notification_count, subject, body_text, body_html, groups, created_at)
       values (?, 'T1C1', ?, '2026-11-23', '2026-11-22T17:00:00Z', '2026-11-23T17:00:00Z', 1, 'Tổng hợp', 'x', '<p>x</p>', '[]'::jsonb, ?)`,
      [key, COMMITTEE, DIGEST_TIME],
    );
    const deliveries = await sql<{ id: string; subscription_id: string }>(
      `insert into notification_delivery (id, subscription_id, digest_key, notification_count, subject, body_text, body_html, status, attempts, created_at)
       select gen_random_uuid(), s, ?, 1, 'Tổng hợp', 'x', null, 'pending', 0, ? from unnest(array[?, ?]::uuid[]) s returning id, subscription_id`,
      [key, DIGEST_TIME, rebound.id, allowed.id],
    );
    const deliveryOf = (subscription: string) =>
      deliveries.find((d) => d.subscription_id === subscription)?.id as string;

    const refused = await engine.get(DeliveryService).deliver(deliveryOf(rebound.id), { final: true });
    expect(refused).toMatchObject({
      status: 'failed',
      dead: true,
      error: expect.stringMatching(
        /localhost → (127\.0\.0\.1|::1) is a loopback address: refused unless an operator allows the host/,
      ),
    });
    expect(
      await sql(`select status, last_error from notification_delivery where id = ?`, [deliveryOf(rebound.id)]),
    ).toEqual([{ status: 'dead', last_error: (refused as { error: string }).error }]);
    expect(await engine.get(DeliveryService).deliver(deliveryOf(allowed.id), { final: true })).toEqual({
      status: 'sent',
      attempts: 1,
    });
    expect(receiver.requests.map((r) => r.headers['x-rasoat-delivery'])).toEqual([deliveryOf(allowed.id)]);
  });
});

describe('notification delivery without an SMTP relay (the embedded default)', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startTestEngine({ worker: true, start: DAY });
  });
  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('keeps e-mail deliveries pending, without an error loop, when the scheduled digest job runs; the first digest covers the days since subscribing', async () => {
    expect(engine.config.notifications.smtpUrl).toBeUndefined();
    const sql: Sql = (q, p = []) =>
      engine
        .get(EntityManager)
        .fork()
        .execute(q, p as never[]);
    await sql(
      `insert into notification_subscription (id, unit_code, role, channel, address, created_at, created_by, active)
       values (gen_random_uuid(), 'T1C1', ?, 'email', 'bcd@example.gov.vn', '2026-11-21T03:00:00Z', 'test', true)`,
      [COMMITTEE],
    );
    // 5 on 23 Nov and 2 on 22 Nov (after subscribing on 21 Nov), 1 on 20 Nov (before).
    for (const [count, at] of [
      [5, DAY],
      [2, new Date('2026-11-22T02:00:00Z')],
      [1, new Date('2026-11-20T02:00:00Z')],
    ] as const) {
      await sql(
        `insert into notification (id, dedupe_key, unit_code, role, template, title, body, case_id, created_at)
         select gen_random_uuid(), 'test:' || ? || ':' || g, 'T1C1', ?, 'step-overdue', 'Quá hạn', 'x', null, ? from generate_series(1, ?) g`,
        [at.toISOString(), COMMITTEE, at, count],
      );
    }
    engine.clock.set(DIGEST_TIME);
    const queue = engine.app.get<Queue>(getQueueToken(QueueName.Notifications));
    await queue.add(JobName.BuildDigests, {});
    const delivery = await eventually(
      async () =>
        (
          await sql<{ id: string; status: string; attempts: number }>(
            `select id, status, attempts from notification_delivery`,
          )
        )[0],
      15_000,
      'the digest job to create the delivery',
    );
    await eventually(
      async () => Object.values(await queue.getJobCounts('waiting', 'active', 'delayed')).every((n) => n === 0),
      15_000,
      'the queue to drain',
    );
    expect(await sql(`select status, attempts, last_error, notification_count from notification_delivery`)).toEqual([
      { status: 'pending', attempts: 0, last_error: null, notification_count: 7 },
    ]);
    const [digest] = await sql<{ period_start: Date }>(`select period_start from notification_digest`);
    expect(new Date(digest.period_start).toISOString()).toBe('2026-11-20T17:00:00.000Z'); // 00:00 on 21 Nov in Hà Nội
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });
    expect(await engine.get(DeliveryService).deliver(delivery.id, { final: true })).toEqual({ status: 'no-transport' });
  });
});

describe('daily digests built set-based: cost per recipient with notifications, once under concurrency', () => {
  let engine: Engine;
  let sql: Sql;
  const SUBSCRIBED = 1000; // (unit, role) pairs with an active subscription …
  const NOTIFIED = 250; // … of which these have notifications (every 4th unit)
  const EMAILS = 25; // second subscriptions (every 40th unit)

  beforeEach(async () => {
    engine = await startTestEngine({ worker: false, start: DAY });
    sql = (q, p = []) =>
      engine
        .get(EntityManager)
        .fork()
        .execute(q, p as never[]);
    await sql(
      `insert into notification_subscription (id, unit_code, role, channel, address, created_at, created_by, active)
       select gen_random_uuid(), 'D' || lpad(i::text, 4, '0'), ?, 'webhook', 'https://hooks.example.gov.vn/' || i, '2026-11-01T00:00:00Z', 'test', true
       from generate_series(1, ?) i`,
      [COMMITTEE, SUBSCRIBED],
    );
    // A second (e-mail) subscription for every 40th unit (25, all of them notified).
    await sql(
      `insert into notification_subscription (id, unit_code, role, channel, address, created_at, created_by, active)
       select gen_random_uuid(), 'D' || lpad(i::text, 4, '0'), ?, 'email', 'bcd' || i || '@example.gov.vn', '2026-11-01T00:00:00Z', 'test', true
       from generate_series(40, ?, 40) i`,
      [COMMITTEE, SUBSCRIBED],
    );
    // Two days of notifications for the notified units (1 + i % 3 each day).
    for (const at of [DAY, new Date('2026-11-24T02:00:00Z')]) {
      await sql(
        `insert into notification (id, dedupe_key, unit_code, role, template, title, body, case_id, created_at)
         select gen_random_uuid(), 'test:' || ? || ':' || i || ':' || k, 'D' || lpad(i::text, 4, '0'), ?, 'step-overdue', 'Quá hạn', 'x', null, ?
         from generate_series(4, ?, 4) i, generate_series(1, 3) k where k <= 1 + i % 3`,
        [at.toISOString(), COMMITTEE, at, SUBSCRIBED],
      );
    }
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await engine?.close();
    await engine?.dropDatabase();
  });

  const count = async (table: string, where = 'true') =>
    (await sql<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`))[0].n;

  it('builds digests only for the recipients with notifications, in one transaction per 200 of them', async () => {
    const transactional = jest.spyOn(EntityManager.prototype, 'transactional');
    engine.clock.set(DIGEST_TIME);
    const run = await engine.get(DigestService).buildDigests(engine.clock.now());
    expect(transactional).toHaveBeenCalledTimes(Math.ceil(NOTIFIED / 200));
    transactional.mockRestore();
    expect(run).toMatchObject({ date: '2026-11-23', digestsCreated: NOTIFIED });
    expect(run.deliveryIds).toHaveLength(NOTIFIED + EMAILS);
    expect(await count('notification_digest')).toBe(NOTIFIED);
    expect(await count('notification_digest', `right(unit_code, 4)::int % 4 <> 0`)).toBe(0);
    expect(await count('notification_delivery')).toBe(NOTIFIED + EMAILS);
    const [sample] = await sql<{ notification_count: number; period_start: Date }>(
      `select notification_count, period_start from notification_digest where unit_code = 'D0008'`,
    );
    expect(sample.notification_count).toBe(3); // 1 + 8 % 3
    expect(new Date(sample.period_start).toISOString()).toBe('2026-10-31T17:00:00.000Z'); // since subscribing on 1 Nov

    const again = await engine.get(DigestService).buildDigests(engine.clock.now());
    expect(again).toEqual({ date: '2026-11-23', digestsCreated: 0, deliveryIds: [] });
    expect(await count('notification_digest')).toBe(NOTIFIED);
    expect(await count('notification_delivery')).toBe(NOTIFIED + EMAILS);
  });

  it('creates each digest and each delivery once when two runs build the same day concurrently', async () => {
    engine.clock.set(DIGEST_TIME);
    await engine.get(DigestService).buildDigests(engine.clock.now()); // the 23 Nov digests
    engine.clock.set(new Date('2026-11-25T00:30:00Z'));
    const [a, b] = await Promise.all([
      engine.get(DigestService).buildDigests(engine.clock.now()),
      engine.get(DigestService).buildDigests(engine.clock.now()),
    ]);
    expect(a.date).toBe('2026-11-24');
    expect(a.digestsCreated + b.digestsCreated).toBe(NOTIFIED);
    const ids = [...a.deliveryIds, ...b.deliveryIds];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(NOTIFIED + EMAILS);
    expect(await count('notification_digest', `digest_date = '2026-11-24'`)).toBe(NOTIFIED);
    expect(await count('notification_delivery', `digest_key like '%:2026-11-24'`)).toBe(NOTIFIED + EMAILS);
    const [digest] = await sql<{ notification_count: number; period_start: Date }>(
      `select notification_count, period_start from notification_digest where key = 'digest:D0008:commune_committee:2026-11-24'`,
    );
    expect(digest.notification_count).toBe(3);
    expect(new Date(digest.period_start).toISOString()).toBe('2026-11-23T17:00:00.000Z'); // where the 23 Nov digest ended
  });
});
