import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Module, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { civilDateOf, endOfDayInstant } from '@rasoat/calendar';
import { loadConfig, type AppConfig } from '@rasoat/config';
import { SYSTEM_ACTOR, type Actor } from '@rasoat/contracts';
import {
  CampaignsService,
  CaseAcceptanceService,
  CaseDeadlinesService,
  DeadlineCalculator,
  DefinitionRegistry,
  DigestService,
  EngineBootstrap,
  EVENT_BATCH,
  EngineModule,
  ManualClock,
  ProgressService,
  SubscriptionsService,
  UnitsService,
} from '@rasoat/engine';
import { ormOptions } from '@rasoat/persistence';
import { WorkerModule } from '@rasoat/worker-runtime';
import { activeStepIds, stepIndex, vi, type Definition } from '@rasoat/workflow-core';
import { generatedProvince, simulatedProvince, type SimulatedProvince } from './province';
import { deriveSeed } from './prng';
import { assignPaces, PACES, VillageAgent, type Pace } from './village';

/** What to simulate, and where. */
export interface SeasonOptions {
  /** Province code; default: the definition's province, else the demo province of config/defaults.yaml. */
  provinceCode?: string;
  /** Only the first N villages of the demo province. */
  villages?: number;
  /**
   * Several provinces at once instead of the demo province (`provinceCode` and `villages` are
   * then ignored): each a generated two-level province (communes directly under it, 24 villages
   * to a commune) with its own campaign, all on the same definition and the same virtual days.
   */
  provinces?: readonly { code: string; villages: number }[];
  seed: number;
  definitionKey: string;
  /** Campaign year; default: the year of the definition's own window, else the demo year (2026). */
  year?: number;
  /** Virtual days simulated after the window end (overdue notices, escalations). */
  daysAfterWindow: number;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** The environment the configuration is read from (worker concurrency, digest hour…). */
  env: NodeJS.ProcessEnv;
  /** Progress and engine warnings (stderr). */
  log: (line: string) => void;
  /** Engine log lines too. */
  verbose?: boolean;
  /** Checked once per virtual day: true stops the season early (Ctrl-C, a time budget). */
  shouldStop?: () => boolean;
  /** acceptMany calls in flight in the villages' work (default 4, each of at most 500 events). */
  acceptConcurrency?: number;
}

export interface StageInfo {
  stage: number;
  label: string;
}

export interface SeasonHeader {
  /** The province, or with `SeasonOptions.provinces` their sum under the code VN. */
  province: { code: string; name: string; districts: number; communes: number; villages: number };
  /** With `SeasonOptions.provinces`: each province's code and villages. */
  provinces?: { code: string; villages: number }[];
  definition: { key: string; title: string };
  seed: number;
  window: { start: string; end: string };
  until: string;
  paces: Record<Pace, number>;
  stages: StageInfo[];
  subscriptions: number;
}

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

export interface SeasonHandlers {
  header(header: SeasonHeader): void;
  week(row: WeekRow): void;
  /** Where the wall time went, at the end (also after an early stop). */
  timing?(timing: SeasonTiming): void;
  /** After the summary, before the engine closes: e.g. reading progress of the finished season. */
  inspect?(season: { app: INestApplicationContext; clock: ManualClock; campaigns: readonly SeasonCampaign[] }): Promise<void>;
}

export interface SeasonCampaign {
  provinceCode: string;
  campaignId: string;
  villages: number;
}

/**
 * Wall time per phase of the virtual days, in milliseconds, and how often each ran. `work` is
 * the villages' acceptance (the in-process workers already apply meanwhile), `settle.*` the
 * wait for the workers to apply what the phase before accepted, `alarms.events` the onDue
 * events sent in batches (CaseDeadlinesService.fireEvents), `alarms.due` CaseDeadlinesService.fireDue, `digests`
 * building and delivering the digests, `observe` reading every case back for the villages'
 * plans, `week` the weekly progress rows.
 */
