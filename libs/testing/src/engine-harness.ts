import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, type AppConfig } from '@rasoat/config';
import { EngineBootstrap, EngineModule, ManualClock, UnitsService, type UnitSeed } from '@rasoat/engine';
import { createHttpApp, HttpApiModule } from '@rasoat/http-api';
import { WorkerModule } from '@rasoat/worker-runtime';
import { createTestDatabase, testJwtSecret, testQueuePrefix, testRedisUrl } from './test-services';

/**
 * A small test province in both shapes of the tree: T1 has districts (before July 2025),
 * T2 has communes directly under the province (after). Three villages per commune.
 */
export function testProvinces(): UnitSeed[] {
  const units: UnitSeed[] = [
    { code: 'T1', name: 'Tỉnh Thử Một', level: 'province', parentCode: null },
    { code: 'T1D1', name: 'Huyện Thử', level: 'district', parentCode: 'T1' },
    { code: 'T2', name: 'Tỉnh Thử Hai', level: 'province', parentCode: null },
  ];
  for (const [commune, parent] of [
    ['T1C1', 'T1D1'],
    ['T1C2', 'T1D1'],
    ['T2C1', 'T2'],
  ]) {
    units.push({ code: commune, name: `Xã ${commune}`, level: 'commune', parentCode: parent });
    for (let v = 1; v <= 3; v++)
      units.push({ code: `${commune}V${v}`, name: `Thôn ${v}`, level: 'village', parentCode: commune });
  }
  return units;
}

export interface TestEngine {
  config: AppConfig;
  clock: ManualClock;
  app: INestApplicationContext;
  /** Set when started with `http: true`. */
  http?: INestApplication;
  baseUrl?: string;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/**
 * Boots the engine against a fresh migrated database and a private queue prefix, with a
 * manual clock. `worker: false` leaves events pending (nothing consumes the queues); `config`
 * overrides settings by path (e.g. `{ 'notifications.smtpUrl': … }`).
 */
export async function startTestEngine(
  options: {
    worker?: boolean;
    http?: boolean;
    databaseUrl?: string;
    queuePrefix?: string;
    start?: Date;
    config?: Record<string, unknown>;
  } = {},
): Promise<TestEngine & { dropDatabase(): Promise<void> }> {
  const db = options.databaseUrl
    ? { url: options.databaseUrl, drop: async () => undefined }
    : await createTestDatabase();
  // Failed authentications are counted but never limited: tests send bad tokens on purpose, all from
  // loopback, under a manual clock that stays in one minute (test/security.e2e-spec.ts sets a limit).
  // Redis commands get 10 s rather than 2: the server shares its event loop with jest (and fuzzers
  // building megabyte bodies), and a stalled loop must not read as a hung Redis. The Redis fault
  // tests run real processes with the default.
  const config = loadConfig(
    { NODE_ENV: 'test' },
    {
      databaseUrl: db.url,
      redisUrl: testRedisUrl(),
      queuePrefix: options.queuePrefix ?? testQueuePrefix(),
      jwtSecret: testJwtSecret(),
      'demo.seed': false,
      port: 0,
      'auth.failedAttemptsPerMinute': 1_000_000,
      redisCommandTimeoutMs: 10_000,
      ...options.config,
    },
  );
  const clock = new ManualClock(options.start ?? new Date('2026-09-01T02:00:00Z'));
  const engine = EngineModule.forRoot(config, clock);
  const imports: DynamicModule[] = [];
  if (options.http) imports.push(HttpApiModule.forRoot(config, clock, engine));
  if (options.worker !== false) imports.push(WorkerModule.forRoot(config, clock, engine, { sweeper: false }));
  if (imports.length === 0) imports.push(engine);
  @Module({ imports })
  class TestRootModule {}

  let http: INestApplication | undefined;
  let app: INestApplicationContext;
  let baseUrl: string | undefined;
  if (options.http) {
    http = await createHttpApp(TestRootModule, { logger: ['error'] });
    await http.listen(0, '127.0.0.1');
    const address = http.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
    app = http;
  } else {
    app = await NestFactory.createApplicationContext(TestRootModule, { logger: ['error'] });
  }
  try {
    await app.get(EngineBootstrap).run({ seedDemo: false });
    await app.get(UnitsService).upsertTree(testProvinces());
  } catch (e) {
    await app.close();
    await db.drop();
    throw e;
  }
  return {
    config,
    clock,
    app,
    http,
    baseUrl,
    get: (type) => app.get(type),
    close: () => app.close(),
    dropDatabase: db.drop,
  };
}

/** Polls `check` until it returns a truthy value or the timeout passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
