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

/** One recipient to build a digest for: its (unit, role) and where its period starts. */
interface Recipient {
  unit_code: string;
  role: string;
  period_start: Date;
}

/** A row of the batch query: a group of a recipient's digest (`kind` 'g') or one of its first villages ('i'). */
interface BatchRow {
  kind: 'g' | 'i';
  unit_code: string;
  role: string;
  unit_name: string | null;
  template: string;
  title: string;
  step: string | null;
  due_date: string | null;
  definition_key: string | null;
  count: number | null;
  unread: number | null;
  villages: number | null;
  case_id: string | null;
  village_code: string | null;
  village_name: string | null;
}

/** Recipients per transaction: one read of their notifications, one insert of digests, one of deliveries. */
const BATCH = 200;

/** Midnight starting a civil day in Asia/Ho_Chi_Minh. */
const startOfDay = (date: string) => new Date(`${date}T00:00:00+07:00`);

// In SQL, the civil date of a timestamptz and the midnight starting a civil date, at the fixed
// +07:00 of Asia/Ho_Chi_Minh (as civilDateOf and startOfDay).
const civilDateSql = (ts: string) => `((${ts} + interval '7 hours') at time zone 'UTC')::date`;
const startOfDaySql = (date: string) => `((${date})::timestamp - interval '7 hours') at time zone 'UTC'`;

// The (unit, role) pairs with an active subscription, no digest yet for the day, and
// notifications in their period: since their previous digest, or — for the first one — since
// the day they subscribed (at the latest, the digest's own day). Params: periodEnd, date, date, periodEnd, periodEnd.
const RECIPIENTS = `
  with s as (
    select unit_code, role, min(created_at) as subscribed from notification_subscription where active group by unit_code, role
  ), p as (
    select s.unit_code, s.role,
           coalesce((select max(d.period_end) from notification_digest d where d.unit_code = s.unit_code and d.role = s.role and d.period_end <= ?),
                    ${startOfDaySql(`least(${civilDateSql('s.subscribed')}, ?::date)`)}) as period_start
    from s
    where not exists (select 1 from notification_digest d where d.key = 'digest:' || s.unit_code || ':' || s.role || ':' || ?)
  )
  select unit_code, role, period_start from p
  where period_start < ?
    and exists (select 1 from notification n where n.unit_code = p.unit_code and n.role = p.role and n.created_at >= p.period_start and n.created_at < ?)
  order by unit_code, role`;

// The notifications of a batch of recipients (jsonb [{unit_code, role, period_start}]) up to
// periodEnd, with the deadline (step, due date) when the notification came from one (its dedupe
// key starts \`deadline:<id>:\`) and the village of its case; then per recipient its groups (by
// template, title, step, due date, the largest first) and, per group, its first villages
// (digestMaxItems, by village code). Params: batch, periodEnd, digestMaxItems.
const BATCH_CONTENT = `
  with b as (
    select * from jsonb_to_recordset(?::jsonb) as b(unit_code text, role text, period_start timestamptz)
  ), n as (
    select n.unit_code, n.role, n.id, n.template, n.title, n.case_id, n.read_at,
           substring(n.dedupe_key from '^deadline:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):') as deadline_id
    from b join notification n on n.unit_code = b.unit_code and n.role = b.role and n.created_at >= b.period_start and n.created_at < ?
  ), j as materialized (
    select n.unit_code, n.role, n.id, n.template, n.title, n.case_id, n.read_at, d.step, d.due_date::text as due_date,
           c.definition_key, c.village_code, u.name as village_name
    from n
    left join deadline d on d.id = n.deadline_id::uuid
    left join review_case c on c.id = n.case_id
    left join admin_unit u on u.code = c.village_code
  ), g as (
    select unit_code, role, template, title, step, due_date, min(definition_key) as definition_key, count(*)::int as count,
           (count(*) filter (where read_at is null))::int as unread,
           count(distinct coalesce(village_code, case_id::text, id::text))::int as villages
    from j group by unit_code, role, template, title, step, due_date
  ), v as (
    select distinct on (unit_code, role, template, title, step, due_date, coalesce(case_id::text, id::text)) unit_code, role, template, title, step, due_date, case_id, village_code, village_name
    from j order by unit_code, role, template, title, step, due_date, coalesce(case_id::text, id::text)
  ), r as (
    select v.*, row_number() over (partition by unit_code, role, template, title, step, due_date order by village_code nulls last, case_id) as rn from v
  )
  select 'g' as kind, g.unit_code, g.role, un.name as unit_name, g.template, g.title, g.step, g.due_date, g.definition_key, g.count, g.unread, g.villages,
         null::uuid as case_id, null::text as village_code, null::text as village_name, null::bigint as rn
  from g left join admin_unit un on un.code = g.unit_code
  union all
  select 'i', r.unit_code, r.role, null, r.template, r.title, r.step, r.due_date, null, null, null, null, r.case_id, r.village_code, r.village_name, r.rn
  from r where r.rn <= ?
  order by kind, unit_code, role, count desc, template, title, step, due_date, rn`;

