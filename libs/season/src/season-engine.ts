import { randomBytes } from 'node:crypto';
import { Module, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig, type AppConfig } from '@rasoat/config';
import { EngineBootstrap, EngineModule, ManualClock } from '@rasoat/engine';
import { ormOptions } from '@rasoat/persistence';
import { WorkerModule } from '@rasoat/worker-runtime';
import { at } from '@rasoat/season-model';

/** Where a season's engine runs: its own database and queue prefix. */
export interface SeasonEngineOptions {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** The environment the configuration is read from (worker concurrency, digest hour…). */
  env: NodeJS.ProcessEnv;
  /** Progress and engine warnings (stderr). */
  log: (line: string) => void;
  /** Engine log lines too. */
  verbose?: boolean;
  /** Migrate the database first (default true: a simulation's fresh database; the start command has migrated already). */
  migrate?: boolean;
  /** Seed the demo province and start its campaign at the clock's start (the start command's demo season). */
  seedDemo?: boolean;
  /** Settings over the environment's (e.g. the demo's definition). */
  overrides?: Record<string, unknown>;
}

export interface SeasonEngine {
  app: INestApplicationContext;
  config: AppConfig;
  /** The virtual time of the season: only the simulator moves it. */
  clock: ManualClock;
  close(): Promise<void>;
}

/**
 * Migrates the run's database, then boots the engine and its workers in this process (no HTTP,
 * no sweeper: the season rings the alarms itself) on a ManualClock at 06:00 on the demo
 * window's first day, with the shipped definitions published and, unless `seedDemo`, no demo data.
 */
export async function startSeasonEngine(options: SeasonEngineOptions): Promise<SeasonEngine> {
  const log = options.log;
  if (options.migrate ?? true) {
    await migrate(options.databaseUrl, options.verbose ? log : () => undefined);
    log('migrated the simulation database');
  }

  const config = loadConfig(options.env, {
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl,
    queuePrefix: options.queuePrefix,
    jwtSecret: randomBytes(32).toString('hex'),
    port: 0,
    'demo.seed': false,
    // The committees' digests go to the local webhook receiver, over plain HTTP.
    'notifications.allowHttpWebhooks': true,
    // The digests go to this process's own receiver on loopback.
    'notifications.webhookAllowedHosts': ['127.0.0.1'],
    ...options.overrides,
  });
  const clock = new ManualClock(at(config.demo.windowStart, '06:00:00'));
  const engine = EngineModule.forRoot(config, clock);
  @Module({ imports: [WorkerModule.forRoot(config, clock, engine, { sweeper: false })] })
  class SimulationModule {}
  const app = await NestFactory.createApplicationContext(SimulationModule, {
    logger: streamLogger(log, options.verbose ?? false),
  });
  try {
    await app.get(EngineBootstrap).run({ seedDemo: options.seedDemo ?? false });
  } catch (error) {
    await app.close();
    throw error;
  }
  return { app, config, clock, close: () => app.close() };
}

/**
 * Migrates the run's fresh database: migrateDatabase's work without its advisory lock (nobody
 * else uses this database), with the migrator's lines on the run's log instead of stdout.
 */
async function migrate(databaseUrl: string, log: (line: string) => void): Promise<void> {
  const orm = await MikroORM.init(
    ormOptions(databaseUrl, { pool: { min: 0, max: 2 }, colors: false, logger: (message: string) => log(message) }),
  );
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close(true);
  }
}

/** Nest's log lines to the run's stderr: warnings and errors always, the rest with --verbose. */
function streamLogger(log: (line: string) => void, verbose: boolean): LoggerService {
  const line =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) => {
      const context = typeof rest[rest.length - 1] === 'string' ? ` [${String(rest[rest.length - 1])}]` : '';
      log(`${level}${context} ${message instanceof Error ? (message.stack ?? message.message) : String(message)}`);
    };
  const quiet = () => undefined;
  return {
    log: verbose ? line('log') : quiet,
    warn: line('warn'),
    error: line('error'),
    debug: quiet,
    verbose: quiet,
    fatal: line('fatal'),
  };
}
