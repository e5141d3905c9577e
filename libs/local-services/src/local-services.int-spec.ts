import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from './child-reaper';
import { findEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres-server';
import { withPgClient } from './pg-client';
import { ensureDatabase, withDatabase } from './postgres-database';
import { resolvePostgres } from './postgres-resolver';
import { pingRedis, resolveRedis } from './redis-resolver';

const quiet = () => undefined;
const selectOne = (url: string) => withPgClient(url, 2_000, (client) => client.query('select 1 as one')).then((r) => r.rows[0]?.one);

// Starts the fixture in its own Node process and resolves with what it printed once the server is up.
function startInChildProcess(dataDir: string): Promise<{ node: number; pid: number; url: string }> {
  const child = spawn(process.execPath, ['-r', require.resolve('@swc-node/register'), join(__dirname, 'orphan-postgres.fixture.ts'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    writeFileSync(join(dataDir, 'pgdata', 'postmaster.pid'), `${deadPid}\n${dataDir}/pgdata\n0\n${new URL(first.url).port}\n`);
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
      const fromEnv = await resolvePostgres({ databaseUrl: withDatabase(server.url, 'from_env'), dataDir: join(root, 'unused') });
      expect(fromEnv.source).toBe('env');
      expect(await selectOne(fromEnv.url)).toBe(1);
    } finally {
      await server.stop();
    }
    const preferred = await resolvePostgres({ preferLocal: true, database: 'local_services_test', dataDir: join(root, 'preferred'), log: quiet });
    try {
      // The local server on 127.0.0.1:5432 when the machine has one, else an embedded one.
      expect(['local', 'embedded']).toContain(preferred.source);
      expect(new URL(preferred.url).pathname).toBe('/local_services_test');
      expect(await selectOne(preferred.url)).toBe(1);
    } finally {
      await preferred.stop();
    }
  }, 60_000);

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