// One delivery per active subscription of the digests selected by \`where\` that it lacks, in one
// order (unit, role, subscription) so concurrent runs cannot deadlock. Params: now, then \`where\`'s.
const DELIVERIES = (where: string) => `
  insert into notification_delivery (id, subscription_id, digest_key, notification_count, subject, body_text, body_html, status, attempts, created_at)
  select gen_random_uuid(), s.id, d.key, d.notification_count, d.subject, d.body_text, case when s.channel = 'email' then d.body_html end, 'pending', 0, ?
  from notification_subscription s join notification_digest d on ${where}
  where s.active and not exists (select 1 from notification_delivery x where x.subscription_id = s.id and x.digest_key = d.key)
  order by s.unit_code, s.role, s.id
  on conflict (subscription_id, digest_key) do nothing returning id`;

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
    const run: DigestRun = { date, digestsCreated: 0, deliveryIds: [] };
    // A subscription added after its digest was built gets the digest when the digests are built again.
    const late = await this.em.fork().execute<{ id: string }[]>(DELIVERIES(`d.key = 'digest:' || s.unit_code || ':' || s.role || ':' || ?`), [now, date]);
    run.deliveryIds.push(...late.map((d) => d.id));
    await this.producer.deliver(run.deliveryIds);
    // Only the recipients with notifications in their period cost a transaction.
    const recipients = await this.em.fork().execute<Recipient[]>(RECIPIENTS, [periodEnd, date, date, periodEnd, periodEnd]);
    for (let i = 0; i < recipients.length; i += BATCH) {
      const batch = await this.buildBatch(recipients.slice(i, i + BATCH), date, periodEnd, now);
      run.digestsCreated += batch.created;
      run.deliveryIds.push(...batch.deliveryIds);
      await this.producer.deliver(batch.deliveryIds);
    }
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

  /**
   * The digests of a batch of recipients in one transaction: their notifications read at once,
   * the digests inserted at once (a key another run built first is left as it is), then the
   * deliveries of every digest of the batch, whoever built it.
   */
  private async buildBatch(recipients: Recipient[], date: string, periodEnd: Date, now: Date): Promise<{ created: number; deliveryIds: string[] }> {
    const keyOf = (unitCode: string, role: string) => `digest:${unitCode}:${role}:${date}`;
    return this.em.fork().transactional(async (tx) => {
      const batch = recipients.map((r) => ({ unit_code: r.unit_code, role: r.role, period_start: new Date(r.period_start).toISOString() }));
      const rows = await tx.execute<BatchRow[]>(BATCH_CONTENT, [JSON.stringify(batch), periodEnd, this.config.notifications.digestMaxItems]);
      const groupKey = (g: BatchRow) => JSON.stringify([g.unit_code, g.role, g.template, g.title, g.step, g.due_date]);
      const items = new Map<string, BatchRow[]>();
      const groupsOf = new Map<string, BatchRow[]>();
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
      const digests = [];
      for (const r of recipients) {
        const key = keyOf(r.unit_code, r.role);
        const rowsOf = groupsOf.get(key);
        if (!rowsOf) continue;
        const groups = await this.groups(rowsOf, items);
        const total = groups.reduce((sum, g) => sum + g.count, 0);
        const unread = groups.reduce((sum, g) => sum + g.unread, 0);
        const periodStart = new Date(r.period_start);
        const rendered = renderDigest({ unitCode: r.unit_code, unitName: rowsOf[0].unit_name ?? r.unit_code, role: r.role, date, periodStart, periodEnd, total, unread, groups, publicUrl: this.config.publicUrl });
        digests.push({ key, unit_code: r.unit_code, role: r.role, period_start: periodStart.toISOString(), notification_count: total, subject: rendered.subject, body_text: rendered.text, body_html: rendered.html, groups });
      }
      const inserted = await tx.execute<{ key: string }[]>(
        `insert into notification_digest (key, unit_code, role, digest_date, period_start, period_end, notification_count, subject, body_text, body_html, groups, created_at)
         select e.v->>'key', e.v->>'unit_code', e.v->>'role', ?::date, (e.v->>'period_start')::timestamptz, ?, (e.v->>'notification_count')::int,
                e.v->>'subject', e.v->>'body_text', e.v->>'body_html', e.v->'groups', ?
         from jsonb_array_elements(?::jsonb) with ordinality as e(v, ord) order by e.ord
         on conflict (key) do nothing returning key`,
        [date, periodEnd, now, JSON.stringify(digests)],
      );
      // Every active subscription of the batch's recipients gets its digest once, also when a
      // concurrent run built the digest first.
      const deliveries = await tx.execute<{ id: string }[]>(DELIVERIES(`d.unit_code = s.unit_code and d.role = s.role and d.key in (select jsonb_array_elements_text(?::jsonb))`), [
        now,
        JSON.stringify(recipients.map((r) => keyOf(r.unit_code, r.role))),
      ]);
      return { created: inserted.length, deliveryIds: deliveries.map((d) => d.id) };
    });
  }

  /** A recipient's groups (in the query's order), with their first villages and step labels. */
  private async groups(rows: BatchRow[], items: Map<string, BatchRow[]>): Promise<DigestGroup[]> {
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
        items: (items.get(JSON.stringify([g.unit_code, g.role, g.template, g.title, g.step, g.due_date])) ?? []).map((i) => ({
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
