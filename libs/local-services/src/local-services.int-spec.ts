import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './child-reaper';
import { findEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres-server';
import { withPgClient, type PgError } from './pg-client';
import { ensureDatabase, withDatabase } from './postgres-database';
import { resolvePostgres } from './postgres-resolver';
import { pingRedis, resolveRedis } from './redis-resolver';

const quiet = () => undefined;
const selectOne = (url: string) =>
  withPgClient(url, 2_000, (client) => client.query('select 1 as one')).then((r) => r.rows[0]?.one);
/** `url` with another password (none when `password` is empty). */
const withPassword = (url: string, password: string) => {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
};
/** What the server answers to `url`: 'ok', or the SQLSTATE (or message) of the refusal. */
const attempt = (url: string) =>
  selectOne(url).then(
    () => 'ok',
    (error: PgError) => error.code ?? error.message,
  );
/** The same server through its Unix socket (the `local` lines of pg_hba.conf), with `password`. */
const overSocket = (url: string, socketDir: string, password = new URL(url).password) =>
  `postgres://postgres:${password}@/postgres?host=${encodeURIComponent(socketDir)}&port=${new URL(url).port}`;

// Starts the fixture in its own Node process and resolves with what it printed once the server is up.
function startInChildProcess(dataDir: string): Promise<{ node: number; pid: number; url: string }> {
  const child = spawn(
    process.execPath,
    ['-r', require.resolve('@swc-node/register'), join(__dirname, 'orphan-postgres.fixture.ts'), dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve({ node: child.pid ?? 0, ...(JSON.parse(out) as { pid: number; url: string }) });
    });
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
  });
}