export interface SeasonTiming {
  prepareMs: number;
  phases: Record<string, { ms: number; calls: number }>;
  /** onDue deadlines sent by the simulator (fireEvents), and calls of accept. */
  counts: { accepts: number; alarmEvents: number };
}

/** The templates the deadline alarms write (CaseDeadlinesService). */
export const ALARM_TEMPLATES: readonly string[] = ['deadline-reminder', 'step-overdue', 'step-escalated'];

const NATIONAL: Actor = { sub: 'simulation', role: 'national_admin', unit: 'VN' };
/** Bulk acceptance: chunks of at most this many events, this many chunks in flight. */
const ACCEPT_CHUNK = 500;
const ACCEPT_CONCURRENCY = 4;
const DAY_MS = 86_400_000;

/** An instant of a civil day in Asia/Ho_Chi_Minh. */
const at = (day: string, time: string) => new Date(`${day}T${time}+07:00`);
const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Plays one campaign season in virtual time against the real engine: the engine and its
 * workers in this process with a ManualClock, PostgreSQL and Redis for real. Each virtual day:
 * the digests of the day before (at the digest hour), the morning alarms (08:00), the villages'
 * work (09:00) through CaseAcceptanceService, the alarms due at midnight (posting periods
 * ending, overdue, first escalation); after each phase it waits until the workers have applied
 * every accepted event, so that the run is reproducible.
 */
export async function runSeason(options: SeasonOptions, handlers: SeasonHandlers): Promise<SeasonSummary> {
  const wallStart = Date.now();
  const log = options.log;
  await migrate(options.databaseUrl, options.verbose ? log : () => undefined);
  log('migrated the simulation database');

  const receiver = await startWebhookReceiver();
  const config = loadConfig(options.env, {
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl,
    queuePrefix: options.queuePrefix,
    jwtSecret: randomBytes(32).toString('hex'),
    port: 0,
    'demo.seed': false,
    'notifications.allowHttpWebhooks': true,
    // The digests go to this process's own receiver on loopback.
    'notifications.webhookAllowedHosts': ['127.0.0.1'],
  });
  const clock = new ManualClock(at(config.demo.windowStart, '06:00:00'));
  const engine = EngineModule.forRoot(config, clock);
  @Module({ imports: [WorkerModule.forRoot(config, clock, engine, { sweeper: false })] })
  class SimulationModule {}
  const app = await NestFactory.createApplicationContext(SimulationModule, { logger: streamLogger(log, options.verbose ?? false) });
  try {
    await app.get(EngineBootstrap).run({ seedDemo: false });
    const prepareStart = Date.now();
    const season = await Season.prepare(app, config, clock, options, receiver);
    season.prepareMs = Date.now() - prepareStart;
    handlers.header(season.header);
    try {
      const summary = await season.play(handlers, wallStart);
      await handlers.inspect?.({ app, clock, campaigns: season.campaigns });
      return summary;
    } finally {
      handlers.timing?.(season.timing());
    }
  } finally {
    await app.close();
    await new Promise((r) => receiver.server.close(r));
  }
}

class Season {
  private readonly em: EntityManager;
  private readonly agents: VillageAgent[];
  private readonly byCase: Map<string, VillageAgent>;
  private readonly campaignIds: string[];
  private refused = 0;
  prepareMs = 0;
  private readonly phases: Record<string, { ms: number; calls: number }> = {};
  private readonly counts = { accepts: 0, alarmEvents: 0 };

  private constructor(
    private readonly app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly clock: ManualClock,
    private readonly options: SeasonOptions,
    private readonly receiver: WebhookReceiver,
    readonly header: SeasonHeader,
    readonly campaigns: readonly SeasonCampaign[],
    agents: VillageAgent[],
  ) {
    this.em = app.get(EntityManager);
    this.agents = agents;
    this.byCase = new Map(agents.map((a) => [a.caseId, a]));
    this.campaignIds = campaigns.map((c) => c.campaignId);
  }

