import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigInvalidError, loadConfig } from './app-config';

// Given, so that loading never touches the data directory's secret file (jwt-secret-file.int-spec.ts covers it).
const secret = { JWT_SECRET: randomBytes(32).toString('base64url') };

describe('loadConfig', () => {
  it('uses the defaults from config/defaults.yaml', () => {
    const config = loadConfig(secret);
    expect(config.port).toBe(3000);
    expect(config.queuePrefix).toBe('rasoat');
    expect(config.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(config.worker)).toBe(true);
  });

  it('reads the environment and coerces numbers', () => {
    const config = loadConfig({
      ...secret,
      PORT: '8080',
      DATABASE_URL: 'postgres://u@h:5432/db',
      WORKER_CONCURRENCY: '4',
      DEMO_SEED: 'false',
    });
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://u@h:5432/db');
    expect(config.worker.concurrency).toBe(4);
    expect(config.demo.seed).toBe(false);
  });

  it('reads the notification settings: no SMTP relay by default, SMTP_URL and NOTIFY_FROM from the environment', () => {
    const defaults = loadConfig(secret);
    expect(defaults.notifications.smtpUrl).toBeUndefined();
    expect(defaults.notifications.digestHour).toBe(7);
    expect(defaults.notifications.allowHttpWebhooks).toBe(false);
    const config = loadConfig({
      ...secret,
      SMTP_URL: 'smtp://mail.example.gov.vn:587',
      NOTIFY_FROM: 'rasoat <noreply@example.gov.vn>',
    });
    expect(config.notifications.smtpUrl).toBe('smtp://mail.example.gov.vn:587');
    expect(config.notifications.from).toBe('rasoat <noreply@example.gov.vn>');
    expect(() => loadConfig({ ...secret, SMTP_URL: 'http://mail' })).toThrow('SMTP_URL (notifications.smtpUrl)');
  });

  it('allows no webhook host to reach private addresses by default; WEBHOOK_ALLOWED_HOSTS lists the ones an operator allows', () => {
    expect(loadConfig({}).notifications.webhookAllowedHosts).toEqual([]);
    expect(
      loadConfig({ WEBHOOK_ALLOWED_HOSTS: ' Hooks.LAN, 10.0.0.7,[fd00::1] ,' }).notifications.webhookAllowedHosts,
    ).toEqual(['hooks.lan', '10.0.0.7', 'fd00::1']);
    expect(
      loadConfig({}, { 'notifications.webhookAllowedHosts': ['127.0.0.1'] }).notifications.webhookAllowedHosts,
    ).toEqual(['127.0.0.1']);
    for (const bad of ['https://hooks.lan', 'hooks.lan:8443', 'hooks.lan/path']) {
      expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: bad })).toThrow(
        'WEBHOOK_ALLOWED_HOSTS (notifications.webhookAllowedHosts',
      );
    }
  });

  it('bounds Redis on request paths and the shutdown: REDIS_COMMAND_TIMEOUT_MS (2 s) and SHUTDOWN_TIMEOUT_MS (10 s)', () => {
    const defaults = loadConfig({});
    expect([defaults.redisCommandTimeoutMs, defaults.shutdownTimeoutMs]).toEqual([2000, 10_000]);
    const config = loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '500', SHUTDOWN_TIMEOUT_MS: '25000' });
    expect([config.redisCommandTimeoutMs, config.shutdownTimeoutMs]).toEqual([500, 25_000]);
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '0' })).toThrow(
      'REDIS_COMMAND_TIMEOUT_MS (redisCommandTimeoutMs)',
    );
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toThrow('SHUTDOWN_TIMEOUT_MS (shutdownTimeoutMs)');
  });

  it('lists every bad variable at once, by its environment name', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', NODE_ENV: 'production' });
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigInvalidError);
      const text = (e as Error).message;
      expect(text).toContain('PORT (port)');
      expect(text).toContain('DATABASE_URL (databaseUrl)');
      expect(text).toContain('JWT_SECRET (jwtSecret)');
    }
  });

  describe('JWT_SECRET', () => {
    const production = { NODE_ENV: 'production' };
    const problems = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
        return '';
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigInvalidError);
        return (e as Error).message;
      }
    };

    it('is required in production: no development default there', () => {
      expect(problems(production)).toMatch(/JWT_SECRET \(jwtSecret\): /);
      expect(problems({ ...production, JWT_SECRET: '' })).toMatch(/JWT_SECRET \(jwtSecret\): /);
    });

    it('must be at least 32 characters, in every environment', () => {
      expect(problems({ ...production, JWT_SECRET: 'x'.repeat(31) })).toContain(
        'JWT_SECRET (jwtSecret): must be at least 32 characters',
      );
      expect(problems({ JWT_SECRET: 'short' })).toContain('JWT_SECRET (jwtSecret): must be at least 32 characters');
      expect(loadConfig({ ...production, JWT_SECRET: 'p'.repeat(32) }).jwtSecret).toBe('p'.repeat(32));
    });

    it('is refused missing in production with a message saying how to make one, whatever else is set', () => {
      const message = problems({
        ...production,
        DATABASE_URL: 'postgres://u@h/db',
        REDIS_URL: 'redis://h:6379',
        RASOAT_DATA_DIR: '/nonexistent',
      });
      expect(message).toContain('JWT_SECRET (jwtSecret): bắt buộc khi NODE_ENV=production');
      expect(message).toContain('required in production (generate one with openssl rand -base64 48)');
    });

    it('has no value written in the source: the old public development secret is nowhere in the repository', () => {
      // Built from parts so that this file does not contain it either.
      const oldDevelopmentSecret = ['rasoat', 'development', 'secret', 'do', 'not', 'use', 'in', 'production'].join(
        '-',
      );
      const root = resolve(__dirname, '../../..');
      const holders: string[] = [];
      const walk = (dir: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          if (['node_modules', '.git', '.data', '.nx', 'dist', 'coverage'].includes(entry.name)) continue;
          const path = join(dir, entry.name);
          if (entry.isDirectory()) walk(path);
          else if (
            entry.isFile() &&
            statSync(path).size < 2_000_000 &&
            readFileSync(path, 'utf8').includes(oldDevelopmentSecret)
          )
            holders.push(path.slice(root.length + 1));
        }
      };
      walk(root);
      expect(holders).toEqual([]);
    });
  });

  it('reads the rate limit of failed authentications, the trusted proxies and the body limit', () => {
    const defaults = loadConfig(secret);
    expect(defaults.auth.failedAttemptsPerMinute).toBe(20);
    expect(defaults.http).toEqual({ trustProxy: false, bodyLimit: '2mb' });
    const config = loadConfig({
      ...secret,
      AUTH_FAILED_ATTEMPTS_PER_MINUTE: '5',
      TRUST_PROXY: '1',
      HTTP_BODY_LIMIT: '4mb',
    });
    expect(config.auth.failedAttemptsPerMinute).toBe(5);
    expect(config.http).toEqual({ trustProxy: 1, bodyLimit: '4mb' });
    expect(loadConfig({ ...secret, TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ ...secret, TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    expect(loadConfig({ ...secret, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).http.trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ ...secret, AUTH_FAILED_ATTEMPTS_PER_MINUTE: '-1' })).toThrow(
      'AUTH_FAILED_ATTEMPTS_PER_MINUTE (auth.failedAttemptsPerMinute)',
    );
    expect(() => loadConfig({ ...secret, HTTP_BODY_LIMIT: 'lots' })).toThrow('HTTP_BODY_LIMIT (http.bodyLimit)');
  });

  it('listens on loopback unless HOST says otherwise', () => {
    expect(loadConfig(secret).host).toBe('127.0.0.1');
    expect(loadConfig({ ...secret, HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...secret, HOST: '::' }).host).toBe('::');
  });

  it('reads the budget of refused events per actor, case and hour', () => {
    expect(loadConfig({}).cases.refusedEventsPerHour).toBe(100);
    expect(loadConfig({ CASE_REFUSED_EVENTS_PER_HOUR: '0' }).cases.refusedEventsPerHour).toBe(0);
    expect(() => loadConfig({ CASE_REFUSED_EVENTS_PER_HOUR: 'many' })).toThrow(
      'CASE_REFUSED_EVENTS_PER_HOUR (cases.refusedEventsPerHour)',
    );
  });

  it('points links at the port in use when PUBLIC_URL is not set', () => {
    expect(loadConfig({ ...secret, PORT: '3999' }).publicUrl).toBe('http://localhost:3999');
    expect(loadConfig({ ...secret, PORT: '3999', PUBLIC_URL: 'https://rasoat.example.vn' }).publicUrl).toBe(
      'https://rasoat.example.vn',
    );
  });

  it('reads the upload limits, sizes in bytes or with a unit', () => {
    expect(loadConfig({}).uploads).toEqual({
      householdFile: { maxBytes: 10 * 1024 * 1024, maxRows: 10_000, maxExpandedBytes: 50 * 1024 * 1024 },
      unitsFile: { maxBytes: 20 * 1024 * 1024, maxRows: 200_000 },
    });
    const config = loadConfig({
      HOUSEHOLD_FILE_MAX_BYTES: '512kb',
      HOUSEHOLD_FILE_MAX_ROWS: '2000',
      HOUSEHOLD_FILE_MAX_EXPANDED_BYTES: '1048576',
      UNITS_FILE_MAX_BYTES: '1.5mb',
      UNITS_FILE_MAX_ROWS: '50',
    });
    expect(config.uploads).toEqual({
      householdFile: { maxBytes: 512 * 1024, maxRows: 2000, maxExpandedBytes: 1_048_576 },
      unitsFile: { maxBytes: 1_572_864, maxRows: 50 },
    });
    expect(() => loadConfig({ HOUSEHOLD_FILE_MAX_BYTES: 'big' })).toThrow(
      'HOUSEHOLD_FILE_MAX_BYTES (uploads.householdFile.maxBytes)',
    );
    expect(() => loadConfig({ HOUSEHOLD_FILE_MAX_ROWS: '0' })).toThrow(
      'HOUSEHOLD_FILE_MAX_ROWS (uploads.householdFile.maxRows)',
    );
  });
});
