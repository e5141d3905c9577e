import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@rasoat/config';
import { CaseDeadlinesService } from './case-deadlines.service';
import { CaseSweep } from './case-sweep.service';
import { CampaignsModule } from './campaigns';
import { CasesModule } from './cases';
import { DeadlinesModule } from './deadlines';
import { DefinitionsModule } from './definitions';
import { EngineBootstrap } from './engine-bootstrap.service';
import { HouseholdsModule } from './households';
import { type Clock, CoreModule, systemClock } from './infrastructure';
import type { ProducerPatience } from './infrastructure';
import { NotificationsModule } from './notifications';
import { ReportsModule } from './reports';
import { StandardsModule } from './standards';
import { UnitsModule } from './units';

/**
 * The application modules shared by the API and the worker entry points. `producers`: how
 * enqueueing treats a Redis that does not answer (`ProducerPatience`): `fail-fast` (the default)
 * in every process that serves requests, `wait` in a worker-only process.
 */
@Module({})
export class EngineModule {
  static forRoot(
    config: AppConfig,
    clock: Clock = systemClock,
    options: { producers?: ProducerPatience } = {},
  ): DynamicModule {
    const contexts = [
      StandardsModule,
      DefinitionsModule,
      UnitsModule,
      DeadlinesModule,
      CasesModule,
      CampaignsModule,
      NotificationsModule,
      HouseholdsModule,
      ReportsModule,
    ];
    return {
      module: EngineModule,
      imports: [CoreModule.forRoot(config, clock, options.producers), ...contexts],
      providers: [EngineBootstrap, CaseSweep, CaseDeadlinesService],
      exports: [...contexts, EngineBootstrap, CaseDeadlinesService],
    };
  }
}
