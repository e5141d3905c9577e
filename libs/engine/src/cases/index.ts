export { AlarmRinger } from './alarm-ringer';
export type { AlarmRun } from './alarm-ringer';
export { CaseAcceptanceService } from './case-acceptance.service';
export type { AcceptOutcome, AcceptRequest } from './case-acceptance.service';
export { CaseChanges } from './case-changes';
export { CaseEffectWriter } from './case-effect-writer';
export { CaseEngineService } from './case-engine.service';
export { CaseEventRepository } from './case-event.repository';
export type { NewCaseEventRow } from './case-event.repository';
export { householdFacts } from './case-facts';
export type { EventReceipt } from './case-inbox.service';
export { lockCases } from './case-lock';
export { CaseMigrationRepository } from './case-migration.repository';
export { CaseMigrationService } from './case-migration.service';
export { CaseQueryService } from './case-query.service';
export { CaseRewakeService } from './case-rewake.service';
export { CaseViewRepository } from './case-view.repository';
export {
  CaseNotFoundException,
  IdempotencyKeyReusedException,
  InvalidPayloadException,
  RefusedEventBudgetExceededException,
  RoleNotAllowedException,
  UnknownEventTypeException,
} from './cases.exception';
export { CasesModule } from './cases.module';
export { DeadlineAlarmsRepository } from './deadline-alarms.repository';
export { EVENT_BATCH, OnDueEventSender } from './on-due-event-sender';
export type { FireOutcome } from './on-due-event-sender';
export { PendingEventsRepository } from './pending-events.repository';
export { ReviewCaseRepository } from './review-case.repository';
export type { DrainedCaseRow } from './review-case.repository';