  /** Seeds the provinces, subscribes their committees to the digests, starts one campaign per province, creates the villages' agents. */
  static async prepare(app: INestApplicationContext, config: AppConfig, clock: ManualClock, options: SeasonOptions, receiver: WebhookReceiver): Promise<Season> {
    const compiled = await app.get(DefinitionRegistry).get(options.definitionKey);
    const definition = compiled.definition;
    const window = seasonWindow(definition, options.year ?? null, config.demo.year);
    const several = options.provinces !== undefined;
    const provinces: SimulatedProvince[] = several
      ? (options.provinces ?? []).map((p) => generatedProvince(p.code, p.villages))
      : [simulatedProvince(options.provinceCode ?? definition.province ?? config.demo.provinceCode, options.villages)];
    const codes = provinces.map((p) => p.code);
    const duplicate = codes.find((c, i) => codes.indexOf(c) !== i);
    if (duplicate !== undefined) throw new Error(`province ${duplicate} is listed twice`);
    if (provinces.length === 0 || provinces.some((p) => p.villages.length === 0)) throw new Error('the province has no village to simulate');

    clock.set(at(window.start, '06:00:00'));
    const steps = stepIndex(definition);
    const subscriptions = app.get(SubscriptionsService);
    const campaigns: SeasonCampaign[] = [];
    const agents: VillageAgent[] = [];
    const paces: Pace[] = [];
    let subscribed = 0;
    for (const province of provinces) {
      await app.get(UnitsService).upsertTree(province.units);
      // Every steering committee (province, districts, communes) gets the daily digest by webhook;
      // a local receiver stands for their systems. Village boards are not subscribed: their
      // reminders stay in their inbox.
      const committee = { province: 'province_committee', district: 'district_committee', commune: 'commune_committee' } as const;
      const recipients = province.units.flatMap((u) => (u.level in committee ? [{ unitCode: u.code, role: committee[u.level as keyof typeof committee] }] : []));
      for (const r of recipients) await subscriptions.create(NATIONAL, { ...r, channel: 'webhook', address: `${receiver.url}/${r.unitCode}`, secret: `simulation-webhook-secret-${r.unitCode}` });
      subscribed += recipients.length;

      const { campaign } = await app.get(CampaignsService).start({ provinceCode: province.code, year: window.year, definitionKey: options.definitionKey, windowStart: window.start, windowEnd: window.end }, SYSTEM_ACTOR);
      const cases = await app.get(EntityManager).fork().execute<{ id: string; village_code: string }[]>('select id, village_code from review_case where campaign_id = ?', [campaign.id]);
      const caseOf = new Map(cases.map((c) => [c.village_code, c.id]));
      const calendar = app.get(DeadlineCalculator).calendarFor(province.code);
      // One province: the paces of the original single-province season; several: each province its own draw.
      const provincePaces = assignPaces(province.villages.length, several ? deriveSeed(options.seed, `province:${province.code}`) : options.seed);
      const ctx = { definition, steps, calendar, year: window.year };
      province.villages.forEach((v, i) => agents.push(new VillageAgent(v, caseOf.get(v.code) as string, provincePaces[i], options.seed, ctx)));
      paces.push(...provincePaces);
      campaigns.push({ provinceCode: province.code, campaignId: campaign.id, villages: province.villages.length });
      if (several) options.log(`province ${province.code}: ${province.villages.length} villages, ${province.communes} communes, campaign started`);
    }
    const paceCounts = Object.fromEntries(PACES.map((p) => [p, paces.filter((x) => x === p).length])) as Record<Pace, number>;
    const sum = (f: (p: SimulatedProvince) => number) => provinces.reduce((a, p) => a + f(p), 0);
    const only = provinces[0];

    const header: SeasonHeader = {
      province: several
        ? { code: 'VN', name: `${provinces.length} tỉnh / provinces (mô phỏng / simulated)`, districts: sum((p) => p.districts), communes: sum((p) => p.communes), villages: sum((p) => p.villages.length) }
        : { code: only.code, name: only.name, districts: only.districts, communes: only.communes, villages: only.villages.length },
      ...(several ? { provinces: provinces.map((p) => ({ code: p.code, villages: p.villages.length })) } : {}),
      definition: { key: options.definitionKey, title: vi(definition.title) },
      seed: options.seed,
      window: { start: window.start, end: window.end },
      until: plusDays(window.end, options.daysAfterWindow),
      paces: paceCounts,
      stages: stagesOf(definition),
      subscriptions: subscribed,
    };
    const season = new Season(app, config, clock, options, receiver, header, campaigns, agents);
    for (const agent of agents) agent.observe([compiled.definition.initial], window.start, new Set());
    return season;
  }

