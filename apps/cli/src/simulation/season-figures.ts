import type { INestApplicationContext } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { civilDateOf, endOfDayInstant } from '@rasoat/calendar';
import { ProgressService } from '@rasoat/engine';
import { at, daysBetween, PACES, plusDays, type Pace, type VillageAgent } from '@rasoat/season-model';
import { NATIONAL, type SeasonCampaign, type StageInfo } from './season-setup';

/** One virtual week: progress at its end, and what happened during it. */
export interface WeekRow {
  week: number;
  from: string;
  to: string;
  /** Villages that finished each stage (index 0 = stage 1), from ProgressService. */
  finished: number[];
  completed: number;
  /** Steps past their due date and not done at midnight ending the week (ProgressService). */
  overdue: number;
  /** Events accepted during the week (the villages' and the system's). */
  events: number;
  /** Notifications created during the week, by template. */
  notifications: Record<string, number>;
  digests: number;
  deliveries: number;
}

export interface SeasonSummary {
  villages: number;
  completed: number;
  completedInWindow: number;
  /** Calendar days from the window start to the completion, over completed villages. */
  averageDaysToComplete: number | null;
  medianDaysToComplete: number | null;
  byPace: Record<Pace, { villages: number; completed: number }>;
  notifications: Record<string, number>;
  events: { accepted: number; applied: number; rejected: number; system: number; refused: number };
  counters: Record<string, number>;
  digests: number;
  deliveries: { created: number; sent: number; received: number };
  virtualDays: number;
  wallSeconds: number;
}

/** What the simulator itself counted, for the summary. */
export interface SeasonCounts {
  /** Events refused at acceptance. */
  refused: number;
  /** Digest deliveries the webhook receiver got, read last. */
  received: () => number;
  virtualDays: number;
  /** `Date.now()` when the run started. */
  wallStart: number;
}

/** What the season's campaigns produced, read back from the database: the weekly rows and the summary. */
export class SeasonFigures {
  private readonly em: EntityManager;
  private readonly campaignIds: string[];

  constructor(
    private readonly app: INestApplicationContext,
    private readonly campaigns: readonly SeasonCampaign[],
    private readonly stages: readonly StageInfo[],
  ) {
    this.em = app.get(EntityManager);
    this.campaignIds = campaigns.map((c) => c.campaignId);
  }

  /** The line of the week `from`–`to`, read at the clock's instant (the loop puts it at midnight ending `to`). */
  async week(week: number, from: string, to: string): Promise<WeekRow> {
    const start = at(from, '00:00:00');
    const end = at(plusDays(to, 1), '00:00:00');
    // Each province's campaign from its counters (ProgressService), summed.
    const finished = this.stages.map(() => 0);
    let overdue = 0;
    for (const c of this.campaigns) {
      const progress = await this.app.get(ProgressService).forUnit(c.provinceCode, c.campaignId, NATIONAL);
      const finishedStage = progress.totals.finishedStage as Record<string, number>;
      this.stages.forEach((s, i) => (finished[i] += finishedStage[String(s.stage)] ?? 0));
      overdue += progress.totals.overdue;
    }
    const [{ completed }] = await this.sql<{ completed: number }>(
      `select count(*)::int as completed from review_case where campaign_id in (?) and status = 'done'`,
      [this.campaignIds],
    );
    const templates = await this.sql<{ template: string; n: number }>(
      'select template, count(*)::int as n from notification where created_at >= ? and created_at < ? group by template order by template',
      [start, end],
    );
    const [{ events }] = await this.sql<{ events: number }>(
      'select count(*)::int as events from case_event e join review_case c on c.id = e.case_id where c.campaign_id in (?) and e.received_at >= ? and e.received_at < ?',
      [this.campaignIds, start, end],
    );
    const [{ digests }] = await this.sql<{ digests: number }>(
      'select count(*)::int as digests from notification_digest where created_at >= ? and created_at < ?',
      [start, end],
    );
    const [{ deliveries }] = await this.sql<{ deliveries: number }>(
      `select count(*)::int as deliveries from notification_delivery where status = 'sent' and created_at >= ? and created_at < ?`,
      [start, end],
    );
    return {
      week,
      from,
      to,
      finished,
      completed,
      overdue,
      events,
      notifications: Object.fromEntries(templates.map((t) => [t.template, t.n])),
      digests,
      deliveries,
    };
  }

  /** The season's summary: completions (by pace, in the window, days taken), notifications, events, case counters, digests. */
  async summary(
    window: { start: string; end: string },
    agents: readonly VillageAgent[],
    counts: SeasonCounts,
  ): Promise<SeasonSummary> {
    const done = await this.sql<{ id: string; at: Date }>(
      `select c.id, min(h.at) as at from case_history h join review_case c on c.id = h.case_id
       where c.campaign_id in (?) and c.status = 'done' and h.to_step = c.step group by c.id`,
      [this.campaignIds],
    );
    const days = done.map((d) => daysBetween(window.start, civilDateOf(new Date(d.at)))).sort((a, b) => a - b);
    const windowEnd = endOfDayInstant(window.end).getTime();
    const doneIds = new Set(done.map((d) => d.id));
    const byPace = Object.fromEntries(PACES.map((p) => [p, { villages: 0, completed: 0 }])) as SeasonSummary['byPace'];
    for (const a of agents) {
      byPace[a.pace].villages++;
      if (doneIds.has(a.caseId)) byPace[a.pace].completed++;
    }
    const templates = await this.sql<{ template: string; n: number }>(
      'select template, count(*)::int as n from notification group by template order by template',
    );
    const [events] = await this.sql<{ accepted: number; applied: number; rejected: number; system: number }>(
      `select count(*)::int as accepted, (count(*) filter (where e.status = 'applied'))::int as applied, (count(*) filter (where e.status = 'rejected'))::int as rejected,
              (count(*) filter (where e.actor ->> 'role' = 'system'))::int as system
       from case_event e join review_case c on c.id = e.case_id where c.campaign_id in (?)`,
      [this.campaignIds],
    );
    const counters = await this.sql<{ key: string; n: number }>(
      `select key, sum(value::numeric)::int as n from review_case c, jsonb_each_text(c.snapshot -> 'context' -> 'counters') where c.campaign_id in (?) group by key order by key`,
      [this.campaignIds],
    );
    const [{ digests }] = await this.sql<{ digests: number }>(
      'select count(*)::int as digests from notification_digest',
    );
    const [deliveries] = await this.sql<{ created: number; sent: number }>(
      `select count(*)::int as created, (count(*) filter (where status = 'sent'))::int as sent from notification_delivery`,
    );
    return {
      villages: agents.length,
      completed: done.length,
      completedInWindow: done.filter((d) => new Date(d.at).getTime() <= windowEnd).length,
      averageDaysToComplete: days.length > 0 ? days.reduce((a, b) => a + b, 0) / days.length : null,
      medianDaysToComplete: days.length > 0 ? days[Math.floor((days.length - 1) / 2)] : null,
      byPace,
      notifications: Object.fromEntries(templates.map((t) => [t.template, t.n])),
      events: { ...events, refused: counts.refused },
      counters: Object.fromEntries(counters.map((c) => [c.key, c.n])),
      digests,
      deliveries: { ...deliveries, received: counts.received() },
      virtualDays: counts.virtualDays,
      wallSeconds: (Date.now() - counts.wallStart) / 1000,
    };
  }

  private sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.em.fork().execute<T[]>(query, params);
  }
}
