import fc from 'fast-check';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { CampaignsService, signToken } from '@rasoat/engine';
import { startTestEngine, type TestEngine } from '@rasoat/testing';

// Property-based fuzzing of the HTTP API with valid tokens: every route of the OpenAPI document
// (plus the dashboard's, which it leaves out) gets generated requests — random JSON and broken
// JSON, odd content types, huge and unicode strings, path parameters that are not ids, random
// query strings. The API must never answer 500, and every error must be JSON with a code.
// A failure prints fast-check's seed and the request; re-run it with FUZZ_SEED=<seed>.
const SEED = Number(process.env.FUZZ_SEED ?? 20250901);
const BATCHES = Math.max(1, Math.round(100 * Number(process.env.FUZZ_RUNS_FACTOR ?? 1)));
const BATCH_SIZE = 10;

interface Route {
  method: string;
  /** Express-style template: `/api/cases/{id}/events`. */
  path: string;
  /** Only a status under 500 is required (third-party pages, text bodies). */
  loose?: boolean;
}

interface FuzzRequest {
  route: Route;
  params: Record<string, string>;
  query: string;
  contentType: string | undefined;
  body: string | undefined;
  token: string;
  headers: Record<string, string>;
}

/** Just over the 2 MB body limit: built once. */
const HUGE = JSON.stringify({ type: 'REVIEW_LIST_SUBMITTED', data: { note: 'đ'.repeat(1_100_000) } });

