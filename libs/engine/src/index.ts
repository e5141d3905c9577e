export {
  AuthErrorCode,
  AuthException,
  NATION,
  TokenAudience,
  TokenClaims,
  assertInScope,
  roleLevelRefusal,
  signToken,
  verifyToken,
} from './auth';
export {
  CampaignNotFoundException,
  CampaignRepository,
  CampaignsService,
  ProgressRepository,
  ProgressService,
} from './campaigns';
export type { NewCampaignRow, RecordedStandard } from './campaigns';
export { CaseDeadlinesService } from './case-deadlines.service';
export type { SweepRun } from './case-sweep.service';
export {
  CaseAcceptanceService,
  CaseChanges,
  CaseEffectWriter,
  CaseEngineService,
  CaseEventRepository,
  CaseMigrationRepository,
  CaseMigrationService,
  CaseNotFoundException,
  CaseQueryService,
  CaseViewRepository,
  DeadlineAlarmsRepository,
  EVENT_BATCH,
  IdempotencyKeyReusedException,
  InvalidPayloadException,
  PendingEventsRepository,
  RefusedEventBudgetExceededException,
  ReviewCaseRepository,
  RoleNotAllowedException,
  UnknownEventTypeException,
} from './cases';
export type {
  AcceptOutcome,
  AcceptRequest,
  AlarmRun,
  DrainedCaseRow,
  EventReceipt,
  FireOutcome,
  NewCaseEventRow,
} from './cases';
export {
  CALENDAR_DATA_DIR,
  CalendarAdminService,
  DeadlineCalculator,
  DeadlineRepository,
  TimersProducer,
  loadCalendarData,
} from './deadlines';
export type { Alarm, RecomputedDeadline } from './deadlines';
export {
  DefinitionAdminService,
  DefinitionRegistry,
  DefinitionRepository,
  DefinitionVersionChangedException,
} from './definitions';
export { EngineBootstrap } from './engine-bootstrap.service';
export { EngineModule } from './engine.module';
export {
  AddHouseholdBody,
  CertificateBody,
  ComplaintBody,
  EditHouseholdBody,
  HOUSEHOLD_FILE_CONTENT_TYPES,
  HouseholdCertificatesService,
  HouseholdCodeParam,
  HouseholdComplaintsService,
  HouseholdImportQuery,
  HouseholdListQuery,
  HouseholdListService,
  HouseholdSurveyService,
  HouseholdVotesService,
  HouseholdsRepository,
  RecheckBody,
  SurveyBody,
  SurveysBody,
  VotesBody,
} from './households';
export type { NewHousehold } from './households';
export {
  CLOCK,
  DomainException,
  ManualClock,
  QueueReader,
  closeOnSignals,
  producerQueueToken,
  redisOptions,
  systemClock,
} from './infrastructure';
export type { Clock, FailureKind } from './infrastructure';
export {
  DIGEST_SCHEDULER_ID,
  DeliveryRepository,
  DeliveryService,
  DigestRepository,
  DigestService,
  NotificationInboxRepository,
  NotificationInboxService,
  NotificationsProducer,
  SubscriptionRepository,
  SubscriptionsService,
  verifyWebhook,
} from './notifications';
export type { DigestContentRow, NewDigestRow } from './notifications';
export {
  ReportRepository,
  ReportTableCatalog,
  ReportsService,
  loadReportTables,
  renderCsv,
  renderXlsx,
  reportFileName,
  tableJson,
} from './reports';
export {
  LISTS_YEAR_FILE,
  POVERTY_RULES_DIR,
  PovertyStandards,
  RuleSetUnavailableException,
  StandardsModule,
  loadRuleSetCatalog,
} from './standards';
export type { CampaignRules, CampaignStandard } from './standards';
export {
  ActorLevelCheck,
  DemoUnitsService,
  OFFICIAL_LIST_NAME,
  OfficialListError,
  OfficialUnitList,
  UnitAreas,
  UnitDirectory,
  UnitImportService,
  UnitRepository,
  UnitsService,
  demoVillages,
  parseUnitFile,
  planUnitImport,
  readOfficialList,
  synthetic2021Province,
  withPaths,
} from './units';
export type {
  EarlierDemo,
  ExistingUnit,
  UnitChangeRow,
  UnitFileError,
  UnitFileFormat,
  UnitImportOutcome,
  UnitSeed,
} from './units';
