import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { Actor, CreateSubscriptionBody } from '@rasoat/contracts';
import type { SubscriptionChannel } from '@rasoat/persistence';
import { assertInScope, isNational } from '../auth';
import { CLOCK, type Clock } from '../infrastructure';
import { UnitsService } from '../units';
import {
  SubscriptionExistsException,
  SubscriptionInvalidException,
  SubscriptionNotFoundException,
} from './notifications.exception';
import { SubscriptionRepository, type SubscriptionRow } from './subscription.repository';
import { WebhookAddressPolicy } from './webhook-address';

export interface SubscriptionView {
  id: string;
  unitCode: string;
  unitName: string;
  role: string;
  channel: SubscriptionChannel;
  address: string;
  hasSecret: boolean;
  createdAt: Date;
  createdBy: string;
  active: boolean;
}

/**
 * Who receives the digests of a (unit, role) by e-mail or webhook. Province admins manage the
 * units inside their province, national admins every unit; a webhook gets an HMAC secret,
 * shown once when the subscription is created. A webhook's host must be, and resolve to, public
 * addresses unless an operator allows it (`WebhookAddressPolicy`; deliveries check again).
 */
@Injectable()
export class SubscriptionsService {
  private readonly webhookAddresses: WebhookAddressPolicy;

  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly units: UnitsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.webhookAddresses = new WebhookAddressPolicy(config.notifications.webhookAllowedHosts);
  }

  async list(actor: Actor, filter: { unit?: string } = {}): Promise<SubscriptionView[]> {
    if (filter.unit) {
      const unit = await this.units.get(filter.unit);
      assertInScope(actor, unit.path, `đơn vị ${filter.unit}`);
    }
    const rows = await this.subscriptions.list({
      unit: filter.unit,
      withinUnit: isNational(actor) ? undefined : actor.unit,
    });
    return rows.map(view);
  }

  /** Creates a subscription; for a webhook, the response carries the secret (only this once). */
  async create(actor: Actor, body: CreateSubscriptionBody): Promise<SubscriptionView & { secret?: string }> {
    const unit = await this.units.get(body.unitCode);
    assertInScope(actor, unit.path, `đơn vị ${body.unitCode}`);
    let secret: string | null = null;
    if (body.channel === 'webhook') {
      const url = new URL(body.address);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.config.notifications.allowHttpWebhooks)) {
        throw new SubscriptionInvalidException(
          'address',
          'địa chỉ webhook phải là https:// / the webhook URL must be https',
        );
      }
      const refused = await this.webhookAddresses.refusal(url, this.config.notifications.webhookTimeoutMs);
      if (refused) throw new SubscriptionInvalidException('address', refused.message);
      secret = body.secret ?? randomBytes(32).toString('hex');
    } else if (body.secret !== undefined) {
      throw new SubscriptionInvalidException('secret', 'chỉ webhook mới có khóa bí mật / only webhooks have a secret');
    }
    const id = randomUUID();
    const address = body.channel === 'email' ? body.address.trim().toLowerCase() : body.address;
    const inserted = await this.subscriptions.insert({
      id,
      unitCode: unit.code,
      role: body.role,
      channel: body.channel,
      address,
      secret,
      createdAt: this.clock.now(),
      createdBy: actor.sub,
    });
    if (!inserted) throw new SubscriptionExistsException(unit.code, body.role, body.channel, address);
    const created = await this.find(id);
    return secret ? { ...created, secret } : created;
  }

  /** Deactivates a subscription; the deliveries already made keep referring to it. */
  async deactivate(actor: Actor, id: string): Promise<SubscriptionView> {
    const row = await this.subscriptions.find(id);
    if (!row || !row.active) throw new SubscriptionNotFoundException(id);
    assertInScope(actor, row.unit_path, `đơn vị ${row.unit_code}`);
    await this.subscriptions.deactivate(id, this.clock.now(), actor.sub);
    return { ...view(row), active: false };
  }

  private async find(id: string): Promise<SubscriptionView> {
    const row = await this.subscriptions.find(id);
    if (!row) throw new SubscriptionNotFoundException(id);
    return view(row);
  }
}

function view(r: SubscriptionRow): SubscriptionView {
  return {
    id: r.id,
    unitCode: r.unit_code,
    unitName: r.unit_name,
    role: r.role,
    channel: r.channel,
    address: r.address,
    hasSecret: r.has_secret,
    createdAt: new Date(r.created_at),
    createdBy: r.created_by,
    active: r.active,
  };
}
