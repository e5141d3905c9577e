import { Module } from '@nestjs/common';
import { DeadlinesModule } from '../deadlines';
import { DefinitionsModule } from '../definitions';
import { UnitsModule } from '../units';
import { CaseAcceptanceService } from './case-acceptance.service';
import { CaseDeadlinesService } from './case-deadlines.service';
import { CaseEffectWriter } from './case-effect-writer';
import { CaseEngineService } from './case-engine.service';
import { CaseEventsProducer } from './case-events.producer';
import { CaseMigrationService } from './case-migration.service';
import { CaseHistoryRepository } from './case-history.repository';
import { CaseQueryService } from './case-query.service';
import { RefusedEventBudget } from './refused-event-budget';

/** A village's case: accepting events, applying them, firing its deadlines, reading it. */
@Module({
  imports: [DefinitionsModule, DeadlinesModule, UnitsModule],
  providers: [CaseAcceptanceService, CaseEngineService, CaseQueryService, CaseEffectWriter, CaseEventsProducer, CaseDeadlinesService, CaseMigrationService, CaseHistoryRepository, RefusedEventBudget],
  exports: [CaseAcceptanceService, CaseEngineService, CaseQueryService, CaseDeadlinesService, CaseMigrationService],
})
export class CasesModule {}
