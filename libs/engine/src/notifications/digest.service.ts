import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { civilDateOf } from '@rasoat/calendar';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { DigestGroup } from '@rasoat/persistence';
import { stepIndex, vi } from '@rasoat/workflow-core';
import { DefinitionRegistry } from '../definitions/definition-registry.service';
import { caseUrl, renderDigest } from './digest-template';
import { NotificationsProducer } from './notifications.producer';

export interface DigestRun {
  /** The civil day the digests are named after (the day before `now`, Asia/Ho_Chi_Minh). */
  date: string;
  /** Digests created by this run (not those found already built). */
  digestsCreated: number;
  /** Delivery rows created by this run; each was enqueued after commit. */
  deliveryIds: string[];
}

interface GroupRow {
  template: string;
  title: string;
  step: string | null;
  due_date: string | null;
  definition_key: string | null;
  count: number;
  unread: number;
  villages: number;
}

interface ItemRow {
  template: string;
  title: string;
  step: string | null;
  due_date: string | null;
  case_id: string | null;
  village_code: string | null;
  village_name: string | null;
}

/** Midnight starting a civil day in Asia/Ho_Chi_Minh. */
const startOfDay = (date: string) => new Date(`${date}T00:00:00+07:00`);

// The notifications of one recipient in a window, with the deadline (step, due date) when the
// notification came from one (its dedupe key starts `deadline:<id>:`) and the village of its case.
const WINDOW = `
  with n as (
    select n.id, n.template, n.title, n.case_id, n.read_at,
           substring(n.dedupe_key from '^deadline:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):') as deadline_id
    from notification n
    where n.unit_code = ? and n.role = ? and n.created_at >= ? and n.created_at < ?
  ), j as (
    select n.id, n.template, n.title, n.case_id, n.read_at, d.step, d.due_date::text as due_date,
           c.definition_key, c.village_code, u.name as village_name
    from n
    left join deadline d on d.id = n.deadline_id::uuid
    left join review_case c on c.id = n.case_id
    left join admin_unit u on u.code = c.village_code
  )`;

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
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly producer: NotificationsProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async buildDigests(now: Date): Promise<DigestRun> {
    const periodEnd = startOfDay(civilDateOf(now));
    const date = civilDateOf(new Date(periodEnd.getTime() - 1));
    const recipients = await this.em.fork().execute<{ unit_code: string; role: string }[]>(
      `select distinct unit_code, role from notification_subscription where active order by unit_code, role`,
    );
    const run: DigestRun = { date, digestsCreated: 0, deliveryIds: [] };
    for (const r of recipients) {
      const result = await this.buildOne(r.unit_code, r.role, date, periodEnd, now);
      if (result.created) run.digestsCreated++;
      run.deliveryIds.push(...result.deliveryIds);
    }
    await this.producer.deliver(run.deliveryIds);
    if (run.digestsCreated > 0 || run.deliveryIds.length > 0) this.logger.log(`digests of ${date}: ${run.digestsCreated} built, ${run.deliveryIds.length} deliveries queued`);
    return run;
  }

  /** The scheduled run: build yesterday's digests, then re-enqueue deliveries still pending (e.g. e-mail waiting for an SMTP relay). */
  async runScheduled(now: Date): Promise<DigestRun & { requeued: number }> {
    const run = await this.buildDigests(now);
    const pending = await this.em.fork().execute<{ id: string }[]>(`select id from notification_delivery where status = 'pending' order by created_at limit 10000`);
    const fresh = new Set(run.deliveryIds);
    const requeue = pending.map((p) => p.id).filter((id) => !fresh.has(id));
    await this.producer.deliver(requeue);
    return { ...run, requeued: requeue.length };
  }

  private async buildOne(unitCode: string, role: string, date: string, periodEnd: Date, now: Date): Promise<{ created: boolean; deliveryIds: string[] }> {
    const key = `digest:${unitCode}:${role}:${date}`;
    return this.em.fork().transactional(async (tx) => {
      let created = false;
      const [existing] = await tx.execute<{ key: string }[]>(`select key from notification_digest where key = ?`, [key]);
      if (!existing) {
        // Since the previous digest; the first one starts on the day the recipient subscribed
        // (at the latest, the digest's own day).
        const [last] = await tx.execute<{ period_end: Date | null; subscribed: Date | null }[]>(
          `select (select max(period_end) from notification_digest where unit_code = ? and role = ? and period_end <= ?) as period_end,
                  (select min(created_at) from notification_subscription where active and unit_code = ? and role = ?) as subscribed`,
          [unitCode, role, periodEnd, unitCode, role],
        );
        const firstDay = last?.subscribed && civilDateOf(new Date(last.subscribed)) < date ? civilDateOf(new Date(last.subscribed)) : date;
        const periodStart = last?.period_end ? new Date(last.period_end) : startOfDay(firstDay);
        if (periodStart.getTime() >= periodEnd.getTime()) return { created: false, deliveryIds: [] };
        const groups = await this.groups(tx, unitCode, role, periodStart, periodEnd);
        const total = groups.reduce((sum, g) => sum + g.count, 0);
        if (total === 0) return { created: false, deliveryIds: [] };
        const [unit] = await tx.execute<{ name: string }[]>(`select name from admin_unit where code = ?`, [unitCode]);
        const unread = groups.reduce((sum, g) => sum + g.unread, 0);
        const rendered = renderDigest({ unitCode, unitName: unit?.name ?? unitCode, role, date, periodStart, periodEnd, total, unread, groups, publicUrl: this.config.publicUrl });
        const inserted = await tx.execute<{ key: string }[]>(
          `insert into notification_digest (key, unit_code, role, digest_date, period_start, period_end, notification_count, subject, body_text, body_html, groups, created_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?) on conflict (key) do nothing returning key`,
          [key, unitCode, role, date, periodStart, periodEnd, total, rendered.subject, rendered.text, rendered.html, JSON.stringify(groups), now],
        );
        created = inserted.length > 0;
      }
      // Every active subscription of the recipient gets the digest once; a subscription added
      // after the digest was built gets it when the digests are built again.
      const deliveries = await tx.execute<{ id: string }[]>(
        `insert into notification_delivery (id, subscription_id, digest_key, notification_count, subject, body_text, body_html, status, attempts, created_at)
         select gen_random_uuid(), s.id, d.key, d.notification_count, d.subject, d.body_text, case when s.channel = 'email' then d.body_html end, 'pending', 0, ?
         from notification_subscription s join notification_digest d on d.key = ?
         where s.active and s.unit_code = ? and s.role = ?
         on conflict (subscription_id, digest_key) do nothing returning id`,
        [now, key, unitCode, role],
      );
      return { created, deliveryIds: deliveries.map((d) => d.id) };
    });
  }

  private async groups(tx: EntityManager, unitCode: string, role: string, from: Date, to: Date): Promise<DigestGroup[]> {
    const window = [unitCode, role, from, to];
    const rows = await tx.execute<GroupRow[]>(
      `${WINDOW}
       select template, title, step, due_date, min(definition_key) as definition_key, count(*)::int as count,
              (count(*) filter (where read_at is null))::int as unread,
              count(distinct coalesce(village_code, case_id::text, id::text))::int as villages
       from j group by template, title, step, due_date
       order by count(*) desc, template, title`,
      window,
    );
    if (rows.length === 0) return [];
    const items = await tx.execute<ItemRow[]>(
      `${WINDOW}, v as (
         select distinct on (template, title, step, due_date, coalesce(case_id::text, id::text)) template, title, step, due_date, case_id, village_code, village_name
         from j order by template, title, step, due_date, coalesce(case_id::text, id::text)
       ), r as (
         select v.*, row_number() over (partition by template, title, step, due_date order by village_code nulls last, case_id) as rn from v
       )
       select template, title, step, due_date, case_id, village_code, village_name from r where rn <= ? order by rn`,
      [...window, this.config.notifications.digestMaxItems],
    );
    const groupKey = (g: { template: string; title: string; step: string | null; due_date: string | null }) => JSON.stringify([g.template, g.title, g.step, g.due_date]);
    const byGroup = new Map<string, ItemRow[]>();
    for (const item of items) {
      const k = groupKey(item);
      const list = byGroup.get(k);
      if (list) list.push(item);
      else byGroup.set(k, [item]);
    }
    const groups: DigestGroup[] = [];
    for (const g of rows) {
      groups.push({
        template: g.template,
        title: g.title,
        step: g.step,
        stepLabel: g.step ? await this.stepLabel(g.definition_key, g.step) : null,
        dueDate: g.due_date,
        count: g.count,
        unread: g.unread,
        villages: g.villages,
        items: (byGroup.get(groupKey(g)) ?? []).map((i) => ({
          caseId: i.case_id,
          villageCode: i.village_code,
          villageName: i.village_name,
          url: i.case_id ? caseUrl(this.config.publicUrl, i.case_id) : null,
        })),
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
