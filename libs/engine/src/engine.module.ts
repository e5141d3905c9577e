import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@rasoat/config';
import { CampaignsModule } from './campaigns/campaigns.module';
import { CasesModule } from './cases/cases.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { DefinitionsModule } from './definitions/definitions.module';
import { EngineBootstrap } from './engine-bootstrap.service';
import { HouseholdsModule } from './households/households.module';
import { systemClock, type Clock } from './infrastructure/clock';
import { CoreModule } from './infrastructure/core.module';
import type { ProducerPatience } from './infrastructure/producer-queues';
import { NotificationsModule } from './notifications/notifications.module';
import { ReportsModule } from './reports/reports.module';
import { UnitsModule } from './units/units.module';

/**
 * The application modules shared by the API and the worker entry points. `producers`: how
 * enqueueing treats a Redis that does not answer (`ProducerPatience`): `fail-fast` (the default)
 * in every process that serves requests, `wait` in a worker-only process.
 */
@Module({})
export class EngineModule {
  static forRoot(config: AppConfig, clock: Clock = systemClock, options: { producers?: ProducerPatience } = {}): DynamicModule {
    const contexts = [DefinitionsModule, UnitsModule, DeadlinesModule, CasesModule, CampaignsModule, NotificationsModule, HouseholdsModule, ReportsModule];
    return {
      module: EngineModule,
      imports: [CoreModule.forRoot(config, clock, options.producers), ...contexts],
      providers: [EngineBootstrap],
      exports: [...contexts, EngineBootstrap],
    };
  }
}
