import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '@rasoat/config';
import { EngineModule, systemClock, type Clock } from '@rasoat/engine';
import { AuthGuard } from './auth.guard';
import { CalendarController } from './calendar.controller';
import { CampaignsController } from './campaigns.controller';
import { CasesController } from './cases.controller';
import { DefinitionsAdminController, DefinitionsController } from './definitions.controller';
import { DomainExceptionFilter } from './domain-exception.filter';
import { HealthController } from './health.controller';
import { HouseholdsController } from './households.controller';
import { NotificationsAdminController, NotificationsController } from './notifications.controller';

/** The HTTP API: controllers only translate; every route is authenticated unless @Public. */
@Module({})
export class HttpApiModule {
  static forRoot(config: AppConfig, clock: Clock = systemClock, engine: DynamicModule = EngineModule.forRoot(config, clock)): DynamicModule {
    return {
      module: HttpApiModule,
      imports: [engine],
      controllers: [HealthController, CalendarController, CasesController, HouseholdsController, CampaignsController, DefinitionsController, DefinitionsAdminController, NotificationsController, NotificationsAdminController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
      ],
    };
  }
}