  timing(): SeasonTiming {
    return { prepareMs: this.prepareMs, phases: this.phases, counts: this.counts };
  }

  /** Runs `run` and adds its wall time to the phase `name`. */
  private async timed<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await run();
    } finally {
      const phase = (this.phases[name] ??= { ms: 0, calls: 0 });
      phase.ms += Date.now() - started;
      phase.calls++;
    }
  }

  async play(handlers: SeasonHandlers, wallStart: number): Promise<SeasonSummary> {
    const { window, until } = this.header;
    const digestTime = `${String(this.config.notifications.digestHour).padStart(2, '0')}:00:00`;
    const phases = [
      { name: 'digests', time: digestTime, run: (day: string) => this.timed('digests', () => this.digests(day)) },
      { name: 'alarms', time: '08:00:00', run: () => this.alarms() },
      { name: 'work', time: '09:00:00', run: (day: string) => this.timed('work', () => this.work(day)) },
    ].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    let weekFrom = window.start;
    let week = 1;
    let days = 0;
    let last: string | null = null;
    const emitWeek = async (to: string) => {
      const row = await this.timed('week', () => this.weekRow(week, weekFrom, to));
      handlers.week(row);
      const elapsed = ((Date.now() - wallStart) / 1000).toFixed(0);
      this.options.log(`[${elapsed}s] tuần / week ${week} → ${dmy(to)}: ${row.completed}/${this.agents.length} hoàn thành / completed, ${row.events} sự kiện / events`);
      week++;
      weekFrom = plusDays(to, 1);
    };
    for (let day = window.start; day <= until; day = plusDays(day, 1)) {
      if (this.options.shouldStop?.()) {
        this.options.log('stopped: the summary covers the days simulated so far');
        if (last && weekFrom <= last) await emitWeek(last);
        break;
      }
      days++;
      last = day;
      const sent = new Map<VillageAgent, Set<string>>();
      for (const phase of phases) {
        const instant = at(day, phase.time);
        if (instant.getTime() < this.clock.now().getTime()) continue; // the first day starts after 06:00
        this.clock.set(instant);
        await phase.run(day).then((s) => s && mergeSent(sent, s));
        await this.timed(`settle.after-${phase.name}`, () => this.settle());
      }
      // Deadlines fall due at the end of their day: posting periods end, steps become overdue.
      this.clock.set(endOfDayInstant(day));
      await this.alarms();
      await this.timed('settle.after-alarms', () => this.settle());
      await this.timed('observe', () => this.observe(day, sent));
      if (daysBetween(weekFrom, day) === 6 || day === until) await emitWeek(day);
    }
    return this.summary(days, wallStart);
  }

  /**
   * The villages' work of the day, accepted in bulk (CaseAcceptanceService.acceptMany): round k
   * sends the k-th event of every village due today, so each village's events keep their order
   * and a village whose event is refused sends nothing more that day, as if it sent them one by
   * one. A round goes in chunks, `acceptConcurrency` chunks in flight.
   */
  private async work(day: string): Promise<Map<VillageAgent, Set<string>>> {
    const acceptance = this.app.get(CaseAcceptanceService);
    let round = this.agents.flatMap((a) => {
      const events = a.done ? [] : a.dueOn(day);
      return events.length > 0 ? [{ agent: a, events, next: 0 }] : [];
    });
    const sent = new Map<VillageAgent, Set<string>>();
    const lanes = this.options.acceptConcurrency ?? ACCEPT_CONCURRENCY;
    while (round.length > 0) {
      const size = Math.min(ACCEPT_CHUNK, Math.ceil(round.length / lanes));
      const chunks = Array.from({ length: Math.ceil(round.length / size) }, (_, i) => round.slice(i * size, (i + 1) * size));
      const later: typeof round = [];
      await forEachLimited(chunks, lanes, async (chunk) => {
        this.counts.accepts += chunk.length;
        const outcomes = await acceptance.acceptMany(
          chunk.map(({ agent, events, next }) => {
            const e = events[next];
            return { caseId: agent.caseId, body: { type: e.type, data: e.data, idempotencyKey: e.idempotencyKey }, actor: e.actor };
          }),
        );
        chunk.forEach((item, i) => {
          const { agent, events, next } = item;
          const e = events[next];
          const outcome = outcomes[i];
          if (outcome.ok) {
            let steps = sent.get(agent);
            if (!steps) sent.set(agent, (steps = new Set()));
            steps.add(e.step);
            if (next + 1 < events.length) later.push({ ...item, next: next + 1 });
          } else {
            // The model and the definition disagree: the village stops in this step.
            agent.refused++;
            const error = outcome.error;
            if (this.refused++ < 5) this.options.log(`refused ${e.type} of ${agent.unit.code}: ${error instanceof Error ? error.message : String(error)}`);
            agent.plans.set(e.step, { day: null, events: [] });
          }
        });
      });
      round = later;
    }
    return sent;
  }

  /**
   * Rings what is due now. The onDue events (posting periods ending) are sent here first, in
   * batches of EVENT_BATCH deadlines (one transaction each, in deadline order so that a seed
   * replays the same), then fireDue rings the rest (reminders, overdue notices, escalations) and
   * finds those events done.
   */
  private async alarms(): Promise<void> {
    const deadlines = this.app.get(CaseDeadlinesService);
    await this.timed('alarms.events', async () => {
      const events = await this.sql<{ id: string }>(`select id from deadline where next_alarm_at <= ? and (alarms -> next_alarm ->> 'kind') = 'event' order by next_alarm_at, id`, [
        this.clock.now(),
      ]);
      this.counts.alarmEvents += events.length;
      for (let i = 0; i < events.length; i += EVENT_BATCH) await deadlines.fireEvents(events.slice(i, i + EVENT_BATCH).map((e) => e.id));
    });
    await this.timed('alarms.due', () => deadlines.fireDue());
  }

  /** At the digest hour: yesterday's digests, when yesterday produced notifications (otherwise there is nothing to build); waits for their delivery. */
  private async digests(day: string): Promise<void> {
    if (this.header.subscriptions === 0) return;
    const [{ n }] = await this.sql<{ n: number }>('select count(*)::int as n from notification where created_at >= ? and created_at < ?', [at(plusDays(day, -1), '00:00:00'), at(day, '00:00:00')]);
    if (n === 0) return;
    await this.app.get(DigestService).buildDigests(this.clock.now());
    const until = Date.now() + 60_000;
    for (;;) {
      const [{ pending }] = await this.sql<{ pending: number }>(`select count(*)::int as pending from notification_delivery where status = 'pending'`);
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
  private async settle(): Promise<void> {
    let started = Date.now();
    let last = Number.POSITIVE_INFINITY;
    for (;;) {
      const asked = Date.now();
      const [{ behind }] = await this.sql<{ behind: number }>('select count(*)::int as behind from review_case where campaign_id in (?) and applied_seq < accepted_seq', [this.campaignIds]);
      // The count scans every case: with tens of thousands, polling it flat out would take a core from the workers.
      const pause = Math.min(200, 3 * (Date.now() - asked));
      if (behind === 0) return;
      if (behind < last) {
        last = behind;
        started = Date.now();
      }
      const waited = Date.now() - started;
      if (waited > 180_000) throw new Error(`the workers applied nothing for 3 minutes; ${behind} cases still have pending events`);
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
      agent.observe(row.status === 'done' ? 'done' : activeStepIds({ step: row.step, regions: row.regions ?? undefined }), day, sent.get(agent) ?? none);
    }
  }

  /** The week's line, read at midnight ending its last day (the clock moves there: the next day's work starts later). */
  private async weekRow(week: number, from: string, to: string): Promise<WeekRow> {
    const start = at(from, '00:00:00');
    const end = at(plusDays(to, 1), '00:00:00');
    this.clock.set(end);
    // Each province's campaign from its counters (ProgressService), summed.
    const finished = this.header.stages.map(() => 0);
    let overdue = 0;
    for (const c of this.campaigns) {
      const progress = await this.app.get(ProgressService).forUnit(c.provinceCode, c.campaignId, NATIONAL);
      const finishedStage = progress.totals.finishedStage as Record<string, number>;
      this.header.stages.forEach((s, i) => (finished[i] += finishedStage[String(s.stage)] ?? 0));
      overdue += progress.totals.overdue;
    }
    const [{ completed }] = await this.sql<{ completed: number }>(`select count(*)::int as completed from review_case where campaign_id in (?) and status = 'done'`, [this.campaignIds]);
    const templates = await this.sql<{ template: string; n: number }>('select template, count(*)::int as n from notification where created_at >= ? and created_at < ? group by template order by template', [start, end]);
    const [{ events }] = await this.sql<{ events: number }>(
      'select count(*)::int as events from case_event e join review_case c on c.id = e.case_id where c.campaign_id in (?) and e.received_at >= ? and e.received_at < ?',
      [this.campaignIds, start, end],
    );
    const [{ digests }] = await this.sql<{ digests: number }>('select count(*)::int as digests from notification_digest where created_at >= ? and created_at < ?', [start, end]);
    const [{ deliveries }] = await this.sql<{ deliveries: number }>(`select count(*)::int as deliveries from notification_delivery where status = 'sent' and created_at >= ? and created_at < ?`, [start, end]);
    return { week, from, to, finished, completed, overdue, events, notifications: Object.fromEntries(templates.map((t) => [t.template, t.n])), digests, deliveries };
  }

  private async summary(virtualDays: number, wallStart: number): Promise<SeasonSummary> {
    const { window } = this.header;
    const done = await this.sql<{ id: string; at: Date }>(
      `select c.id, min(h.at) as at from case_history h join review_case c on c.id = h.case_id
       where c.campaign_id in (?) and c.status = 'done' and h.to_step = c.step group by c.id`,
      [this.campaignIds],
    );
    const days = done.map((d) => daysBetween(window.start, civilDateOf(new Date(d.at)))).sort((a, b) => a - b);
    const windowEnd = endOfDayInstant(window.end).getTime();
    const doneIds = new Set(done.map((d) => d.id));
    const byPace = Object.fromEntries(PACES.map((p) => [p, { villages: 0, completed: 0 }])) as SeasonSummary['byPace'];
    for (const a of this.agents) {
      byPace[a.pace].villages++;
      if (doneIds.has(a.caseId)) byPace[a.pace].completed++;
    }
    const templates = await this.sql<{ template: string; n: number }>('select template, count(*)::int as n from notification group by template order by template');
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
    const [{ digests }] = await this.sql<{ digests: number }>('select count(*)::int as digests from notification_digest');
    const [deliveries] = await this.sql<{ created: number; sent: number }>(`select count(*)::int as created, (count(*) filter (where status = 'sent'))::int as sent from notification_delivery`);
    return {
      villages: this.agents.length,
      completed: done.length,
      completedInWindow: done.filter((d) => new Date(d.at).getTime() <= windowEnd).length,
      averageDaysToComplete: days.length > 0 ? days.reduce((a, b) => a + b, 0) / days.length : null,
      medianDaysToComplete: days.length > 0 ? days[Math.floor((days.length - 1) / 2)] : null,
      byPace,
      notifications: Object.fromEntries(templates.map((t) => [t.template, t.n])),
      events: { ...events, refused: this.refused },
      counters: Object.fromEntries(counters.map((c) => [c.key, c.n])),
      digests,
      deliveries: { ...deliveries, received: this.receiver.received() },
      virtualDays,
      wallSeconds: (Date.now() - wallStart) / 1000,
    };
  }

  private sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return this.em.fork().execute<T[]>(query, params);
  }
}

