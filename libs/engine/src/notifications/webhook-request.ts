import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/** What a receiver answered: its status and the start of its body (for the delivery's last error). */
export interface WebhookAnswer {
  status: number;
  text: string;
}

/** Bytes of a receiver's answer kept; the rest is read and dropped. */
const ANSWER_KEPT_BYTES = 4096;

/**
 * POSTs a webhook with Node's own client rather than `fetch`, because only it takes a `lookup`:
 * the address the connection goes to is the one `lookup` checked (`WebhookAddressPolicy`).
 * Redirects are not followed (a 3xx is an answer like any other), and `timeoutMs` bounds the
 * whole exchange, answer included.
 */
export function postWebhook(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; lookup: LookupFunction },
): Promise<WebhookAnswer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<WebhookAnswer>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: options.lookup,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (res) => {
        const kept: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < ANSWER_KEPT_BYTES) kept.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(kept).toString('utf8').slice(0, ANSWER_KEPT_BYTES),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
