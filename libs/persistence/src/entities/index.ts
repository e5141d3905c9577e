import { AdminUnit } from './admin-unit.entity';
import { CalendarAdjustmentRow } from './calendar-adjustment.entity';
import { Campaign } from './campaign.entity';
import { CaseEvent } from './case-event.entity';
import { CaseHistory } from './case-history.entity';
import { Deadline } from './deadline.entity';
import { DefinitionAudit } from './definition-audit.entity';
import { DefinitionVersion } from './definition-version.entity';
import { Household } from './household.entity';
import { HouseholdComplaint } from './household-complaint.entity';
import { Notification } from './notification.entity';
import { NotificationDelivery } from './notification-delivery.entity';
import { NotificationDigest } from './notification-digest.entity';
import { NotificationSubscription } from './notification-subscription.entity';
import { ProgressCounter, StageCounter } from './progress-counter.entity';
import { ReviewCase } from './review-case.entity';
import { UnitChange, UnitList } from './unit-change.entity';

export {
  AdminUnit,
  CalendarAdjustmentRow,
  Campaign,
  CaseEvent,
  CaseHistory,
  Deadline,
  DefinitionAudit,
  DefinitionVersion,
  Household,
  HouseholdComplaint,
  Notification,
  NotificationDelivery,
  NotificationDigest,
  NotificationSubscription,
  ProgressCounter,
  StageCounter,
  ReviewCase,
  UnitChange,
  UnitList,
};
export type { UnitLevel } from './admin-unit.entity';
export type { CaseEventStatus } from './case-event.entity';
export type { HistoryKind } from './case-history.entity';
export type { DeadlineStatus } from './deadline.entity';
export type { DefinitionAuditAction } from './definition-audit.entity';
export type { HouseholdClassification, HouseholdListSource } from './household.entity';
export type { HouseholdComplaintStatus } from './household-complaint.entity';
export type { DeliveryStatus } from './notification-delivery.entity';
export type { DigestGroup } from './notification-digest.entity';
export type { SubscriptionChannel } from './notification-subscription.entity';
export type { UnitChangeKind } from './unit-change.entity';

/** Every entity, for the ORM configuration. */
export const ENTITIES = [
  AdminUnit,
  CalendarAdjustmentRow,
  Campaign,
  CaseEvent,
  CaseHistory,
  Deadline,
  DefinitionAudit,
  DefinitionVersion,
  Household,
  HouseholdComplaint,
  Notification,
  NotificationDelivery,
  NotificationDigest,
  NotificationSubscription,
  ProgressCounter,
  StageCounter,
  ReviewCase,
  UnitChange,
  UnitList,
];
