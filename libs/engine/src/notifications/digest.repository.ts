import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { DigestGroup } from '@rasoat/persistence';

/** One recipient to build a digest for: its (unit, role) and where its period starts. */
export interface DigestRecipientRow {
  unit_code: string;
  role: string;
  period_start: Date;
}

/** A row of the batch read: a group of a recipient's digest (`kind` 'g') or one of its first villages ('i'). */
export interface DigestContentRow {
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

/** A digest to insert (`notification_digest` without the columns the batch shares: date, period end, creation time). */
export interface NewDigestRow {
  key: string;
  unit_code: string;
  role: string;
  period_start: Date;
  notification_count: number;
  subject: string;
  body_text: string;
  body_html: string;
  groups: DigestGroup[];
}

// In SQL, the civil date of a timestamptz and the midnight starting a civil date, at the fixed
// +07:00 of Asia/Ho_Chi_Minh (as civilDateOf and the service's startOfDay).
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

// The digests of a batch (jsonb [NewDigestRow], in order); a key another run built first is left
// as it is. Params: date, periodEnd, now, digests.
const INSERT_DIGESTS = `insert into notification_digest (key, unit_code, role, digest_date, period_start, period_end, notification_count, subject, body_text, body_html, groups, created_at)
         select e.v->>'key', e.v->>'unit_code', e.v->>'role', ?::date, (e.v->>'period_start')::timestamptz, ?, (e.v->>'notification_count')::int,
                e.v->>'subject', e.v->>'body_text', e.v->>'body_html', e.v->'groups', ?
         from jsonb_array_elements(?::jsonb) with ordinality as e(v, ord) order by e.ord
         on conflict (key) do nothing returning key`;

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
 * The SQL of the daily digests (`notification_digest`) and of the deliveries they create
 * (`notification_delivery`). Set-based: one statement per step for a whole batch of recipients.
 */
@Injectable()
export class DigestRepository {
  constructor(private readonly em: EntityManager) {}

  /** Deliveries of the day's digests for the active subscriptions that lack one (added after the digest was built); their ids. */
  async createLateDeliveries(date: string, now: Date): Promise<string[]> {
    const rows = await this.em
      .fork()
      .execute<{ id: string }[]>(DELIVERIES(`d.key = 'digest:' || s.unit_code || ':' || s.role || ':' || ?`), [
        now,
        date,
      ]);
    return rows.map((r) => r.id);
  }

  /** The recipients of the digest of `date` that have notifications in their period (which ends at `periodEnd`), by unit and role. */
  findRecipients(date: string, periodEnd: Date): Promise<DigestRecipientRow[]> {
    return this.em.fork().execute<DigestRecipientRow[]>(RECIPIENTS, [periodEnd, date, date, periodEnd, periodEnd]);
  }

  /** Runs `work` in one transaction; the statements it gets run in that transaction. */
  transaction<T>(work: (batch: DigestBatchStatements) => Promise<T>): Promise<T> {
    return this.em.fork().transactional((tx) => work(new DigestBatchStatements(tx)));
  }
}

/** The statements that build one batch of digests, inside the transaction of `DigestRepository.transaction`. */
export class DigestBatchStatements {
  constructor(private readonly tx: EntityManager) {}

  /**
   * The notifications of `recipients` up to `periodEnd` as rows: per recipient its groups (the
   * largest first), then per group its first `maxItems` villages (by village code).
   */
  readContent(
    recipients: readonly DigestRecipientRow[],
    periodEnd: Date,
    maxItems: number,
  ): Promise<DigestContentRow[]> {
    const batch = recipients.map((r) => ({
      unit_code: r.unit_code,
      role: r.role,
      period_start: new Date(r.period_start).toISOString(),
    }));
    return this.tx.execute<DigestContentRow[]>(BATCH_CONTENT, [JSON.stringify(batch), periodEnd, maxItems]);
  }

  /** Inserts the digests of `date`, in order; returns the keys created (a key already built is left as it is). */
  async insertDigests(digests: readonly NewDigestRow[], date: string, periodEnd: Date, now: Date): Promise<string[]> {
    const rows = digests.map((d) => ({ ...d, period_start: d.period_start.toISOString() }));
    const inserted = await this.tx.execute<{ key: string }[]>(INSERT_DIGESTS, [
      date,
      periodEnd,
      now,
      JSON.stringify(rows),
    ]);
    return inserted.map((r) => r.key);
  }

  /**
   * One delivery per active subscription of each recipient named by `digestKeys` that lacks it,
   * also when a concurrent run built the digest first; returns the ids created.
   */
  async createDeliveries(digestKeys: readonly string[], now: Date): Promise<string[]> {
    const rows = await this.tx.execute<{ id: string }[]>(
      DELIVERIES(
        `d.unit_code = s.unit_code and d.role = s.role and d.key in (select jsonb_array_elements_text(?::jsonb))`,
      ),
      [now, JSON.stringify(digestKeys)],
    );
    return rows.map((r) => r.id);
  }
}
