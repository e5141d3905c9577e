import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127(\.\d{1,3}){3}$/.test(a);
}

const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Who may read `/metrics`: a caller on the loopback interface (a Prometheus agent or sidecar on
 * the same host), or one that sends `Authorization: Bearer <METRICS_TOKEN>`. A request that
 * came through a reverse proxy (X-Forwarded-For, Forwarded, X-Real-IP) is not trusted as
 * loopback even when the proxy connects from 127.0.0.1: it needs the token.
 */
export function metricsAccessAllowed(
  request: { remoteAddress: string | undefined; headers: IncomingHttpHeaders },
  metricsToken: string | undefined,
): boolean {
  const header = request.headers.authorization;
  if (metricsToken && typeof header === 'string' && header.startsWith('Bearer ')) {
    // Compared as digests: constant time, whatever the lengths.
    return timingSafeEqual(digest(header.slice(7).trim()), digest(metricsToken));
  }
  const proxied = PROXY_HEADERS.some((h) => request.headers[h] !== undefined);
  return !proxied && isLoopbackAddress(request.remoteAddress);
}
