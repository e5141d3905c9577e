import type { LoggerService, LogLevel } from '@nestjs/common';
import { currentLogContext, type LogContext } from './log-context';
import { safeErrorMessage, safeErrorStack } from './safe-error';

export type LogFormat = 'json' | 'pretty';

/** The levels written unless told otherwise (Nest's `debug` and `verbose` are dropped). */
export const DEFAULT_LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log'];
export const ALL_LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Level names in the output: Nest's `log` is `info` to log collectors. */
const LEVEL_NAME: Record<LogLevel, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'verbose',
};

/**
 * Keys whose values never reach a log line, whatever a caller passes: request and event
 * bodies, payloads, credentials. Logs carry ids and counts, not content (PII rule, README).
 */
const REDACTED_KEYS = new Set([
  'payload',
  'data',
  'body',
  'authorization',
  'cookie',
  'token',
  'password',
  'secret',
  'headers',
]);
const REDACTED = '[redacted]';

/** One log line before formatting. */
export interface LogEntry {
  time: string;
  level: string;
  pid: number;
  context?: string;
  msg: string;
  requestId?: string;
  caseId?: string;
  jobId?: string;
  /** Structured fields of the line (method, status, durationMs…). */
  fields: Record<string, unknown>;
  stack?: string;
}

const STACK_LIKE = /\n\s+at\s/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Error) &&
    !(value instanceof Date)
  );
}

function safeFields(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    out[key] = REDACTED_KEYS.has(key.toLowerCase())
      ? REDACTED
      : value instanceof Error
        ? safeErrorMessage(value)
        : value;
  }
  return out;
}

/**
 * Turns the arguments of a Nest logger call into an entry. Nest's conventions: the last
 * string parameter is the context (a `Logger` instance appends its own); `error(message,
 * stack?, context?)`; a message may be an object (its fields become fields of the line, `msg`
 * its message) or an Error.
 */
export function buildLogEntry(
  level: LogLevel,
  message: unknown,
  optionalParams: unknown[],
  context: LogContext | undefined,
  now: Date,
  pid: number,
): LogEntry {
  const params = [...optionalParams];
  let contextName: string | undefined;
  const last = params[params.length - 1];
  // A lone string after an error's message is its stack when it looks like one, else the context.
  if (typeof last === 'string' && !(level === 'error' && params.length === 1 && STACK_LIKE.test(last))) {
    contextName = last;
    params.pop();
  }
  let stack: string | undefined;
  let fields: Record<string, unknown> = {};
  let msg: string;
  if (message instanceof Error) {
    msg = safeErrorMessage(message);
    stack = safeErrorStack(message);
  } else if (isPlainObject(message)) {
    const { msg: m, message: m2, ...rest } = message;
    msg = typeof m === 'string' ? m : typeof m2 === 'string' ? m2 : '';
    fields = safeFields(rest);
  } else {
    msg = typeof message === 'string' ? message : String(message);
  }
  const extra: string[] = [];
  for (const param of params) {
    if (param === undefined || param === null) continue;
    if (param instanceof Error) stack ??= safeErrorStack(param);
    else if (typeof param === 'string' && level === 'error' && STACK_LIKE.test(param)) stack ??= param;
    else if (isPlainObject(param)) fields = { ...fields, ...safeFields(param) };
    else extra.push(String(param));
  }
  if (extra.length > 0) msg = [msg, ...extra].filter(Boolean).join(' ');
  return {
    time: now.toISOString(),
    level: LEVEL_NAME[level],
    pid,
    context: contextName,
    msg,
    requestId: context?.requestId,
    caseId: context?.caseId,
    jobId: context?.jobId,
    fields,
    stack,
  };
}

function render(value: unknown): string {
  return typeof value === 'string' ? (/\s/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value);
}

/** One line: a JSON object, or `time LEVEL [context] msg key=value…` for people. */
export function formatLogEntry(entry: LogEntry, format: LogFormat): string {
  const { fields, ...base } = entry;
  if (format === 'json') {
    const ordered: Record<string, unknown> = {
      time: base.time,
      level: base.level,
      context: base.context,
      msg: base.msg,
      requestId: base.requestId,
      caseId: base.caseId,
      jobId: base.jobId,
      pid: base.pid,
    };
    for (const [k, v] of Object.entries(fields)) if (!(k in ordered)) ordered[k] = v;
    if (base.stack) ordered.stack = base.stack;
    // JSON.stringify drops undefined members; a value that cannot be serialised is reported, not thrown.
    try {
      return JSON.stringify(ordered);
    } catch {
      return JSON.stringify({
        ...ordered,
        ...Object.fromEntries(Object.keys(fields).map((k) => [k, '[unserialisable]'])),
      });
    }
  }
  const ids = (['requestId', 'caseId', 'jobId'] as const).filter((k) => base[k]).map((k) => `${k}=${base[k]}`);
  const kv = Object.entries(fields).map(([k, v]) => `${k}=${render(v)}`);
  const tail = [...kv, ...ids].join(' ');
  const line = `${base.time} ${base.level.toUpperCase().padEnd(7)} [${base.context ?? 'app'}] ${base.msg}${tail ? `  ${tail}` : ''}`;
  return base.stack ? `${line}\n${base.stack}` : line;
}

export interface StructuredLoggerOptions {
  format: LogFormat;
  levels?: LogLevel[];
  /** Where lines go; stdout by default (one line per entry, JSON lines never contain a newline). */
  write?: (line: string, level: LogLevel) => void;
  now?: () => Date;
}

/**
 * The processes' Nest logger: one JSON object per line (`LOG_FORMAT=json`, the default when
 * NODE_ENV=production) or a readable line, with the request, case and job ids of the async
 * context the call runs in (`runWithLogContext`).
 */
export class StructuredLogger implements LoggerService {
  private levels: Set<LogLevel>;
  private readonly write: (line: string, level: LogLevel) => void;
  private readonly now: () => Date;

  constructor(private readonly options: StructuredLoggerOptions) {
    this.levels = new Set(options.levels ?? DEFAULT_LOG_LEVELS);
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.now = options.now ?? (() => new Date());
  }

  get format(): LogFormat {
    return this.options.format;
  }

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.emit('log', message, optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.emit('error', message, optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.emit('warn', message, optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.emit('debug', message, optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.emit('verbose', message, optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.emit('fatal', message, optionalParams);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.levels.has(level);
  }

  private emit(level: LogLevel, message: unknown, optionalParams: unknown[]): void {
    if (!this.levels.has(level)) return;
    const entry = buildLogEntry(level, message, optionalParams, currentLogContext(), this.now(), process.pid);
    this.write(formatLogEntry(entry, this.options.format), level);
  }
}

/** The logger of a process, from its configuration (`logFormat`). */
export function createAppLogger(
  config: { logFormat: LogFormat },
  levels: LogLevel[] = DEFAULT_LOG_LEVELS,
): StructuredLogger {
  return new StructuredLogger({ format: config.logFormat, levels });
}
