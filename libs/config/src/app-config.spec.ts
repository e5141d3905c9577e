import { ConfigInvalidError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('uses the defaults from config/defaults.yaml', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.queuePrefix).toBe('rasoat');
    expect(config.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(config.worker)).toBe(true);
  });

  it('reads the environment and coerces numbers', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@h:5432/db', WORKER_CONCURRENCY: '4', DEMO_SEED: 'false' });
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://u@h:5432/db');
    expect(config.worker.concurrency).toBe(4);
    expect(config.demo.seed).toBe(false);
  });

  it('reads the notification settings: no SMTP relay by default, SMTP_URL and NOTIFY_FROM from the environment', () => {
    const defaults = loadConfig({});
    expect(defaults.notifications.smtpUrl).toBeUndefined();
    expect(defaults.notifications.digestHour).toBe(7);
    expect(defaults.notifications.allowHttpWebhooks).toBe(false);
    const config = loadConfig({ SMTP_URL: 'smtp://mail.example.gov.vn:587', NOTIFY_FROM: 'rasoat <noreply@example.gov.vn>' });
    expect(config.notifications.smtpUrl).toBe('smtp://mail.example.gov.vn:587');
    expect(config.notifications.from).toBe('rasoat <noreply@example.gov.vn>');
    expect(() => loadConfig({ SMTP_URL: 'http://mail' })).toThrow('SMTP_URL (notifications.smtpUrl)');
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
      expect(problems({ ...production, JWT_SECRET: 'x'.repeat(31) })).toContain('JWT_SECRET (jwtSecret): must be at least 32 characters');
      expect(problems({ JWT_SECRET: 'short' })).toContain('JWT_SECRET (jwtSecret): must be at least 32 characters');
      expect(loadConfig({ ...production, JWT_SECRET: 'p'.repeat(32) }).jwtSecret).toBe('p'.repeat(32));
    });

    it('never is the public development secret in production', () => {
      const devSecret = loadConfig({}).jwtSecret;
      expect(loadConfig({ NODE_ENV: 'test' }).jwtSecret).toBe(devSecret);
      expect(problems({ ...production, JWT_SECRET: devSecret })).toContain('JWT_SECRET (jwtSecret): is the public development secret');
      expect(problems(production)).not.toContain(devSecret);
    });
  });

  it('reads the rate limit of failed authentications, the trusted proxies and the body limit', () => {
    const defaults = loadConfig({});
    expect(defaults.auth.failedAttemptsPerMinute).toBe(20);
    expect(defaults.http).toEqual({ trustProxy: false, bodyLimit: '2mb' });
    const config = loadConfig({ AUTH_FAILED_ATTEMPTS_PER_MINUTE: '5', TRUST_PROXY: '1', HTTP_BODY_LIMIT: '4mb' });
    expect(config.auth.failedAttemptsPerMinute).toBe(5);
    expect(config.http).toEqual({ trustProxy: 1, bodyLimit: '4mb' });
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).http.trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ AUTH_FAILED_ATTEMPTS_PER_MINUTE: '-1' })).toThrow('AUTH_FAILED_ATTEMPTS_PER_MINUTE (auth.failedAttemptsPerMinute)');
    expect(() => loadConfig({ HTTP_BODY_LIMIT: 'lots' })).toThrow('HTTP_BODY_LIMIT (http.bodyLimit)');
  });

  it('points links at the port in use when PUBLIC_URL is not set', () => {
    expect(loadConfig({ PORT: '3999' }).publicUrl).toBe('http://localhost:3999');
    expect(loadConfig({ PORT: '3999', PUBLIC_URL: 'https://rasoat.example.vn' }).publicUrl).toBe('https://rasoat.example.vn');
  });

  it('reads the upload limits, sizes in bytes or with a unit', () => {
    expect(loadConfig({}).uploads).toEqual({
      householdFile: { maxBytes: 10 * 1024 * 1024, maxRows: 10_000, maxExpandedBytes: 50 * 1024 * 1024 },
      unitsFile: { maxBytes: 20 * 1024 * 1024, maxRows: 200_000 },
    });
    const config = loadConfig({ HOUSEHOLD_FILE_MAX_BYTES: '512kb', HOUSEHOLD_FILE_MAX_ROWS: '2000', HOUSEHOLD_FILE_MAX_EXPANDED_BYTES: '1048576', UNITS_FILE_MAX_BYTES: '1.5mb', UNITS_FILE_MAX_ROWS: '50' });
    expect(config.uploads).toEqual({ householdFile: { maxBytes: 512 * 1024, maxRows: 2000, maxExpandedBytes: 1_048_576 }, unitsFile: { maxBytes: 1_572_864, maxRows: 50 } });
    expect(() => loadConfig({ HOUSEHOLD_FILE_MAX_BYTES: 'big' })).toThrow('HOUSEHOLD_FILE_MAX_BYTES (uploads.householdFile.maxBytes)');
    expect(() => loadConfig({ HOUSEHOLD_FILE_MAX_ROWS: '0' })).toThrow('HOUSEHOLD_FILE_MAX_ROWS (uploads.householdFile.maxRows)');
  });
});
