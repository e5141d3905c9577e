import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123094225InitialSchema } from './migration-20261123-initial-schema';
import { Migration20261123130000DefinitionAdmin } from './migration-20261123-definition-admin';
import { Migration20261123140000DeadlineAlarms } from './migration-20261123-deadline-alarms';
import { Migration20261123150000NotificationDelivery } from './migration-20261123-notification-delivery';
import { Migration20261123160000CalendarAdjustments } from './migration-20261123-calendar-adjustments';
import { Migration20261123170000Households } from './migration-20261123-households';
import { Migration20261123180000ProgressAggregates } from './migration-20261123-progress-aggregates';
import { Migration20261123190000DefinitionBodyJson } from './migration-20261123-definition-body-json';
import { Migration20261124090000RefusedEvents } from './migration-20261124-refused-events';
import { Migration20261207090000DefinitionEffectiveTo } from './migration-20261207-definition-effective-to';
import { Migration20261207100000PovertyStandard } from './migration-20261207-poverty-standard';
import { Migration20261207110000Units } from './migration-20261207-units';
import { Migration20261207120000DemoSeason } from './migration-20261207-demo-season';

/** Migrations in order, listed explicitly so that no file-system discovery is needed at run time. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261123094225InitialSchema', class: Migration20261123094225InitialSchema },
  { name: 'Migration20261123130000DefinitionAdmin', class: Migration20261123130000DefinitionAdmin },
  { name: 'Migration20261123140000DeadlineAlarms', class: Migration20261123140000DeadlineAlarms },
  { name: 'Migration20261123150000NotificationDelivery', class: Migration20261123150000NotificationDelivery },
  { name: 'Migration20261123160000CalendarAdjustments', class: Migration20261123160000CalendarAdjustments },
  { name: 'Migration20261123170000Households', class: Migration20261123170000Households },
  { name: 'Migration20261123180000ProgressAggregates', class: Migration20261123180000ProgressAggregates },
  { name: 'Migration20261123190000DefinitionBodyJson', class: Migration20261123190000DefinitionBodyJson },
  { name: 'Migration20261124090000RefusedEvents', class: Migration20261124090000RefusedEvents },
  { name: 'Migration20261207090000DefinitionEffectiveTo', class: Migration20261207090000DefinitionEffectiveTo },
  { name: 'Migration20261207100000PovertyStandard', class: Migration20261207100000PovertyStandard },
  { name: 'Migration20261207110000Units', class: Migration20261207110000Units },
  { name: 'Migration20261207120000DemoSeason', class: Migration20261207120000DemoSeason },
];
