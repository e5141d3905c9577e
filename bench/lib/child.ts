import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from './services';

export type ChildRole = 'worker' | 'embedded';

/** The heap budget the product's start scripts give each process shape (package.json start:worker, start). */
const PRODUCTION_NODE_ARGS: Record<ChildRole, string[]> = {
  worker: ['--max-old-space-size=256'],
  embedded: ['--max-old-space-size=320'],
};

export interface RoundTrips {
  sql: number;
  redis: number;
}

/** Round trips per unit of work between two readings. */
export function perUnit(from: RoundTrips, to: RoundTrips, units: number): RoundTrips {
  return {
    sql: Math.round(((to.sql - from.sql) / units) * 100) / 100,
    redis: Math.round(((to.redis - from.redis) / units) * 100) / 100,
  };
}

export interface MemorySummary {
  role: ChildRole;
  /** Peak of process.memoryUsage().rss over the samples, in MB. */
  peakRssMB: number;
  lastRssMB: number;
  peakHeapUsedMB: number;
  samples: number;
  /** After a full garbage collection at the end of the measurement: the live set. */
  afterGc?: { rssMB: number; heapUsedMB: number };
}

export interface ChildOptions {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  jwtSecret: string;
  /** Directory for --cpu-prof output; no profiling when absent. */
  profileDir?: string;
  log: (line: string) => void;
}

const MB = 2 ** 20;

/** A process under test (bench/child/server.ts) with its memory samples. */
export class BenchChild {
  port?: number;
  concurrency?: number;
  private peakRss = 0;
  private lastRss = 0;
  private peakHeap = 0;
  private samples = 0;
  private stderrTail = '';
  private afterGc?: { rssMB: number; heapUsedMB: number };

  private constructor(
    readonly role: ChildRole,
    private readonly child: ChildProcess,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  get baseUrl(): string {
    if (!this.port) throw new Error(`the ${this.role} process has no HTTP port`);
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(role: ChildRole, options: ChildOptions): Promise<BenchChild> {
    const logDir = resolve(ROOT, '.data/bench');
    mkdirSync(logDir, { recursive: true });
    const execArgv: string[] = [
      '--expose-gc',
      ...PRODUCTION_NODE_ARGS[role],
      ...(process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ];
    if (options.profileDir) {
      mkdirSync(options.profileDir, { recursive: true });
      execArgv.push(
        '--cpu-prof',
        `--cpu-prof-dir=${options.profileDir}`,
        `--cpu-prof-name=${role}-${Date.now()}.cpuprofile`,
      );
    }
    const child = fork(resolve(ROOT, 'scripts/run.js'), ['bench/child/server.ts'], {
      cwd: ROOT,
      execArgv,
      env: {
        ...process.env,
        BENCH_CHILD_ROLE: role,
        DATABASE_URL: options.databaseUrl,
        REDIS_URL: options.redisUrl,
        QUEUE_PREFIX: options.queuePrefix,
        JWT_SECRET: options.jwtSecret,
        DEMO_SEED: 'false',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const handle = new BenchChild(role, child);
    const logFile = createWriteStream(resolve(logDir, `${role}.log`), { flags: 'a' });
    child.stdout?.pipe(logFile);
    child.stderr?.on('data', (chunk: Buffer) => {
      logFile.write(chunk);
      handle.stderrTail = (handle.stderrTail + chunk.toString()).slice(-4000);
    });
    child.on('message', (m: { type: string; mem?: NodeJS.MemoryUsage }) => {
      if (m.mem) handle.sample(m.mem);
    });
    await new Promise<void>((ready, fail) => {
      const timeout = setTimeout(
        () => fail(new Error(`the ${role} process did not start within 90 s:\n${handle.stderrTail}`)),
        90_000,
      );
      child.on('message', (m: { type: string; port?: number; concurrency?: number }) => {
        if (m.type !== 'ready') return;
        clearTimeout(timeout);
        handle.port = m.port;
        handle.concurrency = m.concurrency;
        ready();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timeout);
        fail(new Error(`the ${role} process exited during start-up (${code ?? signal}):\n${handle.stderrTail}`));
      });
    });
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) options.log(`the ${role} process exited with ${code}:\n${handle.stderrTail}`);
    });
    options.log(
      `${role} process ${child.pid} ready${handle.port ? ` on port ${handle.port}` : ''} (worker concurrency ${handle.concurrency})`,
    );
    return handle;
  }

  private sample(mem: NodeJS.MemoryUsage): void {
    this.samples++;
    this.lastRss = mem.rss;
    this.peakRss = Math.max(this.peakRss, mem.rss);
    this.peakHeap = Math.max(this.peakHeap, mem.heapUsed);
  }

  memory(): MemorySummary {
    return {
      role: this.role,
      peakRssMB: Math.round(this.peakRss / MB),
      lastRssMB: Math.round(this.lastRss / MB),
      peakHeapUsedMB: Math.round(this.peakHeap / MB),
      samples: this.samples,
      afterGc: this.afterGc,
    };
  }

  /** SQL queries and Redis commands the process has sent so far (see bench/child/server.ts). */
  roundTrips(): Promise<RoundTrips> {
    return new Promise<RoundTrips>((resolveCounts, fail) => {
      const timer = setTimeout(() => fail(new Error(`the ${this.role} process did not answer round-trips`)), 10_000);
      const onMessage = (m: { type: string; roundTrips: RoundTrips }) => {
        if (m.type !== 'round-trips') return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolveCounts({ ...m.roundTrips });
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'round-trips' });
    });
  }

  /** Runs a full GC in the process and records its memory afterwards. */
  async collectGarbage(): Promise<{ rssMB: number; heapUsedMB: number }> {
    const mem = await new Promise<NodeJS.MemoryUsage>((resolveGc, fail) => {
      const timer = setTimeout(() => fail(new Error(`the ${this.role} process did not answer gc`)), 10_000);
      const onMessage = (m: { type: string; mem: NodeJS.MemoryUsage }) => {
        if (m.type !== 'gc-done') return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolveGc(m.mem);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'gc' });
    });
    this.afterGc = { rssMB: Math.round(mem.rss / MB), heapUsedMB: Math.round(mem.heapUsed / MB) };
    return this.afterGc;
  }

  /** Asks the process to close its Nest application and exit; kills it after 20 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