/**
 * The campaign window: the definition's own dates when it has a full-date window (a province's
 * plan for one year; `--year` must then agree), its recurring MM-DD window placed in the year,
 * otherwise 1 September – 14 December of the year.
 */
export function seasonWindow(definition: Pick<Definition, 'window' | 'id' | 'version'>, year: number | null, defaultYear: number): { start: string; end: string; year: number } {
  const declared = definition.window;
  if (declared && declared.start.length === 10) {
    const own = Number(declared.start.slice(0, 4));
    if (year !== null && year !== own) throw new Error(`${definition.id}@${definition.version} is for the ${declared.start} – ${declared.end} window: --year ${year} does not match`);
    return { start: declared.start, end: declared.end, year: own };
  }
  const y = year ?? defaultYear;
  const start = `${y}-${declared?.start ?? '09-01'}`;
  const endMd = declared?.end ?? '12-14';
  const end = `${endMd < (declared?.start ?? '09-01') ? y + 1 : y}-${endMd}`;
  return { start, end, year: y };
}

/** The definition's stages (legal step numbers) with the label of their first step. */
export function stagesOf(definition: Definition): StageInfo[] {
  const byStage = new Map<number, string>();
  for (const { step } of stepIndex(definition).values()) if (step.stage && !byStage.has(step.stage)) byStage.set(step.stage, vi(step.label));
  return [...byStage.entries()].sort((a, b) => a[0] - b[0]).map(([stage, label]) => ({ stage, label }));
}

