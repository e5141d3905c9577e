import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { JWT_SECRET_FILE } from '@rasoat/config';
import { signToken, verifyToken } from '@rasoat/engine';
import {
  acceptsConnection,
  createTestDatabase,
  deleteQueueKeys,
  FaultResources,
  freePort,
  readyOrDead,
  stopApp,
  testQueuePrefix,
  testRedisUrl,
  type AppProcess,
} from '@rasoat/testing';

const ROOT = resolve(__dirname, '..');
const run = promisify(execFile);

/**
 * `npm start` as a stranger finds it: the real all-in-one process (`apps/rasoat/src/main.ts`)
 * with no JWT_SECRET, no HOST and no NODE_ENV, on a fresh data directory. It must answer this
 * machine only, sign with a secret of its own data directory (never one written in the source),
 * and accept the tokens the CLI mints on the same data directory.
 */
describe('a default install (npm start without JWT_SECRET or HOST)', () => {
  const resources = new FaultResources();
  const queuePrefix = testQueuePrefix();
  let dataDir: string;
  let db: { url: string; drop(): Promise<void> };
  let port: number;
  let app: AppProcess & { stdout(): string };
  const base = () => `http://127.0.0.1:${port}`;
  const campaigns = (token: string) =>
    fetch(`${base()}/api/campaigns`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  /** What a user's shell would have: the test run's variables, but none of the settings under test. */
  const defaultEnv = () => ({
    RASOAT_DATA_DIR: dataDir,
    JWT_SECRET: undefined,
    HOST: undefined,
    NODE_ENV: undefined,
    PUBLIC_URL: undefined,
  });

  async function start(name: string): Promise<AppProcess & { stdout(): string }> {
    const p = resources.spawnApp(name, 'apps/rasoat/src/main.ts', {
      ...defaultEnv(),
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: queuePrefix,
      DEMO_SEED: 'false',
      PORT: String(port),
      LOG_FORMAT: 'json',
    });
    let stdout = '';
    p.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    await readyOrDead(p, async () => (await fetch(`${base()}/health`)).status === 200, 120_000);
    return Object.assign(p, { stdout: () => stdout });
  }

  /** `npm run -s rasoat -- token …` on the same data directory, as the operator would run it. */
  async function cliToken(role: string, unit: string): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...defaultEnv() };
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, 'scripts/run.js'), 'apps/cli/src/main.ts', 'token', '--role', role, '--unit', unit],
      { cwd: ROOT, env },
    );
    return stdout.trim();
  }

  /** The demo token `npm start` prints (the JSON log line "demo token …:\n<token>"). */
  function printedDemoToken(p: { stdout(): string }): string | undefined {
    const line = p
      .stdout()
      .split('\n')
      .find((l) => l.includes('"demo token'));
    return line ? ((JSON.parse(line) as { msg: string }).msg.split('\n')[1] ?? '').trim() : undefined;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rasoat-default-install-'));
    chmodSync(dataDir, 0o755);
    db = await createTestDatabase();
    port = await freePort();
    app = await start('rasoat');
  }, 180_000);

  afterAll(async () => {
    const problems = await resources.cleanup();
    await db?.drop();
    await deleteQueueKeys(testRedisUrl(), queuePrefix);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }, 60_000);

  it('answers on 127.0.0.1 only: another address of this machine is refused', async () => {
    expect(await acceptsConnection('127.0.0.1', port)).toBe(true);
    // Linux routes all of 127.0.0.0/8 to loopback: a server on 0.0.0.0 would accept this.
    expect(await acceptsConnection('127.0.0.2', port)).toBe(false);
  });

  it('keeps a generated secret in <dataDir>/jwt-secret, mode 0600', () => {
    const file = join(dataDir, JWT_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it('refuses a national_admin token signed with the old public development secret (401)', async () => {
    // Built from parts: the string is written nowhere in the repository any more.
    const oldDevelopmentSecret = ['rasoat', 'development', 'secret', 'do', 'not', 'use', 'in', 'production'].join('-');
    const forged = signToken({ sub: 'stranger', role: 'national_admin', unit: 'VN' }, oldDevelopmentSecret, new Date());
    expect(await campaigns(forged)).toBe(401);
  });

  it('accepts the token the CLI mints on the same data directory, and the demo token it printed (200)', async () => {
    expect(await campaigns(await cliToken('national_admin', 'VN'))).toBe(200);
    // The demo token is for the demo province's committee; without the demo seed the province
    // does not exist (404), but the token itself is signed with this data directory's secret.
    const demo = printedDemoToken(app) as string;
    expect(() =>
      verifyToken(demo, readFileSync(join(dataDir, JWT_SECRET_FILE), 'utf8').trim(), new Date()),
    ).not.toThrow();
    expect(await campaigns(demo)).not.toBe(401);
  }, 60_000);

  it('re-uses the same secret after a restart: earlier tokens still work', async () => {
    const before = readFileSync(join(dataDir, JWT_SECRET_FILE), 'utf8');
    const token = await cliToken('national_admin', 'VN');
    await stopApp(app);
    app = await start('rasoat-again');
    expect(readFileSync(join(dataDir, JWT_SECRET_FILE), 'utf8')).toBe(before);
    expect(await campaigns(token)).toBe(200);
  }, 180_000);
});
