import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken } from '@rasoat/engine';
import { acceptsConnection, eventually, startTestEngine, type TestEngine } from '@rasoat/testing';

const ROOT = resolve(__dirname, '..');
const METRICS_TOKEN = 'worker-observability-metrics-token';
const PII = { name: 'Lường Văn Khuzzy', idNumber: '014098007766' };

/**
 * The production worker entry point in its own process: JSON log lines on stdout (LOG_FORMAT=json)
 * with the case id while draining and no payload, and its counters on the optional metrics
 * listener (WORKER_METRICS_PORT; 0 = any free port, announced in the log).
 */
describe('worker process: JSON logs and the metrics listener', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let worker: ChildProcess;
  let caseId: string;
  let village: string;
  let out = '';
  let err = '';
  const stdoutLines = () => out.split('\n').filter((l) => l.trim() !== '');
  const entries = () => stdoutLines().map((l) => JSON.parse(l) as Record<string, any>);
  let metricsUrl: string;

  beforeAll(async () => {
    // This process serves HTTP and accepts events; the worker process applies them.
    engine = await startTestEngine({ http: true, worker: false });
    await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-14',
      },
      SYSTEM_ACTOR,
    );
    const progress = (await (
      await fetch(`${engine.baseUrl}/api/progress?unit=T1C1`, {
        headers: {
          authorization: `Bearer ${signToken({ sub: 'c', role: 'commune_committee', unit: 'T1C1' }, engine.config.jwtSecret, engine.clock.now())}`,
        },
      })
    ).json()) as { children: { code: string; caseId: string }[] };
    caseId = progress.children[0].caseId;
    village = progress.children[0].code;
    worker = spawn(process.execPath, [resolve(ROOT, 'scripts/run.js'), 'apps/worker/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_FORMAT: 'json',
        WORKER_METRICS_PORT: '0',
        METRICS_TOKEN,
        DATABASE_URL: engine.config.databaseUrl,
        REDIS_URL: engine.config.redisUrl,
        QUEUE_PREFIX: engine.config.queuePrefix,
        JWT_SECRET: engine.config.jwtSecret,
        DEMO_SEED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    worker.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const announced = await eventually(
      async () => {
        if (worker.exitCode !== null) throw new Error(`worker exited (${worker.exitCode}): ${err}`);
        return /worker metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(out)?.[1];
      },
      60_000,
      'the worker metrics listener',
    );
    metricsUrl = `http://127.0.0.1:${announced}/metrics`;
  }, 90_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
    await engine?.close();
    await engine?.dropDatabase();
  });

  it('writes only JSON lines on stdout, with time, level, context, msg and pid', () => {
    const lines = entries();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toEqual(
        expect.objectContaining({
          time: expect.any(String),
          level: expect.any(String),
          msg: expect.any(String),
          pid: worker.pid,
        }),
      );
    }
    expect(lines.find((l) => l.context === 'rasoat' && /^worker started/.test(l.msg))).toBeDefined();
  });

  it('applies events, counts them on its own /metrics, and logs the drain with the case id but not the payload', async () => {
    const board = signToken(
      { sub: 'b', role: 'village_board', unit: village },
      engine.config.jwtSecret,
      engine.clock.now(),
    );
    const submit = (type: string, data: Record<string, unknown>, key: string) =>
      fetch(`${engine.baseUrl}/api/cases/${caseId}/events?wait=20000`, {
        method: 'POST',
        headers: { authorization: `Bearer ${board}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ type, data }),
      });
    expect(
      (
        await submit(
          'REVIEW_LIST_SUBMITTED',
          { householdCount: 2, fromPreviousLists: 1, newlyArising: 1, requests: 0 },
          'worker-obs-list',
        )
      ).status,
    ).toBe(200);
    expect(
      (await submit('SURVEY_COMPLETED', { householdsSurveyed: 2, poorCount: 1, nearPoorCount: 0 }, 'worker-obs-survey'))
        .status,
    ).toBe(200);
    const meeting = await submit(
      'MEETING_HELD',
      {
        date: '2026-09-02',
        chair: `${PII.name} (CCCD ${PII.idNumber})`,
        attendees: 10,
        opinionsGiven: 8,
        householdsPut: 2,
        householdsAgreed: 2,
      },
      'worker-obs-meeting',
    );
    expect([200, 422]).toContain(meeting.status);

    const text = await (await fetch(metricsUrl)).text();
    const applied = Number(/^rasoat_events_applied_total\{outcome="applied"\} (\d+)$/m.exec(text)?.[1]);
    const rejected = Number(/^rasoat_events_applied_total\{outcome="rejected"\} (\d+)$/m.exec(text)?.[1]);
    expect(applied + rejected).toBe(3);
    expect(applied).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^rasoat_event_apply_seconds_count [1-3]$/m);
    expect(text).toContain('process_resident_memory_bytes');
    // Shared-state gauges come from the API's /metrics only, not from every worker.
    expect(text).not.toContain('rasoat_queue_jobs');

    const drained = await eventually(
      async () =>
        entries().filter(
          (l) => l.context === 'CaseEventsProcessor' && l.caseId === caseId && l.msg === 'case events processed',
        ),
      10_000,
      'drain log lines',
    );
    expect(drained.length).toBeGreaterThan(0);
    for (const value of Object.values(PII)) {
      expect(out).not.toContain(value);
      expect(err).not.toContain(value);
    }
  });

  it('binds its metrics listener to HOST (127.0.0.1 by default), not to every interface', async () => {
    const port = Number(new URL(metricsUrl).port);
    // Another loopback address reaches a listener on 0.0.0.0, never one bound to 127.0.0.1.
    expect(await acceptsConnection('127.0.0.2', port)).toBe(false);
    expect(await acceptsConnection('127.0.0.1', port)).toBe(true);
  });

  it('serves its metrics to loopback and to the METRICS_TOKEN bearer only, and nothing else', async () => {
    expect((await fetch(metricsUrl, { headers: { 'x-forwarded-for': '198.51.100.4' } })).status).toBe(401);
    expect(
      (
        await fetch(metricsUrl, {
          headers: { 'x-forwarded-for': '198.51.100.4', authorization: `Bearer ${METRICS_TOKEN}` },
        })
      ).status,
    ).toBe(200);
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
  });
});