export const dmy = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

function mergeSent(into: Map<VillageAgent, Set<string>>, from: Map<VillageAgent, Set<string>>): void {
  for (const [agent, steps] of from) {
    const set = into.get(agent);
    if (set) steps.forEach((s) => set.add(s));
    else into.set(agent, new Set(steps));
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]);
  });
  await Promise.all(lanes);
}

interface WebhookReceiver {
  url: string;
  server: Server;
  received(): number;
}

/** A local receiver standing for the committees' systems: answers 204 to every digest POST. */
async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks`, server, received: () => count };
}

/**
 * Migrates the run's fresh database: migrateDatabase's work without its advisory lock (nobody
 * else uses this database), with the migrator's lines on the run's log instead of stdout.
 */
async function migrate(databaseUrl: string, log: (line: string) => void): Promise<void> {
  const orm = await MikroORM.init(ormOptions(databaseUrl, { pool: { min: 0, max: 2 }, colors: false, logger: (message: string) => log(message) }));
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close(true);
  }
}

/** Nest's log lines to the run's stderr: warnings and errors always, the rest with --verbose. */
function streamLogger(log: (line: string) => void, verbose: boolean): LoggerService {
  const line = (level: string) => (message: unknown, ...rest: unknown[]) => {
    const context = typeof rest[rest.length - 1] === 'string' ? ` [${String(rest[rest.length - 1])}]` : '';
    log(`${level}${context} ${message instanceof Error ? (message.stack ?? message.message) : String(message)}`);
  };
  const quiet = () => undefined;
  return { log: verbose ? line('log') : quiet, warn: line('warn'), error: line('error'), debug: quiet, verbose: quiet, fatal: line('fatal') };
}
