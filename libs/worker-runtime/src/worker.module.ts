import { Inject, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { EngineModule, systemClock, TimersProducer, type Clock } from '@rasoat/engine';
import { CaseEventsProcessor } from './case-events.processor';
import { assertEveryJobHandled } from './job-handlers';
import { TimersProcessor } from './timers.processor';

assertEveryJobHandled([CaseEventsProcessor.handles, TimersProcessor.handles]);

class SweeperScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly timers: TimersProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.timers.ensureSweeper(this.config.worker.sweepIntervalSeconds);
  }
}

/** The worker: queue processors only, no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, clock: Clock = systemClock, engine: DynamicModule = EngineModule.forRoot(config, clock), options: { sweeper?: boolean } = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [engine],
      providers: [CaseEventsProcessor, TimersProcessor, ...(options.sweeper === false ? [] : [{ provide: SweeperScheduler, useFactory: (t: TimersProducer, c: AppConfig) => new SweeperScheduler(t, c), inject: [TimersProducer, APP_CONFIG] }])],
    };
  }
}
