import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { signalOnExit, stopChild } from './child-reaper';
import { freePort } from './free-port';
import { ServerLog } from './server-log';
import { stderrLog, type ServiceLog } from './service-log';

/** Options of {@link resolveRedis}. */
export interface ResolveRedisOptions {
  /** Given (REDIS_URL): used as is. */
  redisUrl?: string;
  /** A spawned server's working directory is `<dataDir>/redis`. */
  dataDir: string;
  /** Use a Redis already answering on 127.0.0.1:6379; default true. */
  allowLocal?: boolean;
  log?: ServiceLog;
}

/** A Redis ready for connections. */
export interface ResolvedRedis {
  url: string;
  source: 'env' | 'local' | 'embedded';
  /** Stops the server this call spawned; a no-op for the other sources. */
  stop(): Promise<void>;
}

const SERVER_NAMES = ['redis-server', 'valkey-server'];
const START_TIMEOUT_MS = 10_000;

class PortTakenError extends Error {}

/**
 * Picks a Redis: the given URL, else one answering on 127.0.0.1:6379, else a private
 * `redis-server` (or `valkey-server`) from PATH on a free port. The spawned server keeps nothing on
 * disk (`--save "" --appendonly no`): queued and delayed jobs do not survive its restart.
 */
export async function resolveRedis(options: ResolveRedisOptions): Promise<ResolvedRedis> {
  if (options.redisUrl) return { url: options.redisUrl, source: 'env', stop: async () => undefined };
  if ((options.allowLocal ?? true) && (await pingRedis(6379, 500)))
    return { url: 'redis://127.0.0.1:6379', source: 'local', stop: async () => undefined };
  const binary = findOnPath(SERVER_NAMES);
  if (!binary) {
    throw new Error(
      'No Redis available: REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and neither redis-server nor valkey-server is on PATH. ' +
        'Install one (Debian/Ubuntu: `sudo apt-get install -y redis-server`) or set REDIS_URL=redis://host:port.',
    );
  }
  const dir = resolve(options.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnRedis(binary, dir, await freePort(), options.log ?? stderrLog);
    } catch (error) {
      // Another process may grab the free port before the server binds it.
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
    }
  }
}

async function spawnRedis(binary: string, dir: string, port: number, log: ServiceLog): Promise<ResolvedRedis> {
  const serverLog = new ServerLog(join(dir, 'redis.log'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
  ];
  // setpriv's parent-death signal kills the server even when Node itself is killed with -9.
  const setpriv = findOnPath(['setpriv']);
  const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', binary, ...args]] : [binary, args];
  const logFd = serverLog.open(`${binary} on port ${port}`);
  const child = spawn(command, argv, { cwd: dir, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  // Do not keep the event loop alive for the server alone; the exit hook stops it.
  child.unref();
  if (child.pid !== undefined) signalOnExit(child.pid, 'SIGTERM');

  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  while (Date.now() < deadline) {
    exited = spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
    if (exited) break;
    if (await pingRedis(port, 500)) {
      log(`started ${binary} on 127.0.0.1:${port}`);
      return { url: `redis://127.0.0.1:${port}`, source: 'embedded', stop: () => stopChild(child, 'SIGTERM') };
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
  await stopChild(child, 'SIGTERM');
  const tail = serverLog.tail();
  if (exited && /Address already in use/.test(tail)) throw new PortTakenError(tail);
  const what = spawnError
    ? `could not be spawned (${spawnError.message})`
    : exited
      ? 'exited during start-up'
      : `did not answer PING within ${START_TIMEOUT_MS} ms`;
  throw new Error(`${binary} on port ${port} ${what}. Last lines of ${serverLog.path}:\n${tail}`);
}

/** True when 127.0.0.1:`port` answers PING with PONG within `timeoutMs` (an auth-protected server does not). */
export function pingRedis(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolvePing) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolvePing(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

function findOnPath(names: string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not in this directory.
      }
    }
  }
  return undefined;
}
