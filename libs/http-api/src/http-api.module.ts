import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '@rasoat/config';
import { EngineModule, systemClock, type Clock } from '@rasoat/engine';
import { AdminSessionController } from './admin-session.controller';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { AuthGuard } from './auth.guard';
import { CalendarController } from './calendar.controller';
import { CampaignsController } from './campaigns.controller';
import { CasesController } from './cases.controller';
import { DefinitionsAdminController, DefinitionsController } from './definitions.controller';
import { DomainExceptionFilter } from './domain-exception.filter';
import { HealthController } from './health.controller';
import { HouseholdsController } from './households.controller';
import { MetricsController, ScrapeSourcesRegistration } from './metrics.controller';
import { NotificationsAdminController, NotificationsController } from './notifications.controller';
import { QueueDashboard } from './queue-dashboard';
import { ReportsController } from './reports.controller';
import { UnitsAdminController } from './units-admin.controller';
import { WebController } from './web.controller';

/** The HTTP API: controllers only translate; every route is authenticated unless @Public. */
@Module({})
export class HttpApiModule {
  static forRoot(
    config: AppConfig,
    clock: Clock = systemClock,
    engine: DynamicModule = EngineModule.forRoot(config, clock),
  ): DynamicModule {
    return {
      module: HttpApiModule,
      imports: [engine],
      controllers: [
        HealthController,
        MetricsController,
        AdminSessionController,
        CalendarController,
        CasesController,
        HouseholdsController,
        CampaignsController,
        DefinitionsController,
        DefinitionsAdminController,
        NotificationsController,
        NotificationsAdminController,
        ReportsController,
        UnitsAdminController,
        WebController,
      ],
      providers: [
        AuthFailureLimiter,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        ScrapeSourcesRegistration,
        QueueDashboard,
      ],
    };
  }
}
