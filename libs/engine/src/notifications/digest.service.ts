import { Inject, Injectable, Logger } from '@nestjs/common';
import { civilDateOf } from '@rasoat/calendar';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { DigestGroup } from '@rasoat/persistence';
import { stepIndex, vi } from '@rasoat/workflow-core';
import { DefinitionRegistry } from '../definitions';
import { DeliveryRepository } from './delivery.repository';
import { caseUrl, renderDigest } from './digest-template';
import {
  DigestRepository,
  type DigestContentRow,
  type DigestRecipientRow,
  type NewDigestRow,
} from './digest.repository';
import { NotificationsProducer } from './notifications.producer';

export interface DigestRun {
  /** The civil day the digests are named after (the day before `now`, Asia/Ho_Chi_Minh). */
  date: string;
  /** Digests created by this run (not those found already built). */
  digestsCreated: number;
  /** Delivery rows created by this run; each was enqueued after commit. */
  deliveryIds: string[];
}

/** Recipients per transaction: one read of their notifications, one insert of digests, one of deliveries. */
const BATCH = 200;

/** Midnight starting a civil day in Asia/Ho_Chi_Minh. */
const startOfDay = (date: string) => new Date(`${date}T00:00:00+07:00`);

/**
 * Daily digests: for every (unit, role) with an active subscription, the notifications of the
 * previous civil day in Asia/Ho_Chi_Minh — or since its last digest, when runs were missed, or
 * since the day it subscribed, for its first digest — become ONE digest, and each active subscription of that (unit, role) gets ONE delivery. A
 * deadline shared by 2,000 villages thus sends one message per committee, not 2,000.
 * Idempotent: the digest key `digest:<unit>:<role>:<YYYY-MM-DD>` and the unique
 * (subscription, digest) pair make a second run create nothing.
 */
@Injectable()
export class DigestService {
  private readonly logger = new Logger(DigestService.name);

  constructor(
    private readonly digests: DigestRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly registry: DefinitionRegistry,
    private readonly producer: NotificationsProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async buildDigests(now: Date): Promise<DigestRun> {
    const periodEnd = startOfDay(civilDateOf(now));
    const date = civilDateOf(new Date(periodEnd.getTime() - 1));
    const run: DigestRun = { date, digestsCreated: 0, deliveryIds: [] };
    // A subscription added after its digest was built gets the digest when the digests are built again.
    run.deliveryIds.push(...(await this.digests.createLateDeliveries(date, now)));
    await this.producer.deliver(run.deliveryIds);
    // Only the recipients with notifications in their period cost a transaction.
    const recipients = await this.digests.findRecipients(date, periodEnd);
    for (let i = 0; i < recipients.length; i += BATCH) {
      const batch = await this.buildBatch(recipients.slice(i, i + BATCH), date, periodEnd, now);
      run.digestsCreated += batch.created;
      run.deliveryIds.push(...batch.deliveryIds);
      await this.producer.deliver(batch.deliveryIds);
    }
    if (run.digestsCreated > 0 || run.deliveryIds.length > 0)
      this.logger.log(`digests of ${date}: ${run.digestsCreated} built, ${run.deliveryIds.length} deliveries queued`);
    return run;
  }

  /** The scheduled run: build yesterday's digests, then re-enqueue deliveries still pending (e.g. e-mail waiting for an SMTP relay). */
  async runScheduled(now: Date): Promise<DigestRun & { requeued: number }> {
    const run = await this.buildDigests(now);
    const pending = await this.deliveries.pendingIds();
    const fresh = new Set(run.deliveryIds);
    const requeue = pending.filter((id) => !fresh.has(id));
    await this.producer.deliver(requeue);
    return { ...run, requeued: requeue.length };
  }

  /**
   * The digests of a batch of recipients in one transaction: their notifications read at once,
   * the digests inserted at once (a key another run built first is left as it is), then the
   * deliveries of every digest of the batch, whoever built it.
   */
  private async buildBatch(
    recipients: DigestRecipientRow[],
    date: string,
    periodEnd: Date,
    now: Date,
  ): Promise<{ created: number; deliveryIds: string[] }> {
    const keyOf = (unitCode: string, role: string) => `digest:${unitCode}:${role}:${date}`;
    return this.digests.transaction(async (tx) => {
      const rows = await tx.readContent(recipients, periodEnd, this.config.notifications.digestMaxItems);
      const groupKey = (g: DigestContentRow) =>
        JSON.stringify([g.unit_code, g.role, g.template, g.title, g.step, g.due_date]);
      const items = new Map<string, DigestContentRow[]>();
      const groupsOf = new Map<string, DigestContentRow[]>();
      for (const row of rows) {
        if (row.kind === 'i') {
          const list = items.get(groupKey(row));
          if (list) list.push(row);
          else items.set(groupKey(row), [row]);
        } else {
          const k = keyOf(row.unit_code, row.role);
          const list = groupsOf.get(k);
          if (list) list.push(row);
          else groupsOf.set(k, [row]);
        }
      }
      const digests: NewDigestRow[] = [];
      for (const r of recipients) {
        const key = keyOf(r.unit_code, r.role);
        const rowsOf = groupsOf.get(key);
        if (!rowsOf) continue;
        const groups = await this.groups(rowsOf, items);
        const total = groups.reduce((sum, g) => sum + g.count, 0);
        const unread = groups.reduce((sum, g) => sum + g.unread, 0);
        const periodStart = new Date(r.period_start);
        const rendered = renderDigest({
          unitCode: r.unit_code,
          unitName: rowsOf[0].unit_name ?? r.unit_code,
          role: r.role,
          date,
          periodStart,
          periodEnd,
          total,
          unread,
          groups,
          publicUrl: this.config.publicUrl,
        });
        digests.push({
          key,
          unit_code: r.unit_code,
          role: r.role,
          period_start: periodStart,
          notification_count: total,
          subject: rendered.subject,
          body_text: rendered.text,
          body_html: rendered.html,
          groups,
        });
      }
      const created = await tx.insertDigests(digests, date, periodEnd, now);
      // Every active subscription of the batch's recipients gets its digest once, also when a
      // concurrent run built the digest first.
      const deliveryIds = await tx.createDeliveries(
        recipients.map((r) => keyOf(r.unit_code, r.role)),
        now,
      );
      return { created: created.length, deliveryIds };
    });
  }

  /** A recipient's groups (in the query's order), with their first villages and step labels. */
  private async groups(rows: DigestContentRow[], items: Map<string, DigestContentRow[]>): Promise<DigestGroup[]> {
    const groups: DigestGroup[] = [];
    for (const g of rows) {
      groups.push({
        template: g.template,
        title: g.title,
        step: g.step,
        stepLabel: g.step ? await this.stepLabel(g.definition_key, g.step) : null,
        dueDate: g.due_date,
        count: g.count ?? 0,
        unread: g.unread ?? 0,
        villages: g.villages ?? 0,
        items: (items.get(JSON.stringify([g.unit_code, g.role, g.template, g.title, g.step, g.due_date])) ?? []).map(
          (i) => ({
            caseId: i.case_id,
            villageCode: i.village_code,
            villageName: i.village_name,
            url: i.case_id ? caseUrl(this.config.publicUrl, i.case_id) : null,
          }),
        ),
      });
    }
    return groups;
  }

  private async stepLabel(definitionKey: string | null, step: string): Promise<string> {
    if (!definitionKey) return step;
    try {
      const entry = stepIndex((await this.registry.get(definitionKey)).definition).get(step);
      return entry ? vi(entry.step.label) : step;
    } catch {
      return step;
    }
  }
}
