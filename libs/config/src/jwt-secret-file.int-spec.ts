import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigInvalidError, JWT_SECRET_FILE, loadConfig } from './app-config';

const run = promisify(execFile);

describe('the JWT secret of a data directory (outside production, without JWT_SECRET)', () => {
  let root: string;
  let n = 0;
  const freshDir = () => join(root, `data-${++n}`);
  const problems = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
      return '';
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigInvalidError);
      return (e as Error).message;
    }
  };
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'rasoat-config-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is generated once in <dataDir>/jwt-secret (48 random bytes, mode 0600) and re-used by every later load', () => {
    const dataDir = freshDir();
    const first = loadConfig({ RASOAT_DATA_DIR: dataDir }).jwtSecret;
    const file = join(dataDir, JWT_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(loadConfig({ RASOAT_DATA_DIR: dataDir }).jwtSecret).toBe(first);
    expect(loadConfig({ RASOAT_DATA_DIR: dataDir, NODE_ENV: 'test' }).jwtSecret).toBe(first);
    // Another install, another secret: a token of one is worthless on the other.
    expect(loadConfig({ RASOAT_DATA_DIR: freshDir() }).jwtSecret).not.toBe(first);
  });

  it('is the same for processes that start together on a fresh data directory', async () => {
    const dataDir = freshDir();
    const fixture = join(__dirname, 'jwt-secret.fixture.ts');
    const env = { ...process.env, RASOAT_DATA_DIR: dataDir, JWT_SECRET: '', NODE_ENV: 'development' };
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, ['-r', require.resolve('@swc-node/register'), fixture], { env }),
      ),
    );
    const secrets = outputs.map((o) => o.stdout.trim());
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toBe(readFileSync(join(dataDir, JWT_SECRET_FILE), 'utf8').trim());
  }, 60_000);

  it('is not written when JWT_SECRET is given, nor in production (which refuses to start without it)', () => {
    const given = freshDir();
    expect(loadConfig({ RASOAT_DATA_DIR: given, JWT_SECRET: 'g'.repeat(40) }).jwtSecret).toBe('g'.repeat(40));
    const production = freshDir();
    expect(problems({ RASOAT_DATA_DIR: production, NODE_ENV: 'production' })).toContain(
      'JWT_SECRET (jwtSecret): bắt buộc khi NODE_ENV=production',
    );
    expect(existsSync(join(given, JWT_SECRET_FILE))).toBe(false);
    expect(existsSync(join(production, JWT_SECRET_FILE))).toBe(false);
  });

  it('refuses a file that group or others can read, naming it, and leaves it as it is', () => {
    const dataDir = freshDir();
    mkdirSync(dataDir);
    const file = join(dataDir, JWT_SECRET_FILE);
    writeFileSync(file, `${'r'.repeat(64)}\n`);
    chmodSync(file, 0o644);
    const message = problems({ RASOAT_DATA_DIR: dataDir });
    expect(message).toContain(
      `JWT_SECRET (jwtSecret): ${file}: tệp bí mật mà nhóm hoặc người dùng khác truy cập được (quyền 0644)`,
    );
    expect(message).toContain(`the secret file is accessible to group or others (mode 0644): chmod 600 it`);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readFileSync(file, 'utf8')).toBe(`${'r'.repeat(64)}\n`);
    chmodSync(file, 0o600);
    expect(loadConfig({ RASOAT_DATA_DIR: dataDir }).jwtSecret).toBe('r'.repeat(64));
  });

  it('refuses a file too short to be a secret, naming it', () => {
    const dataDir = freshDir();
    mkdirSync(dataDir);
    const file = join(dataDir, JWT_SECRET_FILE);
    writeFileSync(file, 'secret\n', { mode: 0o600 });
    expect(problems({ RASOAT_DATA_DIR: dataDir })).toContain(
      `JWT_SECRET (jwtSecret): ${file}: bí mật quá ngắn (6 ký tự, cần ít nhất 32)`,
    );
  });

  it('names the file it cannot use, and JWT_SECRET as the way out', () => {
    const parent = freshDir();
    mkdirSync(parent);
    // A file where the data directory should be.
    writeFileSync(join(parent, 'data'), '');
    const file = join(parent, 'data', JWT_SECRET_FILE);
    const message = problems({ RASOAT_DATA_DIR: join(parent, 'data') });
    expect(message).toContain(`JWT_SECRET (jwtSecret): ${file}: không đọc được tệp bí mật (ENOTDIR)`);
    expect(message).toContain('or set JWT_SECRET');
  });
});
