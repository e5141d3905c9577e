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
});
