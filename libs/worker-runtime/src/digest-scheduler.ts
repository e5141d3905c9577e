import { Inject, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { NotificationsProducer } from '@rasoat/engine';

/**
 * Keeps the daily digest's job scheduler in Redis (at `notifications.digestHour` local time):
 * at start, and again every ten minutes in case Redis restarted empty. Upserting is idempotent,
 * so every worker process may do it.
 */
export class DigestScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly producer: NotificationsProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensure();
    this.timer = setInterval(() => void this.ensure().catch(() => undefined), 10 * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private ensure(): Promise<void> {
    return this.producer.ensureDigestSchedule(this.config.notifications.digestHour);
  }
}

/** The provider, built by hand like the sweeper's (it is not an @Injectable of the engine). */
export const digestSchedulerProvider = {
  provide: DigestScheduler,
  useFactory: (p: NotificationsProducer, c: AppConfig) => new DigestScheduler(p, c),
  inject: [NotificationsProducer, APP_CONFIG],
};