describe('local services', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'local-services-'));
    // mkdtemp makes it 0700; the unprivileged PostgreSQL account must be able to traverse it.
    chmodSync(root, 0o755);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts an embedded PostgreSQL (as an unprivileged user when root), answers, and stops', async () => {
    expect(findEmbeddedPostgres(join(root, 'plain'))).toBeUndefined();
    const server = await startEmbeddedPostgres({ dataDir: join(root, 'plain'), log: quiet });
    try {
      expect(server.origin).toBe('started');
      expect(await selectOne(server.url)).toBe(1);
      // Another command (e.g. `token`) finds the running server without starting one.
      expect(findEmbeddedPostgres(join(root, 'plain'))).toBe(server.url);
    } finally {
      await server.stop();
    }
    expect(isAlive(server.pid)).toBe(false);
    expect(findEmbeddedPostgres(join(root, 'plain'))).toBeUndefined();
  }, 60_000);

  it('requires the generated password over TCP and the Unix socket; the URL it returns carries it', async () => {
    const dataDir = join(root, 'password');
    const server = await startEmbeddedPostgres({ dataDir, log: quiet });
    try {
      const password = decodeURIComponent(new URL(server.url).password);
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(readFileSync(join(dataDir, 'password'), 'utf8').trim()).toBe(password);
      expect(statSync(join(dataDir, 'password')).mode & 0o777).toBe(0o600);
      expect(await attempt(server.url)).toBe('ok');
      // 28P01 invalid_password: another local user who does not know the password is refused.
      expect(await attempt(withPassword(server.url, 'guess'))).toBe('28P01');
      expect(await attempt(withPassword(server.url, ''))).not.toBe('ok');
      const socketDir = join(dataDir, 'pgdata');
      expect(await attempt(overSocket(server.url, socketDir))).toBe('ok');
      expect(await attempt(overSocket(server.url, socketDir, 'guess'))).toBe('28P01');
    } finally {
      await server.stop();
    }
    // The same password after a restart.
    const again = await startEmbeddedPostgres({ dataDir, log: quiet });
    try {
      expect(again.url).toBe(server.url);
    } finally {
      await again.stop();
    }
  }, 60_000);

  it('moves a cluster an older version made with trust auth to the password, keeping its data', async () => {
    const dataDir = join(root, 'trust');
    const first = await startEmbeddedPostgres({ dataDir, log: quiet });
    const table = withDatabase(first.url, 'kept');
    try {
      // What initdb --auth=trust left: a superuser without password and `trust` on every line.
      await ensureDatabase(table);
      await withPgClient(table, 2_000, (client) =>
        client.query('create table marker (id int); insert into marker values (7)'),
      );
      await withPgClient(first.url, 2_000, (client) => client.query('alter role postgres password null'));
    } finally {
      await first.stop();
    }
    const hbaFile = join(dataDir, 'pgdata', 'pg_hba.conf');
    writeFileSync(hbaFile, readFileSync(hbaFile, 'utf8').replace(/scram-sha-256/g, 'trust'));
    rmSync(join(dataDir, 'password'));

    const messages: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir, log: (m) => messages.push(m) });
    try {
      expect(messages.join('\n')).toContain('accepted any local user (trust); it now requires the password');
      expect(decodeURIComponent(new URL(server.url).password)).toBe(
        readFileSync(join(dataDir, 'password'), 'utf8').trim(),
      );
      expect(readFileSync(hbaFile, 'utf8')).not.toMatch(/^[^#]*\btrust\b/m);
      expect(await attempt(withPassword(server.url, 'guess'))).toBe('28P01');
      expect(await attempt(overSocket(server.url, join(dataDir, 'pgdata'), 'guess'))).toBe('28P01');
      const kept = withDatabase(server.url, 'kept');
      expect((await withPgClient(kept, 2_000, (client) => client.query('select id from marker'))).rows).toEqual([
        { id: 7 },
      ]);
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('says which file holds the wrong password when the cluster refuses it', async () => {
    const dataDir = join(root, 'replaced');
    await (await startEmbeddedPostgres({ dataDir, log: quiet })).stop();
    writeFileSync(join(dataDir, 'password'), `${'x'.repeat(32)}\n`, { mode: 0o600 });
    const outcome = await startEmbeddedPostgres({ dataDir, log: quiet }).then(
      async (server) => {
        await server.stop();
        return `started with ${server.url}`;
      },
      (error: Error) => error.message,
    );
    expect(outcome).toContain(`refuses the password kept in ${join(dataDir, 'password')}`);
  }, 60_000);

  it('keeps the cluster under the temp dir when the service account cannot reach the requested one', async () => {
    const hidden = join(root, 'hidden');
    mkdirSync(hidden, { mode: 0o700 });
    const messages: string[] = [];
    const server = await startEmbeddedPostgres({ dataDir: join(hidden, 'pg'), log: (m) => messages.push(m) });
    const fallback = /keeping the PostgreSQL data in (\S+) instead/.exec(messages.join('\n'))?.[1];
    try {
      // Only when root: the current user can always reach its own directories.
      if (process.getuid?.() === 0) expect(fallback).toMatch(new RegExp(`^${tmpdir()}/local-services-postgres-`));
      expect(await selectOne(server.url)).toBe(1);
      expect(findEmbeddedPostgres(join(hidden, 'pg'))).toBe(server.url);
    } finally {
      await server.stop();
      if (fallback) rmSync(fallback, { recursive: true, force: true });
    }
    expect(existsSync(join(hidden, 'pg', 'pgdata'))).toBe(false);
  }, 60_000);

  it('restarts on the same port, ignoring a stale postmaster.pid', async () => {
    const dataDir = join(root, 'restart');
    const first = await startEmbeddedPostgres({ dataDir, log: quiet });
    await first.stop();
    const deadPid = spawnSync('true').pid;
    writeFileSync(
      join(dataDir, 'pgdata', 'postmaster.pid'),
      `${deadPid}\n${dataDir}/pgdata\n0\n${new URL(first.url).port}\n`,
    );
    const second = await startEmbeddedPostgres({ dataDir, log: quiet });
    try {
      expect(second.origin).toBe('started');
      expect(second.url).toBe(first.url);
      expect(await selectOne(second.url)).toBe(1);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('adopts the server orphaned by a kill -9 of its Node process, and stops it', async () => {
    const dataDir = join(root, 'orphan');
    const orphan = await startInChildProcess(dataDir);
    process.kill(orphan.node, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(isAlive(orphan.pid)).toBe(true);

    const adopted = await startEmbeddedPostgres({ dataDir, log: quiet });
    try {
      expect(adopted).toMatchObject({ origin: 'adopted', pid: orphan.pid, url: orphan.url });
      expect(await selectOne(adopted.url)).toBe(1);
    } finally {
      await adopted.stop();
    }
    expect(isAlive(orphan.pid)).toBe(false);
  }, 60_000);

  it('creates a database once, even with concurrent callers', async () => {
    const server = await startEmbeddedPostgres({ dataDir: join(root, 'databases'), log: quiet });
    try {
      const url = withDatabase(server.url, 'two "callers"');
      await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
      await ensureDatabase(url);
      expect(await selectOne(url)).toBe(1);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('resolves PostgreSQL from a URL, the local server, or an embedded one', async () => {
    const server = await startEmbeddedPostgres({ dataDir: join(root, 'env'), log: quiet });
    try {
      const fromEnv = await resolvePostgres({
        databaseUrl: withDatabase(server.url, 'from_env'),
        dataDir: join(root, 'unused'),
      });
      expect(fromEnv.source).toBe('env');
      expect(await selectOne(fromEnv.url)).toBe(1);
    } finally {
      await server.stop();
    }
    const preferred = await resolvePostgres({
      preferLocal: true,
      database: 'local_services_test',
      dataDir: join(root, 'preferred'),
      log: quiet,
    });
    try {
      // The local server on 127.0.0.1:5432 when the machine has one, else an embedded one.
      expect(['local', 'embedded']).toContain(preferred.source);
      expect(new URL(preferred.url).pathname).toBe('/local_services_test');
      expect(await selectOne(preferred.url)).toBe(1);
    } finally {
      await preferred.stop();
    }
    const embedded = await resolvePostgres({ database: 'rasoat', dataDir: join(root, 'resolved'), log: quiet });
    try {
      // What `npm start` gets: a URL that works, on a server that refuses it without the password.
      expect(embedded.source).toBe('embedded');
      expect(new URL(embedded.url).pathname).toBe('/rasoat');
      expect(await attempt(embedded.url)).toBe('ok');
      expect(await attempt(withPassword(embedded.url, 'guess'))).toBe('28P01');
    } finally {
      await embedded.stop();
    }
  }, 90_000);

  it('spawns a private Redis on a free port when told to skip the local one', async () => {
    const redis = await resolveRedis({ dataDir: join(root, 'redis'), allowLocal: false, log: quiet });
    const port = Number(new URL(redis.url).port);
    try {
      expect(redis.source).toBe('embedded');
      expect(port).not.toBe(6379);
      expect(await pingRedis(port, 1_000)).toBe(true);
    } finally {
      await redis.stop();
    }
    expect(await pingRedis(port, 500)).toBe(false);
  });

  it('uses REDIS_URL as given', async () => {
    const redis = await resolveRedis({ redisUrl: 'redis://cache.example:6380/2', dataDir: join(root, 'unused') });
    expect(redis).toMatchObject({ url: 'redis://cache.example:6380/2', source: 'env' });
  });
});
