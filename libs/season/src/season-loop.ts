import { EntityManager } from '@mikro-orm/postgresql';
import { endOfDayInstant } from '@rasoat/calendar';
import { activeStepIds } from '@rasoat/workflow-core';
import {
  CaseAcceptanceService,
  CaseDeadlinesService,
  DigestService,
  EVENT_BATCH,
  ProgressRepository,
} from '@rasoat/engine';
import {
  ACCEPT_CONCURRENCY,
  at,
  dayPlan,
  endsWeek,
  plusDays,
  runHouseholdWork,
  sendVillageWork,
  type DayPhaseName,
  type RunHouseholdAction,
  type SeasonTimer,
  type VillageAgent,
} from '@rasoat/season-model';
import { householdWork } from './household-work';
import type { SeasonEngine } from './season-engine';

/** How the virtual days are played. */
export interface SeasonLoopOptions {
  /** Progress and engine warnings (stderr). */
  log: (line: string) => void;
  /** Checked once per virtual day: true stops the season early (Ctrl-C, a time budget). */
  shouldStop?: () => boolean;
  /** acceptMany calls in flight in the villages' work (default 4, each of at most 500 events). */
  acceptConcurrency?: number;
}

/** What a season plays: its campaigns and villages, and the days. */
export interface SeasonPlan {
  campaignIds: string[];
  agents: VillageAgent[];
  /** The first virtual day (the campaign window's start). */
  start: string;
  /** The last virtual day played. */
  until: string;
  /**
   * The season stops at this instant (a season played up to "now"): on its day only the phases
   * before it are played, and not the alarms at the day's end. Absent: `until` is played whole.
   */
  stopAt?: Date;
  /** Committees subscribed to the daily digest: without any there is nothing to build. */
  subscriptions: number;
}

