import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { readOrCreateSecretFile, SecretFileError } from './secret-file';

const civilDate = z.iso.date();

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024, gb: 1024 * 1024 * 1024 };
/** A number of bytes, or a size such as `10mb` (1 kb = 1024 b), read as bytes. */
const byteSize = z
  .union([
    z.coerce.number().int().positive(),
    z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)$/i, 'must be a number of bytes or a size such as 10mb'),
  ])
  .transform((value) => {
    if (typeof value === 'number') return value;
    const [, amount, unit] = /^(\d+(?:\.\d+)?)\s*(\w+)$/.exec(value.trim()) as RegExpExecArray;
    return Math.floor(Number(amount) * SIZE_UNITS[unit.toLowerCase()]);
  });

/** Everything the processes can be configured with, parsed once and frozen. */
export const AppConfigSchema = z.strictObject({
  env: z.enum(['development', 'test', 'production']),
  port: z.coerce.number().int().min(0).max(65535),
  /** Address the HTTP listeners bind: loopback by default; `0.0.0.0` (all interfaces) behind a proxy or in a container. */
  host: z.string().min(1),
  publicUrl: z.url(),
  dataDir: z.string().min(1),
  /** When absent, the start command provides an embedded PostgreSQL. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** When absent, the start command finds or starts a local Redis. */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** BullMQ key prefix; use a hash tag such as `{rasoat}` on Redis Cluster. */
  queuePrefix: z.string().min(1),
  /**
   * Longest wait for one Redis command on a request path (enqueueing after commit, /health,
   * /metrics, the queue dashboard): past it the command fails and the request goes on without
   * it. Workers wait for Redis as long as it takes.
   */
  redisCommandTimeoutMs: z.coerce.number().int().min(100).max(60_000),
  /** Longest time a process takes to close on SIGTERM / SIGINT before it exits anyway (exit code 124). */
  shutdownTimeoutMs: z.coerce.number().int().min(100).max(600_000),
  jwtSecret: z.string().min(32, 'must be at least 32 characters'),
  /** `json`: one JSON object per line (default in production); `pretty`: human-readable lines. */
  logFormat: z.enum(['json', 'pretty']),
  /** Bearer token that lets a non-loopback scraper read `GET /metrics`; without it only loopback may. */
  metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
  worker: z.strictObject({
    concurrency: z.coerce.number().int().min(1).max(500),
    sweepIntervalSeconds: z.coerce.number().int().min(1),
    staleEventSeconds: z.coerce.number().int().min(1),
    /** Port of the worker's own `GET /metrics` listener; absent = no listener (the worker has no HTTP otherwise). */
    metricsPort: z.coerce.number().int().min(0).max(65535).optional(),
  }),
  auth: z.strictObject({
    /**
     * Failed authentications (a bad or expired token) one client IP may make per minute, counted
     * in Redis across every API process; past it the API answers 429 with Retry-After until the
     * minute ends. 0 turns the limit off.
     */
    failedAttemptsPerMinute: z.coerce.number().int().min(0).max(1_000_000),
  }),
  cases: z.strictObject({
    /**
     * Events of one actor (token `sub`) that the engine may refuse on one case within an hour;
     * at that count the API answers 429 with Retry-After to the actor's next events for the case,
     * and records nothing. 0 turns the limit off.
     */
    refusedEventsPerHour: z.coerce.number().int().min(0).max(1_000_000),
  }),
  http: z.strictObject({
    /**
     * Express's `trust proxy`: false (default: the client is the TCP peer), true, a number of
     * proxy hops (1 behind one nginx) or addresses/subnets of trusted proxies. The rate limit's
     * client IP comes from X-Forwarded-For only through trusted proxies.
     */
    trustProxy: z.union([z.boolean(), z.number().int().min(0), z.string()]).transform(parseTrustProxy),
    /** Largest JSON or form body accepted (bytes, or a size such as `2mb`); larger ones get 413. */
    bodyLimit: z.union([
      z.number().int().positive(),
      z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb)$/i, 'must be a size such as 2mb'),
    ]),
  }),
  /**
   * Limits of uploaded files, enforced while reading (a file past one is refused with 413 and a
   * code naming it, and its reading stops there).
   */
  uploads: z.strictObject({
    /** Household lists (CSV/XLSX) posted to `POST /api/cases/:id/households/import`. */
    householdFile: z.strictObject({
      /** Bytes on the wire; a larger body is refused before it is read whole. */
      maxBytes: byteSize,
      /** Households (data rows) in one file. */
      maxRows: z.coerce.number().int().min(1).max(1_000_000),
      /** XLSX: bytes inflated from the parts read (the ZIP's compression ratio guard is 100). */
      maxExpandedBytes: byteSize,
    }),
    /** Administrative units files read by `rasoat units import`. */
    unitsFile: z.strictObject({
      maxBytes: byteSize,
      maxRows: z.coerce.number().int().min(1).max(10_000_000),
    }),
  }),
  notifications: z.strictObject({
    /** Local hour (Asia/Ho_Chi_Minh) at which the daily digests of the previous day are built and sent. */
    digestHour: z.coerce.number().int().min(0).max(23),
    /** Villages listed per group in a digest; the rest are counted. */
    digestMaxItems: z.coerce.number().int().min(1).max(1000),
    /** `smtp://` or `smtps://` URL of the mail relay; when absent e-mail deliveries stay pending. */
    smtpUrl: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    /** Sender of the e-mails, e.g. `rasoat <no-reply@example.gov.vn>`. */
    from: z.string().min(3),
    /** Allows `http://` webhook URLs (tests, local receivers); production requires https. */
    allowHttpWebhooks: z.boolean(),
    /**
     * Hosts (names or IP addresses, as written in the URL) whose webhooks may reach loopback,
     * private, link-local or unspecified addresses; every other webhook host must be, and resolve
     * to, public addresses only (checked at subscription and again at each delivery).
     */
    webhookAllowedHosts: z
      .union([z.array(z.string()), z.string()])
      .transform((hosts) =>
        (typeof hosts === 'string' ? hosts.split(',') : hosts)
          .map((h) =>
            h
              .trim()
              .toLowerCase()
              .replace(/^\[(.*)\]$/, '$1'),
          )
          .filter((h) => h !== ''),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^(?:[a-z0-9._-]+|[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*)$/,
              'each must be a host name or an IP address, without scheme, port or path',
            ),
        ),
      ),
    webhookTimeoutMs: z.coerce.number().int().min(100).max(120_000),
    /** BullMQ attempts and exponential backoff of one delivery; after the last attempt it is dead. */
    deliveryAttempts: z.coerce.number().int().min(1).max(50),
    deliveryBackoffMs: z.coerce.number().int().min(1),
    deliveryConcurrency: z.coerce.number().int().min(1).max(100),
  }),
  demo: z.strictObject({
    seed: z.coerce.boolean(),
    provinceCode: z.string().min(1),
    year: z.coerce.number().int().min(2000),
    windowStart: civilDate,
    windowEnd: civilDate,
    /** The definition version the demo campaign pins (`id@version`). */
    definitionKey: z.string().regex(/^[a-z][a-z0-9-]*@\d+$/, 'must be id@version, e.g. periodic-review@3'),
    /** The season played at the first start, in virtual time, up to now (libs/season). */
    season: z.strictObject({
      play: z.coerce.boolean(),
      /** The villages' behaviour is drawn from this seed: the same seed plays the same season. */
      seed: z.coerce.number().int().min(0).max(0xffffffff),
    }),
  }),
});
export type AppConfig = Readonly<z.infer<typeof AppConfigSchema>>;

