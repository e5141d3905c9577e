// Test fixture: starts an embedded PostgreSQL, prints its pid and url as one JSON line, then idles
// until killed, so a test can `kill -9` this process and leave the server orphaned.
import { startEmbeddedPostgres } from './embedded-postgres-server';

startEmbeddedPostgres({ dataDir: process.argv[2], log: () => undefined }).then(
  (server) => {
    process.stdout.write(`${JSON.stringify({ pid: server.pid, url: server.url })}\n`);
    setInterval(() => undefined, 60_000);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
