import { randomBytes } from 'node:crypto';
import { loadConfig } from './app-config';

// Given, so that loading never touches the data directory's secret file (libs/config/src/jwt-secret-file.int-spec.ts covers it).
const secret = { JWT_SECRET: randomBytes(32).toString('base64url') };

describe('observability settings', () => {
  it('logs JSON in production and pretty lines otherwise, unless LOG_FORMAT says', () => {
    expect(loadConfig(secret).logFormat).toBe('pretty');
    expect(loadConfig({ ...secret, NODE_ENV: 'test' }).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).logFormat).toBe('json');
    expect(loadConfig({ ...secret, LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), LOG_FORMAT: 'pretty' }).logFormat).toBe(
      'pretty',
    );
    expect(() => loadConfig({ ...secret, LOG_FORMAT: 'xml' })).toThrow('LOG_FORMAT (logFormat)');
  });

  it('has no metrics token and no worker metrics listener by default', () => {
    const config = loadConfig(secret);
    expect(config.metricsToken).toBeUndefined();
    expect(config.worker.metricsPort).toBeUndefined();
  });

  it('reads METRICS_TOKEN and WORKER_METRICS_PORT', () => {
    const config = loadConfig({ ...secret, METRICS_TOKEN: 'prometheus-scrape-token', WORKER_METRICS_PORT: '9464' });
    expect(config.metricsToken).toBe('prometheus-scrape-token');
    expect(config.worker.metricsPort).toBe(9464);
    expect(() => loadConfig({ ...secret, METRICS_TOKEN: 'short' })).toThrow('METRICS_TOKEN (metricsToken)');
    expect(() => loadConfig({ ...secret, WORKER_METRICS_PORT: 'ninety' })).toThrow(
      'WORKER_METRICS_PORT (worker.metricsPort)',
    );
  });
});
