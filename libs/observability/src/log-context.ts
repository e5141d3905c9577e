import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a log line says about where it comes from, carried through async calls: the HTTP
 * request being served, the case being drained, the queue job being processed. Ids only —
 * never names, payloads or tokens.
 */
export interface LogContext {
  requestId?: string;
  caseId?: string;
  jobId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` added to the current one (inner values win). */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

/** The context of the code running now, if any. */
export function currentLogContext(): Readonly<LogContext> | undefined {
  return storage.getStore();
}

/** Adds ids to the current context (no effect outside `runWithLogContext`). */
export function setLogContext(patch: LogContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, patch);
}
