import { Logger } from '@nestjs/common';

/** How a process ended after SIGTERM / SIGINT: its exit code says what happened. */
export const ShutdownExitCode = {
  /** Everything closed in time. */
  Closed: 0,
  /** Closing threw (logged); the process exits all the same. */
  Failed: 1,
  /** Not closed within the time allowed (a Redis or PostgreSQL that does not answer): exited anyway, as timeout(1) does. */
  TimedOut: 124,
} as const;
export type ShutdownOutcome = 'closed' | 'failed' | 'timed-out';

const EXIT_CODES: Record<ShutdownOutcome, number> = {
  closed: ShutdownExitCode.Closed,
  failed: ShutdownExitCode.Failed,
  'timed-out': ShutdownExitCode.TimedOut,
};

/** Runs `close` for at most `timeoutMs`: closed, failed (logged), or timed out (left running). */
export async function closeWithin(
  what: string,
  close: () => Promise<unknown>,
  timeoutMs: number,
  logger = new Logger('Shutdown'),
): Promise<ShutdownOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<ShutdownOutcome>(
    (resolve) => (timer = setTimeout(() => resolve('timed-out'), timeoutMs)),
  );
  const closed = close().then(
    (): ShutdownOutcome => 'closed',
    (e: unknown): ShutdownOutcome => {
      logger.error(`${what}: closing failed: ${e instanceof Error ? e.message : String(e)}`);
      return 'failed';
    },
  );
  const outcome = await Promise.race([closed, timedOut]).finally(() => clearTimeout(timer));
  if (outcome === 'timed-out')
    logger.error(
      `${what}: not closed after ${timeoutMs} ms (a Redis or PostgreSQL that does not answer?); exiting anyway`,
    );
  return outcome;
}

/**
 * Closes the application on SIGTERM or SIGINT within `timeoutMs` whatever Redis or PostgreSQL
 * do, then exits with a code that says how (`ShutdownExitCode`). Nest's own shutdown hooks wait
 * for every queue and worker to close, which never happens while Redis hangs. Connections still
 * open at the deadline are dropped by the exit: BullMQ redelivers a job whose worker vanished,
 * and nothing accepted is lost (events are committed before they are answered).
 * `afterClose` (the embedded servers of `npm start`) runs next, with a deadline of its own.
 */
export function closeOnSignals(
  app: { close(): Promise<void> },
  options: { timeoutMs: number; afterClose?: () => Promise<void> },
): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: closing, at most ${options.timeoutMs} ms`);
    void (async () => {
      let outcome = await closeWithin('application', () => app.close(), options.timeoutMs, logger);
      if (options.afterClose) {
        const after = await closeWithin('local services', options.afterClose, options.timeoutMs, logger);
        if (outcome === 'closed') outcome = after;
      }
      logger.log(`${signal}: ${outcome}, exit code ${EXIT_CODES[outcome]}`);
      process.exit(EXIT_CODES[outcome]);
    })();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