/** A week of the season ended: its number and days; the clock is at midnight ending it. */
export type WeekEnd = (week: { week: number; from: string; to: string }) => Promise<void>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The virtual days of a prepared season, from the window's first day to `header.until`. Each
 * day: the phases of `dayPlan` (digests, morning alarms, the villages' work), then the alarms
 * due at midnight (posting periods ending, overdue, first escalation); after each phase it
 * waits until the workers have applied every accepted event, so that the run is reproducible.
 * At the end of each day every village reads where its case is; at the end of each week the
 * report gets its row.
 */
export class SeasonLoop {
  /** Events refused at acceptance over the season. */
  refused = 0;
  /** Household operations refused over the season. */
  householdsRefused = 0;
  private readonly em: EntityManager;
  private readonly byCase: Map<string, VillageAgent>;
  private readonly campaignIds: string[];
  private readonly households: RunHouseholdAction;

  constructor(
    private readonly engine: SeasonEngine,
    private readonly season: SeasonPlan,
    private readonly timer: SeasonTimer,
    private readonly options: SeasonLoopOptions,
  ) {
    this.em = engine.app.get(EntityManager);
    this.byCase = new Map(season.agents.map((a) => [a.caseId, a]));
    this.campaignIds = season.campaignIds;
    this.households = householdWork(engine.app);
  }

  /**
   * Plays the days (until `shouldStop` says so, or `stopAt`); returns how many were played (a
   * day cut by `stopAt` counts). `onWeek` gets each week's end, the clock at midnight ending it.
   */
  async play(onWeek?: WeekEnd): Promise<number> {
    const { start, until, stopAt } = this.season;
    const { clock } = this.engine;
    const phases = dayPlan(this.engine.config.notifications.digestHour);
    let weekFrom = start;
    let week = 1;
    let days = 0;
    let last: string | null = null;
    const emitWeek = async (to: string) => {
      if (onWeek) {
        // The week's figures are read at midnight ending its last day (the next day's work starts later).
        this.engine.clock.set(at(plusDays(to, 1), '00:00:00'));
        await this.timer.timed('week', () => onWeek({ week, from: weekFrom, to }));
      }
      week++;
      weekFrom = plusDays(to, 1);
    };
    for (let day = start; day <= until; day = plusDays(day, 1)) {
      if (this.options.shouldStop?.()) {
        this.options.log('stopped: the summary covers the days simulated so far');
        if (last && weekFrom <= last) await emitWeek(last);
        break;
      }
      days++;
      last = day;
      const sent = new Map<VillageAgent, Set<string>>();
      let cut = false;
      for (const phase of phases) {
        const instant = at(day, phase.time);
        if (instant.getTime() < clock.now().getTime()) continue; // the first day starts after 06:00
        if (stopAt && instant.getTime() > stopAt.getTime()) {
          cut = true;
          break;
        }
        clock.set(instant);
        await this.runPhase(phase.name, day, sent);
        await this.timer.timed(`settle.after-${phase.name}`, () => this.settle());
      }
      // Deadlines fall due at the end of their day: posting periods end, steps become overdue.
      if (cut || (stopAt && endOfDayInstant(day).getTime() > stopAt.getTime())) break;
      clock.set(endOfDayInstant(day));
      await this.alarms();
      await this.timer.timed('settle.after-alarms', () => this.settle());
      // The day's stage counters, as the sweeper copies them on the real clock: progress over the season.
      await this.timer.timed('stage-history', () => new ProgressRepository(this.em).copyStageCountersForDay(day));
      await this.timer.timed('observe', () => this.observe(day, sent));
      if (endsWeek(weekFrom, day, until)) await emitWeek(day);
    }
    return days;
  }

  /** Runs one phase of the day; the villages' work adds the steps each village sent events for to `sent`. */
  private async runPhase(name: DayPhaseName, day: string, sent: Map<VillageAgent, Set<string>>): Promise<void> {
    if (name === 'digests') return this.timer.timed('digests', () => this.digests(day));
    if (name === 'alarms') return this.alarms();
    mergeSent(sent, await this.timer.timed('work', () => this.work(day)));
  }

  /**
   * The villages' work of the day: their household operations first (`runHouseholdWork`), then
   * their events (`sendVillageWork`); a refusal is logged (the first five of each).
   */
  private async work(day: string): Promise<Map<VillageAgent, Set<string>>> {
    await this.timer.timed('work.households', () =>
      runHouseholdWork(this.season.agents, day, this.households, {
        lanes: this.options.acceptConcurrency ?? ACCEPT_CONCURRENCY,
        onRefused: (agent, action, error) => {
          if (this.householdsRefused++ < 5)
            this.options.log(
              `refused household ${action.op} of ${agent.unit.code}: ${error instanceof Error ? error.message : String(error)}`,
            );
        },
      }),
    );
    const acceptance = this.engine.app.get(CaseAcceptanceService);
    return sendVillageWork(this.season.agents, day, (requests) => acceptance.acceptMany(requests), {
      lanes: this.options.acceptConcurrency ?? ACCEPT_CONCURRENCY,
      onChunk: (events) => (this.timer.counts.accepts += events),
      onRefused: (agent, e, error) => {
        if (this.refused++ < 5)
          this.options.log(
            `refused ${e.type} of ${agent.unit.code}: ${error instanceof Error ? error.message : String(error)}`,
          );
      },
    });
  }

  /**
   * Rings what is due now. The onDue events (posting periods ending) are sent here first, in
   * batches of EVENT_BATCH deadlines (one transaction each, in deadline order so that a seed
   * replays the same), then fireDue rings the rest (reminders, overdue notices, escalations) and
   * finds those events done.
   */
  async alarms(): Promise<void> {
    const deadlines = this.engine.app.get(CaseDeadlinesService);
    await this.timer.timed('alarms.events', async () => {
      const events = await this.sql<{ id: string }>(
        `select id from deadline where next_alarm_at <= ? and (alarms -> next_alarm ->> 'kind') = 'event' order by next_alarm_at, id`,
        [this.engine.clock.now()],
      );
      this.timer.counts.alarmEvents += events.length;
      for (let i = 0; i < events.length; i += EVENT_BATCH)
        await deadlines.fireEvents(events.slice(i, i + EVENT_BATCH).map((e) => e.id));
    });
    await this.timer.timed('alarms.due', () => deadlines.fireDue());
  }

  /** At the digest hour: yesterday's digests, when yesterday produced notifications (otherwise there is nothing to build); waits for their delivery. */
  private async digests(day: string): Promise<void> {
    if (this.season.subscriptions === 0) return;
    const [{ n }] = await this.sql<{ n: number }>(
      'select count(*)::int as n from notification where created_at >= ? and created_at < ?',
      [at(plusDays(day, -1), '00:00:00'), at(day, '00:00:00')],
    );
    if (n === 0) return;
    await this.engine.app.get(DigestService).buildDigests(this.engine.clock.now());
    const until = Date.now() + 60_000;
    for (;;) {
      const [{ pending }] = await this.sql<{ pending: number }>(
        `select count(*)::int as pending from notification_delivery where status = 'pending'`,
      );
      if (pending === 0) return;
      if (Date.now() > until) {
        this.options.log(`${pending} digest deliveries still pending after 60 s; going on`);
        return;
      }
      await sleep(10);
    }
  }

  /**
   * Waits until the workers have applied every accepted event of the campaign. A failing job is
   * retried by BullMQ (20 attempts with backoff); after 3 minutes without progress the run stops.
   */
  async settle(): Promise<void> {
    let started = Date.now();
    let last = Number.POSITIVE_INFINITY;
    for (;;) {
      const asked = Date.now();
      const [{ behind }] = await this.sql<{ behind: number }>(
        'select count(*)::int as behind from review_case where campaign_id in (?) and applied_seq < accepted_seq',
        [this.campaignIds],
      );
      // The count scans every case: with tens of thousands, polling it flat out would take a core from the workers.
      const pause = Math.min(200, 3 * (Date.now() - asked));
      if (behind === 0) return;
      if (behind < last) {
        last = behind;
        started = Date.now();
      }
      const waited = Date.now() - started;
      if (waited > 180_000)
        throw new Error(`the workers applied nothing for 3 minutes; ${behind} cases still have pending events`);
      await sleep(Math.max(pause, waited < 500 ? 3 : 20));
    }
  }

  /** Tells every village where its case is now, so that it plans its next work. */
  private async observe(day: string, sent: Map<VillageAgent, Set<string>>): Promise<void> {
    const rows = await this.sql<{ id: string; step: string; status: string; regions: Record<string, string> | null }>(
      `select id, step, status, snapshot -> 'regions' as regions from review_case where campaign_id in (?)`,
      [this.campaignIds],
    );
    const none = new Set<string>();
    for (const row of rows) {
      const agent = this.byCase.get(row.id);
      if (!agent || agent.done) continue;
      agent.observe(
        row.status === 'done' ? 'done' : activeStepIds({ step: row.step, regions: row.regions ?? undefined }),
        day,
        sent.get(agent) ?? none,
      );
    }
  }

  private sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.em.fork().execute<T[]>(query, params);
  }
}

function mergeSent(into: Map<VillageAgent, Set<string>>, from: Map<VillageAgent, Set<string>>): void {
  for (const [agent, steps] of from) {
    const set = into.get(agent);
    if (set) steps.forEach((s) => set.add(s));
    else into.set(agent, new Set(steps));
  }
}
