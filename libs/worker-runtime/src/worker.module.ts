import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { EngineModule, systemClock, TimersProducer, type Clock } from '@rasoat/engine';
import { CaseEventsProcessor } from './case-events.processor';
import { digestSchedulerProvider } from './digest-scheduler';
import { assertEveryJobHandled } from './job-handlers';
import { NotificationsProcessor } from './notifications.processor';
import { TimersProcessor } from './timers.processor';

assertEveryJobHandled([CaseEventsProcessor, TimersProcessor, NotificationsProcessor]);

/**
 * Keeps the sweeper's job scheduler in Redis: at start, and again every four sweep intervals
 * (`worker.sweepIntervalSeconds`, at least every 10 s), because a Redis that restarted empty has
 * lost it (the sweeps then re-arm the alarm wake-ups, each the next hour's).
 */
class SweeperScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly timers: TimersProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensure();
    this.timer = setInterval(
      () => void this.ensure().catch(() => undefined),
      Math.max(10, this.config.worker.sweepIntervalSeconds * 4) * 1000,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private ensure(): Promise<void> {
    return this.timers.ensureSweeper(this.config.worker.sweepIntervalSeconds);
  }
}

/**
 * The worker: queue processors only, no HTTP. Alone in its process (the default `engine`), its
 * producers wait for Redis like its workers; beside the API it shares the API's engine.
 */
@Module({})
export class WorkerModule {
  static forRoot(
    config: AppConfig,
    clock: Clock = systemClock,
    engine: DynamicModule = EngineModule.forRoot(config, clock, { producers: 'wait' }),
    options: { sweeper?: boolean } = {},
  ): DynamicModule {
    return {
      module: WorkerModule,
      imports: [engine],
      providers: [
        CaseEventsProcessor,
        TimersProcessor,
        NotificationsProcessor,
        ...(options.sweeper === false
          ? []
          : [
              digestSchedulerProvider,
              {
                provide: SweeperScheduler,
                useFactory: (t: TimersProducer, c: AppConfig) => new SweeperScheduler(t, c),
                inject: [TimersProducer, APP_CONFIG],
              },
            ]),
      ],
    };
  }
}
