import { Module } from '@nestjs/common';
import { DefinitionsModule } from '../definitions';
import { UnitsModule } from '../units';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';
import { DigestRepository } from './digest.repository';
import { DigestService } from './digest.service';
import { NotificationInboxRepository } from './notification-inbox.repository';
import { NotificationInboxService } from './notification-inbox.service';
import { NotificationsProducer } from './notifications.producer';
import { SmtpMailer } from './smtp-mailer';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Delivering notifications: the in-app inbox, subscriptions (e-mail, signed webhooks), the
 * daily digest per (unit, role) and the deliveries with retries and a dead letter. Reads the
 * `notification` rows the cases and deadlines write; never writes them except `read_at`.
 */
@Module({
  imports: [DefinitionsModule, UnitsModule],
  providers: [
    NotificationInboxService,
    NotificationInboxRepository,
    SubscriptionsService,
    SubscriptionRepository,
    DigestService,
    DigestRepository,
    DeliveryService,
    DeliveryRepository,
    NotificationsProducer,
    SmtpMailer,
  ],
  exports: [NotificationInboxService, SubscriptionsService, DigestService, DeliveryService, NotificationsProducer],
})
export class NotificationsModule {}
