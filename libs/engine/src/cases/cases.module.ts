import { Module } from '@nestjs/common';
import { DeadlinesModule } from '../deadlines';
import { DefinitionsModule } from '../definitions';
import { UnitsModule } from '../units';
import { AlarmRinger } from './alarm-ringer';
import { CaseAcceptanceService } from './case-acceptance.service';
import { CaseEffectWriter } from './case-effect-writer';
import { CaseEngineService } from './case-engine.service';
import { CaseEventRepository } from './case-event.repository';
import { CaseEventsProducer } from './case-events.producer';
import { CaseHistoryRepository } from './case-history.repository';
import { CaseInboxService } from './case-inbox.service';
import { CaseMigrationRepository } from './case-migration.repository';
import { CaseMigrationService } from './case-migration.service';
import { CaseQueryService } from './case-query.service';
import { CaseRewakeService } from './case-rewake.service';
import { CaseViewRepository } from './case-view.repository';
import { DeadlineAlarmsRepository } from './deadline-alarms.repository';
import { OnDueEventSender } from './on-due-event-sender';
import { PendingEventsRepository } from './pending-events.repository';
import { RefusedEventBudget } from './refused-event-budget';
import { ReviewCaseRepository } from './review-case.repository';

/** A village's case: accepting events, applying them, firing its deadlines, reading it. */
@Module({
  imports: [DefinitionsModule, DeadlinesModule, UnitsModule],
  providers: [
    CaseAcceptanceService,
    CaseInboxService,
    CaseEngineService,
    CaseQueryService,
    CaseEffectWriter,
    CaseEventsProducer,
    AlarmRinger,
    OnDueEventSender,
    DeadlineAlarmsRepository,
    CaseRewakeService,
    PendingEventsRepository,
    CaseMigrationService,
    CaseHistoryRepository,
    RefusedEventBudget,
    ReviewCaseRepository,
    CaseEventRepository,
    CaseViewRepository,
    CaseMigrationRepository,
  ],
  exports: [
    CaseAcceptanceService,
    CaseEngineService,
    CaseQueryService,
    AlarmRinger,
    OnDueEventSender,
    CaseRewakeService,
    CaseMigrationService,
  ],
})
export class CasesModule {}
