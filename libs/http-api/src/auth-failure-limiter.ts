import { HttpException, HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { CLOCK, redisOptions, type Clock } from '@rasoat/engine';

/** Length of one counting window. */
const WINDOW_MS = 60_000;

/** The error code of the 429. */
export const TOO_MANY_AUTH_FAILURES = 'AUTH_TOO_MANY_FAILURES';

/** 429: too many failed authentications from one client IP in the current minute. */
export class TooManyAuthFailuresException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        code: TOO_MANY_AUTH_FAILURES,
        message: `Quá nhiều lần xác thực sai, thử lại sau ${retryAfterSeconds} giây / too many failed authentications, retry after ${retryAfterSeconds} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * Counts failed authentications (a bad or expired token, on the API or the queue dashboard) per client IP in fixed
 * one-minute windows in Redis, so the limit holds across every API process: `INCR` then
 * `PEXPIRE` of `<queuePrefix>:auth-failures:<minute>:<ip>` (the queue prefix keeps test files
 * and deployments apart, and carries the hash tag on Redis Cluster). Past
 * `auth.failedAttemptsPerMinute` the API answers 429 with `Retry-After` (the rest of the
 * minute) instead of 401.
 *
 * Only failures touch Redis: a valid token costs nothing and is never refused, so an office
 * behind one NAT address keeps working while a broken or hostile client there is slowed down
 * (with 256-bit HMAC tokens guessing is hopeless anyway; the limit is against noise and load).
 * When Redis does not answer within a second, the failure is not counted (fail open): the
 * request still gets its 401.
 */
@Injectable()
export class AuthFailureLimiter implements OnModuleDestroy {
  private readonly logger = new Logger('AuthFailureLimiter');
  private readonly redis?: Redis;
  private readonly limit: number;
  private redisDownLogged = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.limit = config.auth.failedAttemptsPerMinute;
    if (this.limit > 0 && config.redisUrl) {
      // Its own connection, opened at the first failure: most processes never need it. One
      // attempt per command, bounded in time: a slow Redis must not hold requests.
      this.redis = new Redis({
        ...redisOptions(config.redisUrl),
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        commandTimeout: 1000,
        connectionName: 'rasoat-auth-limiter',
      });
      this.redis.on('error', (e: Error) => this.redisDown(e));
    }
  }

  /**
   * Counts one failed authentication of the request's client. Throws `TooManyAuthFailuresException`
   * (and sets `Retry-After`) once the client is past the limit; returns otherwise.
   */
  async recordFailure(request: Request, response: Response): Promise<void> {
    if (!this.redis) return;
    const now = this.clock.now().getTime();
    const window = Math.floor(now / WINDOW_MS);
    const ip = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
    const key = `${this.config.queuePrefix}:auth-failures:${window}:${ip}`;
    let count: number;
    try {
      const replies = await this.redis
        .multi()
        .incr(key)
        .pexpire(key, WINDOW_MS * 2)
        .exec();
      count = Number(replies?.[0]?.[1]);
    } catch (e) {
      this.redisDown(e as Error);
      return;
    }
    this.redisDownLogged = false;
    if (!(count > this.limit)) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    if (count === this.limit + 1)
      this.logger.warn(
        `client ${ip} passed ${this.limit} failed authentications this minute; answering 429 for ${retryAfterSeconds} s`,
      );
    response.setHeader('Retry-After', String(retryAfterSeconds));
    throw new TooManyAuthFailuresException(retryAfterSeconds);
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis.disconnect();
  }

  private redisDown(e: Error): void {
    if (this.redisDownLogged) return;
    this.redisDownLogged = true;
    this.logger.warn(`Redis unavailable, failed authentications are not counted: ${e.message}`);
  }
}
