import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@rasoat/config';
import { EngineBootstrap, EngineModule, systemClock } from '@rasoat/engine';
import { createHttpApp, HttpApiModule } from '@rasoat/http-api';
import { migrateDatabase } from '@rasoat/persistence';
import { WorkerModule } from '@rasoat/worker-runtime';

/**
 * A process under test, started by the bench with an IPC channel:
 *  - `worker`: the production worker shape (apps/worker) — queue processors, no HTTP;
 *  - `embedded`: the API and the workers in one process on one EngineModule (apps/rasoat).
 * The periodic sweeper is off, as in the tests. The process pushes process.memoryUsage()
 * every 250 ms, collects garbage on a `gc` message (it runs with --expose-gc) and stops
 * cleanly on a `stop` message (so that --cpu-prof writes its profile).
 */
type Role = 'worker' | 'embedded';

/**
 * What the process sends: every pg Client.query (BEGIN/COMMIT included; one round trip each)
 * and every ioredis command (those of a pipeline or MULTI are counted one by one although
 * they share a round trip). A counter increment each: no measurable cost.
 */
const roundTrips = { sql: 0, redis: 0 };
function countCalls(proto: Record<string, unknown>, method: string, key: keyof typeof roundTrips): void {
  const original = proto[method] as (...args: unknown[]) => unknown;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    roundTrips[key]++;
    return original.apply(this, args);
  };
}
countCalls(require('pg').Client.prototype, 'query', 'sql');
countCalls(require('ioredis').Redis.prototype, 'sendCommand', 'redis');

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const role = process.env.BENCH_CHILD_ROLE as Role;
  if (role !== 'worker' && role !== 'embedded')
    throw new Error(`BENCH_CHILD_ROLE must be worker or embedded, got ${String(role)}`);
  const config = loadConfig();
  if (!config.databaseUrl || !config.redisUrl) throw new Error('DATABASE_URL and REDIS_URL are required');
  await migrateDatabase(config.databaseUrl);

  let app: INestApplicationContext;
  let port: number | undefined;
  if (role === 'worker') {
    app = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(config, systemClock, EngineModule.forRoot(config, systemClock, { producers: 'wait' }), {
        sweeper: false,
      }),
      { logger: ['error', 'warn'] },
    );
    await app.get(EngineBootstrap).run({ seedDemo: false });
  } else {
    const engine = EngineModule.forRoot(config, systemClock);
    @Module({
      imports: [
        HttpApiModule.forRoot(config, systemClock, engine),
        WorkerModule.forRoot(config, systemClock, engine, { sweeper: false }),
      ],
    })
    class EmbeddedModule {}
    const http = await createHttpApp(EmbeddedModule as unknown as DynamicModule, {
      logger: ['error', 'warn'],
      shutdownHooks: false,
    });
    await http.get(EngineBootstrap).run({ seedDemo: false });
    await http.listen(0, '127.0.0.1');
    port = (http.getHttpServer().address() as { port: number }).port;
    app = http;
  }

  const timer = setInterval(() => send({ type: 'mem', at: Date.now(), mem: process.memoryUsage(), roundTrips }), 250);
  timer.unref();
  let stopping = false;
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'gc') {
      // Started with --expose-gc: the live set, as opposed to RSS grown by garbage not yet collected.
      (globalThis as { gc?: () => void }).gc?.();
      send({ type: 'gc-done', at: Date.now(), mem: process.memoryUsage(), roundTrips });
      return;
    }
    if (message?.type === 'round-trips') {
      send({ type: 'round-trips', roundTrips });
      return;
    }
    if (message?.type !== 'stop' || stopping) return;
    stopping = true;
    clearInterval(timer);
    send({ type: 'mem', at: Date.now(), mem: process.memoryUsage() });
    app
      .close()
      .catch((e) => console.error(e))
      .finally(() => process.exit(0));
  });
  // The bench died: do not linger.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port, concurrency: config.worker.concurrency, mem: process.memoryUsage() });
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