describe('HTTP API under fuzzing (valid tokens, generated requests)', () => {
  let engine: TestEngine & { dropDatabase(): Promise<void> };
  let routes: Route[];
  let tokens: string[];
  const known: Record<string, string[]> = {};

  beforeAll(async () => {
    engine = await startTestEngine({ http: true });
    const campaign = await engine.get(CampaignsService).start(
      {
        provinceCode: 'T1',
        year: 2026,
        definitionKey: 'periodic-review@1',
        windowStart: '2026-09-01',
        windowEnd: '2026-12-14',
      },
      SYSTEM_ACTOR,
    );
    const sign = (role: string, unit: string) =>
      signToken(
        { sub: `fuzz-${role}@${unit}`, role: role as never, unit },
        engine.config.jwtSecret,
        engine.clock.now(),
      );
    tokens = [
      sign('national_admin', 'VN'),
      sign('province_admin', 'T1'),
      sign('province_committee', 'T1'),
      sign('commune_committee', 'T1C1'),
      sign('village_board', 'T1C1V1'),
      sign('commune_chairman', 'T1C1'),
    ];
    const progress = (await (
      await fetch(`${engine.baseUrl}/api/progress?unit=T1C1`, { headers: { authorization: `Bearer ${tokens[0]}` } })
    ).json()) as { children: { caseId: string }[] };
    known.id = [...progress.children.map((c) => c.caseId), String((campaign as { id?: unknown }).id ?? '')].filter(
      Boolean,
    );
    known.code = ['T1', 'T1C1', 'T1C1V1', 'H001', 'VN'];
    known.key = ['periodic-review@1', 'periodic-review@2', 'regular-review@1'];
    known.year = ['2026', '2025'];

    const doc = (await (await fetch(`${engine.baseUrl}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
    // Not in the OpenAPI document: the dashboard's pages and assets, the queue board, metrics.
    routes.push(
      { method: 'GET', path: '/', loose: true },
      { method: 'GET', path: '/cases/{id}', loose: true },
      { method: 'GET', path: '/assets/{path}', loose: true },
      { method: 'GET', path: '/admin/queues', loose: true },
      { method: 'GET', path: '/admin/queues/api/queues', loose: true },
      { method: 'GET', path: '/metrics', loose: true },
      { method: 'GET', path: '/api/no-such-route' },
      { method: 'PUT', path: '/api/cases/{id}' },
    );
    expect(routes.length).toBeGreaterThan(25);
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    await engine?.dropDatabase();
  }, 60_000);

  // --- generators ------------------------------------------------------------------------------

  const weird = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '1e999',
      'null',
      'undefined',
      'true',
      '[]',
      '{}',
      '__proto__',
      'constructor',
      "' OR 1=1 --",
      '<script>',
      '../../etc/passwd',
      'Ấp Đông',
      '😀',
      '\u0000',
      'a'.repeat(3000),
    ),
  );
  /** A path parameter: rarely a real id, mostly anything, sometimes not even valid percent-encoding. */
  const paramValue = (name: string) =>
    fc.oneof(
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          ...(known[name] ?? known.id),
          '00000000-0000-0000-0000-000000000000',
          crypto.randomUUID(),
        ),
      },
      { weight: 5, arbitrary: weird.map(encodeURIComponent) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '%',
          '%E0%A4%A',
          '%00',
          '%2e%2e%2f%2e%2e',
          '..%2f..%2fpackage.json',
          'index.html',
          'app.js',
          '%FF%FE',
        ),
      },
    );
  const queryKeys = fc.constantFrom(
    'unit',
    'campaign',
    'step',
    'limit',
    'offset',
    'wait',
    'province',
    'status',
    'unread',
    'before',
    'role',
    'year',
    'format',
    'a[b]',
    'unit[]',
    '__proto__[x]',
    'constructor',
    '',
  );
  const query = fc
    .array(
      fc.tuple(
        queryKeys,
        fc.oneof(
          weird,
          fc.constantFrom('T1', 'T1C1', '10', '0', '-5', '99999999999', 'true', 'dead', '2026-09-01T00:00:00Z'),
        ),
        fc.boolean(),
      ),
      { maxLength: 5 },
    )
    .map((pairs) =>
      pairs
        .map(
          ([k, v, raw]) =>
            `${raw ? k : encodeURIComponent(k)}=${raw ? v.replace(/[#\s]/g, '') : encodeURIComponent(v)}`,
        )
        .join('&'),
    );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/x-www-form-urlencoded',
    'text/plain',
    'text/csv',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/octet-stream',
    'multipart/form-data; boundary=xyz',
    'application/xml',
    'application/merge-patch+json',
    '*/*',
    'garbage',
    undefined,
  );
  const validish = fc.constantFrom(
    {
      type: 'REVIEW_LIST_SUBMITTED',
      data: { householdCount: 30, fromPreviousLists: 10, newlyArising: 2, requests: 1 },
    },
    { provinceCode: 'T1', year: 2026, definitionKey: 'periodic-review@1' },
    { yaml: 'extends: periodic-review@1\nid: fuzz-overlay\nversion: 1\nprovince: T1\n' },
    { kind: 'email', unit: 'T1', role: 'province_committee', address: 'a@b.vn' },
    { date: '2026-10-10', kind: 'day_off', reason: 'fuzz' },
    { windowStart: '2026-09-01', windowEnd: '2026-12-31' },
  );
  /** Well-formed events whose text fields carry odd characters (NUL, lone surrogates, RTL marks, emoji). */
  const eventWithText = fc
    .tuple(weird, weird, fc.constantFrom('COMPLAINT_FILED', 'MEETING_HELD', 'REPORT_SENT_TO_DISTRICT'))
    .map(([a, b, type]) =>
      JSON.stringify(
        type === 'COMPLAINT_FILED'
          ? { type, data: { householdRef: a, summary: b } }
          : type === 'MEETING_HELD'
            ? {
                type,
                data: {
                  date: '2026-10-02',
                  chair: a,
                  attendees: 20,
                  opinionsGiven: 12,
                  householdsPut: 3,
                  householdsAgreed: 3,
                },
              }
            : { type, data: { reportRef: a } },
      ),
    );
  /** Batches for `POST /api/cases/events/batch`: known cases and odd ones, valid and broken items, keys that repeat. */
  const eventBatch = fc
    .array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('REVIEW_LIST_SUBMITTED', 'SURVEY_COMPLETED', 'COMPLAINT_FILED', 'NO_SUCH_EVENT'),
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom('fuzz-batch-1', 'fuzz-batch-2', 'short', ''),
        fc.boolean(),
      ),
      { minLength: 0, maxLength: 12 },
    )
    .map((items) =>
      JSON.stringify({
        events: items.map(([n, type, data, key, valid]) => ({
          caseId: known.id[n % Math.max(1, known.id.length)] ?? crypto.randomUUID(),
          type,
          data: valid ? { householdCount: 3, fromPreviousLists: 1, newlyArising: 1, requests: 1 } : data,
          idempotencyKey: key,
        })),
      }),
    );
  const body = fc.oneof(
    { weight: 1, arbitrary: eventBatch },
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: eventWithText },
    {
      weight: 3,
      arbitrary: fc
        .tuple(validish, fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }))
        .map(([v, extra]) => JSON.stringify({ ...v, ...extra })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
          fc.nat(),
        )
        .map(([json, cut]) => json.slice(0, cut % (json.length + 1)) + '\u0000'),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '{"type":',
        'null',
        '"x"',
        '[]',
        '{"__proto__":{"polluted":true}}',
        '{"a":1,"a":2}',
        'a=1&b[c]=2',
        '<xml/>',
        '\uFEFF{}',
        '{"yaml":"' + 'x'.repeat(200_000) + '"}',
      ),
    },
    { weight: 1, arbitrary: weird },
    { weight: 1, arbitrary: fc.constant(HUGE) },
  );
  const request: fc.Arbitrary<FuzzRequest> = fc
    .tuple(
      fc.nat(),
      query,
      contentType,
      body,
      fc.nat(),
      fc.record(
        {
          'idempotency-key': fc.string({ minLength: 0, maxLength: 40, unit: 'grapheme-ascii' }),
          'x-request-id': fc.string({ maxLength: 40, unit: 'grapheme-ascii' }),
        },
        { requiredKeys: [] },
      ),
      fc.infiniteStream(fc.nat()),
    )
    .map(([r, q, ct, b, t, headers, stream]) => {
      const route = routes[r % routes.length];
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const params = Object.fromEntries(
        names.map((name) => [
          name,
          fc.sample(paramValue(name), { seed: stream.next().value as number, numRuns: 1 })[0],
        ]),
      );
      return {
        route,
        params,
        query: q,
        contentType: ct,
        body: b,
        token: tokens[t % tokens.length],
        headers: headers as Record<string, string>,
      };
    });

  // --- the property ---------------------------------------------------------------------------

  let resets = 0;
  async function send(req: FuzzRequest): Promise<number> {
    const path = req.route.path.replace(/\{(\w+)\}/g, (_, name: string) => req.params[name]);
    const url = `${engine.baseUrl}${path}${req.query ? `?${req.query}` : ''}`;
    const hasBody = !['GET', 'HEAD'].includes(req.route.method) && req.body !== undefined;
    const headers: Record<string, string> = { authorization: `Bearer ${req.token}`, ...req.headers };
    if (req.contentType) headers['content-type'] = req.contentType;
    const describe = () =>
      `${req.route.method} ${url.slice(0, 300)} content-type=${req.contentType} headers=${JSON.stringify(req.headers)} body=${JSON.stringify(req.body?.slice(0, 300))}`;
    const attempt = () =>
      fetch(url, {
        method: req.route.method,
        headers,
        body: hasBody ? req.body : undefined,
        signal: AbortSignal.timeout(35_000),
      });
    let res: Response;
    try {
      res = await attempt().catch((e: Error) => {
        // Server and client share this process: under load a kept-alive socket can be closed by the
        // server's idle timeout just as the client reuses it. Not an answer of the API: try once more.
        if (
          !/ECONNRESET|UND_ERR_SOCKET|other side closed/.test(
            String((e.cause as Error | undefined)?.message ?? e.cause),
          )
        )
          throw e;
        resets++;
        return attempt();
      });
    } catch (e) {
      throw new Error(`request failed (${(e as Error).message}: ${String((e as Error).cause ?? '')}): ${describe()}`);
    }
    const text = await res.text();
    if (res.status >= 500) throw new Error(`${res.status} for ${describe()}\n→ ${text.slice(0, 500)}`);
    if (res.status < 400 || req.route.loose) return res.status;
    let json: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(
        `${res.status} without a JSON body (${res.headers.get('content-type')}) for ${describe()}\n→ ${text.slice(0, 300)}`,
      );
    }
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    if (typeof json?.error?.code !== 'string' || json.error.code === '' || typeof json.error.message !== 'string') {
      throw new Error(`${res.status} without { error: { code, message } } for ${describe()}\n→ ${text.slice(0, 300)}`);
    }
    return res.status;
  }

  it(`answers ${BATCHES * BATCH_SIZE} generated requests to every route family without a 500, errors as JSON with a code`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BATCH_SIZE, maxLength: BATCH_SIZE }), async (batch) => {
        for (const status of await Promise.all(batch.map((r) => send(r))))
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: BATCHES, endOnFailure: true },
    );
    // Still answering, and a valid request still works after the storm.
    const res = await fetch(`${engine.baseUrl}/api/campaigns`, { headers: { authorization: `Bearer ${tokens[0]}` } });
    expect(res.status).toBe(200);
    console.log(
      `fuzz-http seed ${SEED}: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; ${resets} connection reset(s) retried`,
    );
    // Not only refusals at the door: some requests get through validation.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect(resets).toBeLessThan((BATCHES * BATCH_SIZE) / 100);
  }, 300_000);
});
