import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a rasoat webhook request. */
export const WebhookHeader = {
  Delivery: 'X-Rasoat-Delivery',
  Timestamp: 'X-Rasoat-Timestamp',
  Signature: 'X-Rasoat-Signature',
} as const;

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the subscription's secret. The
 * timestamp (unix seconds) is signed too, so a receiver can refuse replays of old requests.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature and compare in constant time; with `now`,
 * also refuse timestamps more than `toleranceSeconds` away.
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  now?: Date,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!headers.signature || !Number.isInteger(timestamp)) return false;
  if (now && Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
