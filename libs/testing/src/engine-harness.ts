import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import { loadConfig, type AppConfig } from '@rasoat/config';
import { QueueName, SYSTEM_ACTOR } from '@rasoat/contracts';
import {
  CampaignsService,
  EngineBootstrap,
  EngineModule,
  ManualClock,
  UnitsService,
  type UnitSeed,
} from '@rasoat/engine';
import { createHttpApp, HttpApiModule } from '@rasoat/http-api';
import { WorkerModule } from '@rasoat/worker-runtime';
import { createTestDatabase, testJwtSecret, testQueuePrefix, testRedisUrl } from './test-services';

/**
 * A small test province in both shapes of the tree: T1 has districts (before July 2025),
 * T2 has communes directly under the province (after). Three villages per commune.
 * `tag` replaces the leading `T` of every code (`testProvinces('B')` holds B1, B1D1, B1C1V1, …, B2C1V3).
 */
export function testProvinces(tag = 'T'): UnitSeed[] {
  const units: UnitSeed[] = [
    { code: `${tag}1`, name: 'Tỉnh Thử Một', level: 'province', parentCode: null },
    { code: `${tag}1D1`, name: 'Huyện Thử', level: 'district', parentCode: `${tag}1` },
    { code: `${tag}2`, name: 'Tỉnh Thử Hai', level: 'province', parentCode: null },
  ];
  for (const [commune, parent] of [
    [`${tag}1C1`, `${tag}1D1`],
    [`${tag}1C2`, `${tag}1D1`],
    [`${tag}2C1`, `${tag}2`],
  ]) {
    units.push({ code: commune, name: `Xã ${commune}`, level: 'commune', parentCode: parent });
    for (let v = 1; v <= 3; v++)
      units.push({ code: `${commune}V${v}`, name: `Thôn ${v}`, level: 'village', parentCode: commune });
  }
  return units;
}

/** How many unit tags this test file has handed out (each test file has its own module registry). */
let tagsGiven = 0;

/**
 * Letters no other caller in this test file got: A, B, …, Z, AA, AB, … (never `T`, the tag of the
 * provinces every test engine starts with). A code that starts with it and goes on with a digit
 * is one no other test of the file uses.
 */
export function uniqueUnitTag(): string {
  for (;;) {
    let n = tagsGiven++;
    let tag = '';
    do {
      tag = String.fromCharCode(65 + (n % 26)) + tag;
      n = Math.floor(n / 26) - 1;
    } while (n >= 0);
    if (tag !== 'T') return tag;
  }
}

/**
 * Adds a copy of `testProvinces()` under codes no other test of the file uses, for a test that
 * shares its engine with others and needs units, campaigns and cases of its own. Returns the
 * copy's code of a unit named as in `testProvinces()`: `code('T1C1V1')` → `'B1C1V1'`.
 */
export async function addTestProvinces(engine: Pick<TestEngine, 'get'>): Promise<(code: string) => string> {
  const tag = uniqueUnitTag();
  await engine.get(UnitsService).upsertTree(testProvinces(tag));
  const known = new Set(testProvinces().map((u) => u.code));
  return (code) => {
    if (!known.has(code)) throw new Error(`${code} is not a unit of testProvinces()`);
    return `${tag}${code.slice(1)}`;
  };
}

/** Starts the 2026 national periodic review (`periodic-review@1`) of a province, as the system does. */
export function startTestCampaign(
  engine: Pick<TestEngine, 'get'>,
  provinceCode: string,
  window: { windowStart?: string; windowEnd: string },
): ReturnType<CampaignsService['start']> {
  return engine.get(CampaignsService).start(
    {
      provinceCode,
      year: 2026,
      definitionKey: 'periodic-review@1',
      windowStart: window.windowStart ?? '2026-09-01',
      windowEnd: window.windowEnd,
    },
    SYSTEM_ACTOR,
  );
}

export interface TestEngine {
  config: AppConfig;
  clock: ManualClock;
  /** Whether the engine's worker consumes its queues (`worker`, true unless false). */
  worker: boolean;
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
    worker: options.worker !== false,
    app,
    http,
    baseUrl,
    get: (type) => app.get(type),
    close: () => app.close(),
    dropDatabase: db.drop,
  };
}

/**
 * For a test that shares its engine with others and rings every alarm due in the database
 * (`fireDue`, `sweep`) or reads the wake-ups in Redis: once the engine's worker, if it has one, has
 * no job waiting or running, the alarms armed before the call are silenced (their deadlines keep
 * their rows, without a next alarm) and the timers queue's waiting and delayed wake-ups are
 * removed. What the test arms afterwards is then all that rings, and all that Redis holds.
 */
export async function silenceEarlierAlarms(engine: TestEngine): Promise<void> {
  const queue = (name: QueueName) => engine.app.get<Queue>(getQueueToken(name));
  if (engine.worker)
    await eventually(
      async () => {
        for (const name of Object.values(QueueName)) {
          const counts = await queue(name).getJobCounts('waiting', 'active', 'prioritized');
          if (Object.values(counts).some((n) => n > 0)) return false;
        }
        return true;
      },
      20_000,
      'the worker to finish the jobs of the tests before',
    );
  await engine
    .get(EntityManager)
    .fork()
    .execute('update deadline set next_alarm_at = null where next_alarm_at is not null');
  await queue(QueueName.Timers).drain(true);
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
