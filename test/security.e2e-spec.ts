import { signToken } from '@rasoat/engine';
import { startTestEngine, testQueuePrefix, type TestEngine } from '@rasoat/testing';

// Response bodies are read loosely here; their shape is what the assertions check.
type Json = any;

jest.setTimeout(60_000);

/**
 * Hardening of the HTTP layer, black-box: failed authentications rate limited per client IP
 * across API processes (the counter lives in Redis), security headers (helmet), body limits and
 * body errors in the API's JSON shape.
 */
describe('HTTP security', () => {
  const LIMIT = 5;
  // Two API processes of one deployment: same database, same Redis, same queue prefix.
  // `plain`: http public URL, the TCP peer is the client. `proxied`: https public URL behind a
  // trusted proxy on loopback (X-Forwarded-For names the client).
  let plain: TestEngine & { dropDatabase(): Promise<void> };
  let proxied: TestEngine & { dropDatabase(): Promise<void> };
  let adminToken: string;

  beforeAll(async () => {
    const queuePrefix = testQueuePrefix();
    plain = await startTestEngine({
      http: true,
      worker: false,
      queuePrefix,
      config: { 'auth.failedAttemptsPerMinute': LIMIT },
    });
    proxied = await startTestEngine({
      http: true,
      worker: false,
      queuePrefix,
      databaseUrl: plain.config.databaseUrl,
      config: {
        'auth.failedAttemptsPerMinute': LIMIT,
        'http.trustProxy': 'loopback',
        publicUrl: 'https://rasoat.example.gov.vn',
      },
    });
    adminToken = signToken(
      { sub: 'admin@VN', role: 'national_admin', unit: 'VN' },
      plain.config.jwtSecret,
      plain.clock.now(),
    );
  }, 120_000);

  afterAll(async () => {
    await proxied?.close();
    await plain?.close();
    await plain?.dropDatabase();
  }, 60_000);

  const get = (engine: TestEngine, path: string, headers: Record<string, string> = {}) =>
    fetch(`${engine.baseUrl}${path}`, { headers });
  const badToken = (engine: TestEngine, headers: Record<string, string> = {}) =>
    get(engine, '/api/campaigns', { authorization: 'Bearer not.a.valid-token', ...headers });
  /** Starts a fresh one-minute window on both processes' clocks (they count in the same Redis). */
  const nextMinute = () => {
    const next = new Date((Math.floor(plain.clock.now().getTime() / 60_000) + 1) * 60_000);
    plain.clock.set(next);
    proxied.clock.set(next);
  };

  describe('failed authentications, rate limited per client IP', () => {
    beforeEach(nextMinute);

    it('answers 401 up to the limit, then 429 with Retry-After until the minute ends; missing tokens do not count', async () => {
      for (let i = 0; i < 10; i++) expect((await get(plain, '/api/campaigns')).status).toBe(401);
      for (let i = 0; i < LIMIT; i++) expect((await badToken(plain)).status).toBe(401);
      plain.clock.advance(15_000);
      const limited = await badToken(plain);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('45');
      expect(limited.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await limited.json()) as Json).error).toMatchObject({
        code: 'AUTH_TOO_MANY_FAILURES',
        message: expect.stringContaining('45'),
      });
      // Expired tokens are failures too.
      const expired = signToken(
        { sub: 'x', role: 'national_admin', unit: 'VN' },
        plain.config.jwtSecret,
        new Date(plain.clock.now().getTime() - 13 * 3600_000),
      );
      expect((await get(plain, '/api/campaigns', { authorization: `Bearer ${expired}` })).status).toBe(429);
    });

    it('keeps serving valid tokens from that IP (an office behind one NAT address keeps working)', async () => {
      for (let i = 0; i <= LIMIT; i++) await badToken(plain);
      expect((await badToken(plain)).status).toBe(429);
      expect((await get(plain, '/api/campaigns', { authorization: `Bearer ${adminToken}` })).status).toBe(200);
    });

    it('counts across API processes: the counter is in Redis under the deployment’s prefix', async () => {
      for (let i = 0; i < 3; i++) expect((await badToken(plain)).status).toBe(401);
      // The proxied process sees the same loopback client when no proxy header is sent.
      for (let i = 0; i < LIMIT - 3; i++) expect((await badToken(proxied)).status).toBe(401);
      expect((await badToken(proxied)).status).toBe(429);
      expect((await badToken(plain)).status).toBe(429);
    });

    it('starts again in the next minute', async () => {
      for (let i = 0; i <= LIMIT; i++) await badToken(plain);
      expect((await badToken(plain)).status).toBe(429);
      nextMinute();
      expect((await badToken(plain)).status).toBe(401);
    });

    it('takes the client from X-Forwarded-For only through a trusted proxy', async () => {
      // Behind the trusted proxy: each forwarded client has its own counter.
      for (let i = 0; i < LIMIT; i++)
        expect((await badToken(proxied, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(401);
      expect((await badToken(proxied, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
      expect((await badToken(proxied, { 'x-forwarded-for': '203.0.113.8' })).status).toBe(401);
      // Without a trusted proxy the header is the client's own claim: changing it evades nothing.
      for (let i = 0; i < LIMIT; i++) await badToken(plain, { 'x-forwarded-for': `198.51.100.${i}` });
      expect((await badToken(plain, { 'x-forwarded-for': '198.51.100.200' })).status).toBe(429);
    });
  });

  describe('the queue dashboard (/admin/queues) and its session cookie', () => {
    beforeEach(nextMinute);

    const openSession = (bearer: string) =>
      fetch(`${plain.baseUrl}/api/admin/session`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` } });
    const cookieToken = (res: Response) =>
      /^rasoat_token=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] as string;
    const claimsOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp: number; aud?: string };
    const board = (headers: Record<string, string>) => get(plain, '/admin/queues/api/queues', headers);

    it('puts in the cookie a token the API refuses as a bearer token (401), which cannot open another session', async () => {
      const opened = await openSession(adminToken);
      expect(opened.status).toBe(200);
      const session = cookieToken(opened);
      expect((await board({ cookie: `rasoat_token=${session}` })).status).toBe(200);
      const asBearer = await get(plain, '/api/campaigns', { authorization: `Bearer ${session}` });
      expect(asBearer.status).toBe(401);
      expect(((await asBearer.json()) as Json).error).toMatchObject({
        code: 'AUTH_TOKEN_WRONG_AUDIENCE',
        message: expect.stringContaining('/admin/queues'),
      });
      const renewed = await openSession(session);
      expect(renewed.status).toBe(401);
      expect(((await renewed.json()) as Json).error.code).toBe('AUTH_TOKEN_WRONG_AUDIENCE');
      expect(renewed.headers.get('set-cookie')).toBeNull();
      // The other way round: a full API token planted in the cookie does not open the board.
      const planted = await board({ cookie: `rasoat_token=${adminToken}` });
      expect(planted.status).toBe(401);
      expect(((await planted.json()) as Json).error.code).toBe('AUTH_TOKEN_WRONG_AUDIENCE');
    });

    it('ends the session no later than the API token that opened it, and after 15 minutes at most', async () => {
      const now = plain.clock.now();
      const fiveMinutes = signToken(
        { sub: 'admin@VN', role: 'national_admin', unit: 'VN' },
        plain.config.jwtSecret,
        now,
        300,
      );
      const opened = await openSession(fiveMinutes);
      expect(opened.status).toBe(200);
      const session = cookieToken(opened);
      expect(claimsOf(session).exp).toBeLessThanOrEqual(claimsOf(fiveMinutes).exp);
      expect(opened.headers.get('set-cookie')).toContain('Max-Age=300;');
      expect(new Date(((await opened.json()) as Json).expiresAt).getTime()).toBeLessThanOrEqual(
        claimsOf(fiveMinutes).exp * 1000,
      );
      expect(claimsOf(cookieToken(await openSession(adminToken))).exp).toBeLessThanOrEqual(
        Math.floor(now.getTime() / 1000) + 15 * 60,
      );
      // Once the opener has expired, so has the session.
      expect((await board({ cookie: `rasoat_token=${session}` })).status).toBe(200);
      plain.clock.advance(301_000);
      const expired = await board({ cookie: `rasoat_token=${session}` });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as Json).error.code).toBe('AUTH_EXPIRED_TOKEN');
    });

    it('counts failed logins on the dashboard with the API’s: 429 with Retry-After past the limit', async () => {
      for (let i = 0; i < LIMIT - 1; i++)
        expect((await get(plain, '/admin/queues', { authorization: 'Bearer not.a.valid-token' })).status).toBe(401);
      expect((await badToken(plain)).status).toBe(401);
      const limited = await board({ cookie: 'rasoat_token=forged.session.cookie' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await limited.json()) as Json).error.code).toBe('AUTH_TOO_MANY_FAILURES');
      expect((await badToken(plain)).status).toBe(429);
      // A valid token from that address is still served.
      expect((await board({ authorization: `Bearer ${adminToken}` })).status).toBe(200);
    });

    it('shows the Redis server’s details (version, memory, clients) to national admins only', async () => {
      const national = await get(plain, '/admin/queues/api/redis/stats', { authorization: `Bearer ${adminToken}` });
      expect(national.status).toBe(200);
      expect((await national.json()) as Json).toMatchObject({
        version: expect.stringMatching(/^\d+\./),
        memory: { used: expect.any(Number) },
      });
      const provinceAdmin = signToken(
        { sub: 'admin@T1', role: 'province_admin', unit: 'T1' },
        plain.config.jwtSecret,
        plain.clock.now(),
      );
      const province = await get(plain, '/admin/queues/api/redis/stats', { authorization: `Bearer ${provinceAdmin}` });
      expect(province.status).toBe(403);
      expect(await province.text()).not.toMatch(/version|memory|clients|uptime/i);
      expect((await board({ authorization: `Bearer ${provinceAdmin}` })).status).toBe(200);
    });
  });

  describe('security headers', () => {
    const csp = (res: Response) =>
      Object.fromEntries(
        (res.headers.get('content-security-policy') ?? '')
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values]),
      );

    it('sets a same-origin Content-Security-Policy, nosniff, no-referrer, and no X-Powered-By on API responses', async () => {
      for (const res of [
        await get(plain, '/health'),
        await get(plain, '/api/campaigns', { authorization: `Bearer ${adminToken}` }),
        await get(plain, '/api/no-such-route'),
      ]) {
        const policy = csp(res);
        expect(policy['default-src']).toEqual(["'self'"]);
        expect(policy['script-src']).toEqual(["'self'"]);
        expect(policy['object-src']).toEqual(["'none'"]);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
        expect(res.headers.get('x-powered-by')).toBeNull();
      }
    });

    it('sends HSTS (and upgrades insecure requests) only when PUBLIC_URL is https', async () => {
      const http = await get(plain, '/health');
      expect(http.headers.get('strict-transport-security')).toBeNull();
      expect(csp(http)['upgrade-insecure-requests']).toBeUndefined();
      const https = await get(proxied, '/health');
      expect(https.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(csp(https)['upgrade-insecure-requests']).toEqual([]);
    });

    /** Every script of a page is a same-origin file that loads: the policy (script-src 'self', no inline) lets it run. */
    async function expectScriptsAllowed(
      engine: TestEngine,
      pagePath: string,
      html: string,
      headers: Record<string, string> = {},
    ) {
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, inline] of scripts) {
        const type = /\btype="([^"]+)"/.exec(attributes)?.[1];
        if (type === 'application/json') continue; // data, never executed
        const src = /\bsrc="([^"]+)"/.exec(attributes)?.[1];
        expect({ src, inline: inline.trim() }).toEqual({ src: expect.any(String), inline: '' });
        const url = new URL(src as string, `${engine.baseUrl}${pagePath}`);
        expect(url.origin).toBe(engine.baseUrl);
        const res = await fetch(url, { headers });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/javascript/);
      }
    }

    it('still lets the Swagger UI at /api/docs run: its scripts are same-origin files, its inline styles allowed', async () => {
      const page = await get(plain, '/api/docs');
      expect(page.status).toBe(200);
      const html = await page.text();
      const policy = csp(page);
      expect(policy['style-src']).toContain("'unsafe-inline'");
      expect(policy['img-src']).toEqual(["'self'", 'data:']);
      await expectScriptsAllowed(plain, '/api/docs/', html);
    });

    it('still lets the dashboards run: the web dashboard and the queue board load only same-origin scripts', async () => {
      const web = await get(plain, '/');
      expect(web.status).toBe(200);
      // The page sends its own, stricter policy: one policy, not two.
      expect(web.headers.get('content-security-policy')).not.toMatch(/,\s*default-src/);
      expect(csp(web)['script-src']).toEqual(["'self'"]);
      await expectScriptsAllowed(plain, '/', await web.text());
      const auth = { authorization: `Bearer ${adminToken}` };
      const board = await get(plain, '/admin/queues', auth);
      expect(board.status).toBe(200);
      expect(csp(board)['script-src']).toEqual(["'self'"]);
      await expectScriptsAllowed(plain, '/admin/queues/', await board.text(), auth);
    });
  });

  describe('request bodies', () => {
    it('refuses text the database cannot store (NUL, lone surrogates) with 400 instead of failing in a query', async () => {
      const auth = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      for (const [path, init] of [
        ['/api/units/%00', {}],
        ['/api/progress?unit=T1%00', {}],
        ['/api/admin/definitions/validate', { method: 'POST', body: '{"yaml":"id: a\\u0000"}' }],
        ['/api/admin/definitions/validate', { method: 'POST', body: '{"yaml":"id: \\ud800"}' }],
        ['/api/admin/definitions/validate', { method: 'POST', body: '{"yaml":"x","\\udc00":1}' }],
      ] as const) {
        const res = await fetch(`${plain.baseUrl}${path}`, { headers: auth, ...init });
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(((await res.json()) as Json).error).toMatchObject({
          code: 'REQUEST_INVALID',
          message: expect.stringContaining('cannot be stored'),
        });
      }
      // Well-formed pairs (emoji) and other control characters are fine.
      expect((await post(JSON.stringify({ yaml: 'title: 😀\u0007' }))).status).toBe(201);
    });

    const post = (body: string, contentType = 'application/json') =>
      fetch(`${plain.baseUrl}/api/admin/definitions/validate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': contentType },
        body,
      });

    it('takes JSON up to 2 MB and answers 413 with a code above', async () => {
      // Read whole and handed to validation, which names the field that is too long (not a 413).
      const within = await post(JSON.stringify({ yaml: 'x'.repeat(1_900_000) }));
      expect(within.status).toBe(400);
      expect(((await within.json()) as Json).error).toMatchObject({
        code: 'REQUEST_INVALID',
        details: { fields: [{ field: 'yaml' }] },
      });
      const above = await post(JSON.stringify({ yaml: 'x'.repeat(2_200_000) }));
      expect(above.status).toBe(413);
      expect(((await above.json()) as Json).error).toMatchObject({
        code: 'REQUEST_BODY_TOO_LARGE',
        message: expect.stringContaining('2097152'),
      });
    });

    it('answers malformed JSON (400) and unsupported charsets or encodings (415) as JSON errors with a code', async () => {
      const malformed = await post('{"yaml": ');
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as Json).error.code).toBe('REQUEST_BODY_MALFORMED');
      const charset = await post('{}', 'application/json; charset=ebcdic');
      expect(charset.status).toBe(415);
      expect(((await charset.json()) as Json).error.code).toBe('REQUEST_BODY_UNSUPPORTED');
      const encoding = await fetch(`${plain.baseUrl}/api/admin/definitions/validate`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${adminToken}`,
          'content-type': 'application/json',
          'content-encoding': 'compress',
        },
        body: '{}',
      });
      expect(encoding.status).toBe(415);
      expect(((await encoding.json()) as Json).error.code).toBe('REQUEST_BODY_UNSUPPORTED');
    });
  });
});
