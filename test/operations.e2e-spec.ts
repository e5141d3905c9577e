import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken, TokenAudience } from '@rasoat/engine';
import { ARMED_DEADLINES_SQL } from '@rasoat/http-api';
import { ALL_LOG_LEVELS, StructuredLogger } from '@rasoat/observability';
import { eventually, startTestEngine, type TestEngine } from '@rasoat/testing';

// Response bodies are read loosely here; their shape is what the assertions check.
const json = (res: Response): Promise<any> => res.json();

const METRICS_TOKEN = 'operations-test-metrics-token';
/** Personal data a household complaint could carry: none of it may reach a log line. */
const PII = {
  name: 'Quàng Thị Xuyếnzz',
  idNumber: '038199001234',
  address: 'số 12 ngõ Hoa Sữa',
  householdRef: 'HO-ZZQ-7781',
};

/** The value of one sample of the text exposition format (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * Operations, end to end on real PostgreSQL and Redis, with the worker in the same process:
 * Prometheus metrics, the queue dashboard behind admin auth, JSON logs with request and case
 * ids, and no personal data in the logs.
 */
describe('operations: metrics, queue dashboard, structured logs', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let caseId: string;
  /** The village of `caseId`, where its village board acts. */
  let village: string;
  let campaignId: string;
  const lines: string[] = [];
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
  const token = (role: string, unit: string) =>
    signToken({ sub: `${role}@${unit}`, role: role as never, unit }, engine.config.jwtSecret, engine.clock.now());
  const call = (
    method: string,
    path: string,
    options: { bearer?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${engine.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  const scrape = async () => {
    const res = await call('GET', '/metrics');
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    engine = await startTestEngine({ http: true, config: { metricsToken: METRICS_TOKEN } });
    // Every Nest logger of the application (HTTP, worker, engine) now writes JSON lines here.
    engine.http!.useLogger(
      new StructuredLogger({ format: 'json', levels: ALL_LOG_LEVELS, write: (line) => lines.push(line) }),
    );
    const started = await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-14',
      },
      SYSTEM_ACTOR,
    );
    campaignId = started.campaign.id;
    const progress = await json(
      await call('GET', '/api/progress?unit=T1C1', { bearer: token('commune_committee', 'T1C1') }),
    );
    caseId = progress.children[0].caseId;
    village = progress.children[0].code;
  });

  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  });

  describe('structured logs', () => {
    it('echoes the caller’s X-Request-Id and logs one JSON line for the request, with role and unit but no token', async () => {
      const bearer = token('village_board', village);
      const res = await call('GET', `/api/cases/${caseId}`, {
        bearer,
        headers: { 'x-request-id': 'ops-test-req-0001' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('ops-test-req-0001');
      const line = await eventually(
        async () => logs().find((l) => l.context === 'HTTP' && l.requestId === 'ops-test-req-0001'),
        5000,
        'the request log line',
      );
      expect(line).toMatchObject({
        level: 'info',
        method: 'GET',
        route: '/api/cases/:id',
        status: 200,
        role: 'village_board',
        unit: village,
        caseId,
        pid: process.pid,
      });
      expect(typeof line.durationMs).toBe('number');
      expect(new Date(line.time).toISOString()).toBe(line.time);
      expect(lines.join('\n')).not.toContain(bearer);
    });

    it('gives a request without an id a new one, and replaces an unusable one', async () => {
      const res = await call('GET', '/health');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const odd = await call('GET', '/api/calendar/2026', {
        bearer: token('village_board', village),
        headers: { 'x-request-id': 'bad id with spaces {}' },
      });
      const id = odd.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await eventually(
        async () => logs().find((l) => l.context === 'HTTP' && l.requestId === id),
        5000,
        'the log line of the replaced id',
      );
    });

    it('carries the request id into the log lines of the services serving the request', async () => {
      const res = await call('PATCH', `/api/campaigns/${campaignId}/window`, {
        bearer: token('province_admin', 'T1'),
        headers: { 'x-request-id': 'ops-window-1' },
        body: { windowStart: '2026-09-01', windowEnd: '2026-12-14', reason: 'kiểm tra nhật ký' },
      });
      expect(res.status).toBe(200);
      const line = await eventually(
        async () => logs().find((l) => l.context === 'CampaignsService' && l.requestId === 'ops-window-1'),
        5000,
        'the service log line',
      );
      expect(line.msg).toContain(`campaign ${campaignId}: window`);
    });

    it('puts the request id in error bodies and their log line', async () => {
      const res = await call('GET', `/api/cases/${caseId}`, { headers: { 'x-request-id': 'ops-test-unauth-1' } });
      expect(res.status).toBe(401);
      expect((await json(res)).requestId).toBe('ops-test-unauth-1');
      const line = await eventually(
        async () => logs().find((l) => l.context === 'HTTP' && l.requestId === 'ops-test-unauth-1'),
        5000,
        'the 401 log line',
      );
      expect(line.status).toBe(401);
      expect(line.role).toBeUndefined();
    });
  });

  describe('metrics and the drain', () => {
    it('counts applied and rejected events, logs the drain with the case id, and never logs the payload', async () => {
      const before = await scrape();
      const board = token('village_board', village);
      const listed = await call('POST', `/api/cases/${caseId}/events?wait=10000`, {
        bearer: board,
        headers: { 'idempotency-key': 'ops-list-1', 'x-request-id': 'ops-submit-1' },
        body: {
          type: 'REVIEW_LIST_SUBMITTED',
          data: { householdCount: 4, fromPreviousLists: 3, newlyArising: 1, requests: 0 },
        },
      });
      expect(listed.status).toBe(200);
      // A complaint naming a household: valid for the form, refused by the process at this step.
      const complaint = await call(
        'POST',
        `/api/cases/${caseId}/events?wait=10000&note=${encodeURIComponent(PII.name)}`,
        {
          bearer: token('commune_committee', 'T1C1'),
          headers: { 'idempotency-key': 'ops-complaint-1' },
          body: {
            type: 'COMPLAINT_FILED',
            data: {
              householdRef: PII.householdRef,
              summary: `Hộ bà ${PII.name}, CCCD ${PII.idNumber}, ${PII.address}`,
            },
          },
        },
      );
      expect([200, 422]).toContain(complaint.status);
      const outcome = complaint.status === 200 ? 'applied' : 'rejected';
      // A bad payload with the same data is refused before anything is written (400).
      const bad = await call('POST', `/api/cases/${caseId}/events`, {
        bearer: board,
        body: { type: 'REVIEW_LIST_SUBMITTED', data: { householdCount: PII.name } },
      });
      expect(bad.status).toBe(400);

      const after = await scrape();
      const applied = 'rasoat_events_applied_total{outcome="applied"}';
      const rejected = 'rasoat_events_applied_total{outcome="rejected"}';
      expect(sample(after, applied) - sample(before, applied)).toBe(outcome === 'applied' ? 2 : 1);
      expect(sample(after, rejected) - sample(before, rejected)).toBe(outcome === 'rejected' ? 1 : 0);
      expect(sample(after, 'rasoat_event_apply_seconds_count')).toBeGreaterThanOrEqual(
        sample(before, 'rasoat_event_apply_seconds_count') + 2,
      );
      for (const name of [
        'rasoat_events_applied_total',
        'rasoat_event_apply_seconds_bucket',
        'rasoat_queue_jobs',
        'rasoat_deadlines_armed',
        'process_cpu_user_seconds_total',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(after).toContain(`\n${name}`);
      }
      for (const name of ['rasoat_alarms_rung_total', 'rasoat_notification_deliveries_total'])
        expect(after).toContain(`# TYPE ${name} counter`);
      for (const queue of ['case-events', 'timers', 'notifications'])
        for (const state of ['waiting', 'active', 'delayed', 'failed'])
          expect(after).toContain(`rasoat_queue_jobs{queue="${queue}",state="${state}"}`);

      // The drain's log line carries the case id (and the job id) from the worker's log context.
      const drained = await eventually(
        async () => logs().find((l) => l.context === 'CaseEventsProcessor' && l.caseId === caseId),
        5000,
        'the drain log line',
      );
      expect(drained.msg).toBe('case events processed');
      expect(drained.jobId).toEqual(expect.any(String));
      // The request that submitted the event is logged with the case id of its route.
      expect(logs().find((l) => l.context === 'HTTP' && l.requestId === 'ops-submit-1')).toMatchObject({
        method: 'POST',
        route: '/api/cases/:id/events',
        status: 200,
        caseId,
      });

      const text = lines.join('\n');
      for (const value of Object.values(PII)) expect(text).not.toContain(value);
      expect(text).not.toContain('householdCount');
    });

    it('reports armed deadlines as counted in the database, with a query the partial index answers', async () => {
      const em = engine.get(EntityManager).fork();
      const [{ n }] = await em.execute<{ n: string }[]>(ARMED_DEADLINES_SQL);
      expect(Number(n)).toBeGreaterThan(0);
      expect(sample(await scrape(), 'rasoat_deadlines_armed')).toBe(Number(n));
      const plan = await em.transactional(async (tx) => {
        await tx.execute('set local enable_seqscan = off');
        return tx.execute<Record<string, string>[]>(`explain ${ARMED_DEADLINES_SQL}`);
      });
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('deadline_next_alarm_idx');
    });

    it('answers /metrics to loopback and to the METRICS_TOKEN bearer, not to a proxied caller without it', async () => {
      const proxied = await call('GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.7' } });
      expect(proxied.status).toBe(401);
      expect((await json(proxied)).error.code).toBe('METRICS_UNAUTHORIZED');
      expect(
        (
          await call('GET', '/metrics', {
            headers: { 'x-forwarded-for': '203.0.113.7', authorization: 'Bearer wrong-token-wrong-token' },
          })
        ).status,
      ).toBe(401);
      // A user's API token is not a metrics token.
      expect(
        (
          await call('GET', '/metrics', {
            bearer: token('national_admin', 'VN'),
            headers: { 'x-forwarded-for': '203.0.113.7' },
          })
        ).status,
      ).toBe(401);
      const withToken = await call('GET', '/metrics', {
        bearer: METRICS_TOKEN,
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      expect(withToken.status).toBe(200);
      expect(withToken.headers.get('content-type')).toContain('text/plain');
      expect(await withToken.text()).toContain('# TYPE rasoat_events_applied_total counter');
    });
  });

  describe('queue dashboard at /admin/queues', () => {
    it('refuses a request without a token (401) and a commune official (403)', async () => {
      const anonymous = await call('GET', '/admin/queues');
      expect(anonymous.status).toBe(401);
      expect((await json(anonymous)).error.code).toBe('AUTH_MISSING_TOKEN');
      expect((await call('GET', '/admin/queues/api/queues')).status).toBe(401);
      expect((await call('GET', '/admin/queues', { bearer: 'not.a.token' })).status).toBe(401);
      const official = await call('GET', '/admin/queues', { bearer: token('commune_committee', 'T1C1') });
      expect(official.status).toBe(403);
      expect((await json(official)).error.code).toBe('AUTH_ROLE_NOT_ALLOWED');
      // The cookie takes dashboard session tokens only: an official's session is still refused for the role.
      const session = signToken(
        { sub: 'commune_committee@T1C1', role: 'commune_committee', unit: 'T1C1', aud: TokenAudience.QueueDashboard },
        engine.config.jwtSecret,
        engine.clock.now(),
        900,
      );
      expect(
        (await call('GET', '/admin/queues/api/queues', { headers: { cookie: `rasoat_token=${session}` } })).status,
      ).toBe(403);
      expect(
        (
          await call('GET', '/admin/queues/api/queues', {
            headers: { cookie: `rasoat_token=${token('commune_committee', 'T1C1')}` },
          })
        ).status,
      ).toBe(401);
    });

    it('shows the three queues to a national admin with a bearer token', async () => {
      const admin = token('national_admin', 'VN');
      const page = await call('GET', '/admin/queues', { bearer: admin });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const api = await call('GET', '/admin/queues/api/queues', { bearer: admin });
      expect(api.status).toBe(200);
      const body = await json(api);
      expect(body.queues.map((q: { name: string }) => q.name).sort()).toEqual([
        'case-events',
        'notifications',
        'timers',
      ]);
      expect(body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode === false)).toBe(true);
    });

    it('opens a browser session: POST /api/admin/session sets a short HttpOnly SameSite=Strict cookie that the dashboard accepts', async () => {
      expect((await call('POST', '/api/admin/session')).status).toBe(401);
      expect((await call('POST', '/api/admin/session', { bearer: token('commune_committee', 'T1C1') })).status).toBe(
        403,
      );
      const res = await call('POST', '/api/admin/session', { bearer: token('national_admin', 'VN') });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ dashboard: '/admin/queues' });
      const setCookie = res.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^rasoat_token=[\w-]+\.[\w-]+\.[\w-]+; /);
      for (const attribute of ['Path=/admin/queues', 'Max-Age=900', 'HttpOnly', 'SameSite=Strict'])
        expect(setCookie).toContain(attribute);
      const cookie = setCookie.split(';')[0];
      const page = await call('GET', '/admin/queues', { headers: { cookie: `other=1; ${cookie}` } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      expect((await call('GET', '/admin/queues/api/queues', { headers: { cookie } })).status).toBe(200);
      // The cookie opens the dashboard only, not the API.
      expect((await call('GET', '/api/progress?unit=T1', { headers: { cookie } })).status).toBe(401);
      const closed = await call('DELETE', '/api/admin/session');
      expect(closed.status).toBe(204);
      expect(closed.headers.get('set-cookie')).toContain('Max-Age=0');
    });

    it('gives a province admin a read-only board', async () => {
      const provinceAdmin = token('province_admin', 'T1');
      const body = await json(await call('GET', '/admin/queues/api/queues', { bearer: provinceAdmin }));
      expect(body.queues).toHaveLength(3);
      expect(body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode === true)).toBe(true);
      const retry = await call('PUT', '/admin/queues/api/queues/case-events/retry/failed', { bearer: provinceAdmin });
      expect(retry.status).toBeGreaterThanOrEqual(400);
    });

    it('stops accepting the cookie when it expires (15 minutes)', async () => {
      const cookie = (
        (await call('POST', '/api/admin/session', { bearer: token('province_admin', 'T1') })).headers.get(
          'set-cookie',
        ) ?? ''
      ).split(';')[0];
      expect((await call('GET', '/admin/queues', { headers: { cookie } })).status).toBe(200);
      engine.clock.advance(16 * 60_000);
      const expired = await call('GET', '/admin/queues', { headers: { cookie } });
      expect(expired.status).toBe(401);
      expect((await json(expired)).error.code).toBe('AUTH_EXPIRED_TOKEN');
    });
  });
});
