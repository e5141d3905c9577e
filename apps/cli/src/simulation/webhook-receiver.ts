import { createServer } from 'node:http';

export interface WebhookReceiver {
  /** Where the committees' digests are posted (`<url>/<unit code>`). */
  url: string;
  /** Requests received so far. */
  received(): number;
  close(): Promise<void>;
}

/** A local receiver standing for the committees' systems: answers 204 to every digest POST. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received: () => count,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
