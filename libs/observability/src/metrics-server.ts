import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics';
import { metricsAccessAllowed } from './metrics-access';

/**
 * A small HTTP listener that serves only `GET /metrics`, for processes without an HTTP API
 * (the worker, with WORKER_METRICS_PORT). Same access rule as the API's `/metrics`.
 */
export async function startMetricsServer(
  metrics: Metrics,
  options: { port: number; host?: string; metricsToken?: string },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'ROUTE_NOT_FOUND', message: 'only GET /metrics here', details: {} } }));
      return;
    }
    if (
      !metricsAccessAllowed({ remoteAddress: req.socket.remoteAddress, headers: req.headers }, options.metricsToken)
    ) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(
        JSON.stringify({
          error: {
            code: 'METRICS_UNAUTHORIZED',
            message: 'metrics are served to loopback or with Authorization: Bearer <METRICS_TOKEN>',
            details: {},
          },
        }),
      );
      return;
    }
    metrics.render().then(
      (text) =>
        res.writeHead(200, { 'content-type': metrics.contentType }).end(req.method === 'HEAD' ? undefined : text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  server.unref();
  return { server, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
