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
