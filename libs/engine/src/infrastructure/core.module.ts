import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { QueueName } from '@rasoat/contracts';
import { ObservabilityModule } from '@rasoat/observability';
import { ormOptions } from '@rasoat/persistence';
import { CLOCK, systemClock, type Clock } from './clock';
import { producerQueueProviders, producerQueueToken, type ProducerPatience } from './producer-queues';
import { redisOptions } from './redis-connection';

/**
 * Configuration, clock, PostgreSQL (MikroORM), Redis (BullMQ) and metrics for every process. The
 * database and Redis URLs are resolved before Nest starts (embedded defaults or env). The queues
 * are registered with patient connections (the workers' options); producers and requests use
 * them through `InjectProducerQueue`, fail-fast or patient as `producers` says.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, clock: Clock = systemClock, producers: ProducerPatience = 'fail-fast'): DynamicModule {
    if (!config.databaseUrl || !config.redisUrl) throw new Error('CoreModule needs resolved databaseUrl and redisUrl');
    const databaseUrl = config.databaseUrl;
    const redisUrl = config.redisUrl;
    return {
      module: CoreModule,
      imports: [
        MikroOrmModule.forRoot({ ...ormOptions(databaseUrl, {}, Math.max(10, config.worker.concurrency + 4)), registerRequestContext: false }),
        BullModule.forRoot({
          connection: redisOptions(redisUrl),
          prefix: config.queuePrefix,
          defaultJobOptions: {
            attempts: 20,
            backoff: { type: 'exponential', delay: 500 },
            removeOnComplete: true,
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        }),
        BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name }))),
        ObservabilityModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }, { provide: CLOCK, useValue: clock }, ...producerQueueProviders(producers)],
      exports: [APP_CONFIG, CLOCK, BullModule, ...Object.values(QueueName).map(producerQueueToken)],
    };
  }
}