export class ConfigInvalidError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigInvalidError';
  }
}

/** Environment variable → config path. The only place in the code base that reads process.env. */
const ENV_MAP: Record<string, string> = {
  NODE_ENV: 'env',
  PORT: 'port',
  HOST: 'host',
  PUBLIC_URL: 'publicUrl',
  RASOAT_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  QUEUE_PREFIX: 'queuePrefix',
  REDIS_COMMAND_TIMEOUT_MS: 'redisCommandTimeoutMs',
  SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  JWT_SECRET: 'jwtSecret',
  WORKER_CONCURRENCY: 'worker.concurrency',
  WORKER_METRICS_PORT: 'worker.metricsPort',
  WORKER_SWEEP_INTERVAL_SECONDS: 'worker.sweepIntervalSeconds',
  LOG_FORMAT: 'logFormat',
  METRICS_TOKEN: 'metricsToken',
  AUTH_FAILED_ATTEMPTS_PER_MINUTE: 'auth.failedAttemptsPerMinute',
  CASE_REFUSED_EVENTS_PER_HOUR: 'cases.refusedEventsPerHour',
  TRUST_PROXY: 'http.trustProxy',
  HTTP_BODY_LIMIT: 'http.bodyLimit',
  HOUSEHOLD_FILE_MAX_BYTES: 'uploads.householdFile.maxBytes',
  HOUSEHOLD_FILE_MAX_ROWS: 'uploads.householdFile.maxRows',
  HOUSEHOLD_FILE_MAX_EXPANDED_BYTES: 'uploads.householdFile.maxExpandedBytes',
  UNITS_FILE_MAX_BYTES: 'uploads.unitsFile.maxBytes',
  UNITS_FILE_MAX_ROWS: 'uploads.unitsFile.maxRows',
  SMTP_URL: 'notifications.smtpUrl',
  NOTIFY_FROM: 'notifications.from',
  WEBHOOK_ALLOWED_HOSTS: 'notifications.webhookAllowedHosts',
  DEMO_SEED: 'demo.seed',
  DEMO_DEFINITION_KEY: 'demo.definitionKey',
  DEMO_SEASON: 'demo.season.play',
  DEMO_SEASON_SEED: 'demo.season.seed',
};

/** Switches read from the environment: anything but `false` or `0` turns them on. */
const SWITCHES = new Set(['demo.seed', 'demo.season.play']);

/**
 * Outside production without JWT_SECRET, tokens are signed with a random secret of the data
 * directory, kept in this file (mode 0600) and shared by every process and CLI run on it.
 */
export const JWT_SECRET_FILE = 'jwt-secret';

/** `TRUST_PROXY` as Express takes it: `true`/`false`, a hop count, or a list of addresses. */
function parseTrustProxy(value: boolean | number | string): boolean | number | string {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/**
 * Builds the configuration from `config/defaults.yaml`, then the environment, then explicit
 * overrides (tests). Reports every bad variable at once, naming the environment variable.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Record<string, unknown> = {},
  repoRoot = resolve(__dirname, '../../..'),
): AppConfig {
  const defaults = parse(readFileSync(resolve(repoRoot, 'config/defaults.yaml'), 'utf8')) as Record<string, unknown>;
  const raw: Record<string, unknown> = structuredClone(defaults);
  raw.env = 'development';
  for (const [name, path] of Object.entries(ENV_MAP)) {
    const value = env[name];
    if (value !== undefined && value !== '')
      setPath(raw, path, SWITCHES.has(path) ? value !== 'false' && value !== '0' : value);
  }
  for (const [path, value] of Object.entries(overrides)) setPath(raw, path, value);
  // Without PUBLIC_URL, links point at the local port the process listens on.
  const publicUrlGiven = (env.PUBLIC_URL ?? '') !== '' || 'publicUrl' in overrides;
  if (!publicUrlGiven && raw.port !== undefined && Number(raw.port) > 0)
    raw.publicUrl = `http://localhost:${Number(raw.port)}`;
  if (raw.logFormat === undefined) raw.logFormat = raw.env === 'production' ? 'json' : 'pretty';
  raw.dataDir = resolve(repoRoot, String(raw.dataDir));
  // Production brings its own secret; elsewhere a secret of this install is generated once, so
  // that no two installs, and no reader of the source, share one.
  let jwtSecretProblem: string | undefined;
  if (raw.jwtSecret === undefined && raw.env === 'production') {
    jwtSecretProblem =
      'bắt buộc khi NODE_ENV=production (tạo bằng openssl rand -base64 48) / required in production (generate one with openssl rand -base64 48)';
  } else if (raw.jwtSecret === undefined) {
    try {
      raw.jwtSecret = readOrCreateSecretFile(join(String(raw.dataDir), JWT_SECRET_FILE), { bytes: 48, minLength: 32 });
    } catch (error) {
      if (!(error instanceof SecretFileError)) throw error;
      jwtSecretProblem = `${error.message}; hoặc đặt JWT_SECRET / or set JWT_SECRET`;
    }
  }

  const result = AppConfigSchema.safeParse(raw);
  if (!result.success || jwtSecretProblem) {
    const byPath = Object.fromEntries(Object.entries(ENV_MAP).map(([k, v]) => [v, k]));
    const issues = [
      ...(jwtSecretProblem ? [{ path: ['jwtSecret'], message: jwtSecretProblem }] : []),
      ...(result.success
        ? []
        : result.error.issues.filter((i) => !(jwtSecretProblem && i.path.join('.') === 'jwtSecret'))),
    ];
    throw new ConfigInvalidError(
      issues.map((i) => {
        const path = i.path.join('.');
        // A list's item (`notifications.webhookAllowedHosts.0`) comes from its list's variable.
        const variable = byPath[path] ?? byPath[path.replace(/\.\d+$/, '')];
        return `${variable ? `${variable} (${path})` : path}: ${i.message}`;
      }),
    );
  }
  return deepFreeze(result.data);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Injection token for the frozen configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
