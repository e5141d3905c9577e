import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** BullMQ job states reported by `rasoat_queue_jobs`. */
export const QUEUE_JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

/**
 * Read on every scrape by the process that registers them (the HTTP API): the state of the
 * shared queues and of the deadline table, which are the same whichever process reads them.
 */
export interface ScrapeSources {
  /** Job counts per queue and state (BullMQ `getJobCounts`). */
  queueJobCounts(): Promise<{ queue: string; counts: Partial<Record<QueueJobState, number>> }[]>;
  /** Deadlines whose next alarm is armed (`next_alarm_at is not null`). */
  armedDeadlines(): Promise<number>;
}

/** A scrape never waits longer than this on PostgreSQL or Redis; a gauge that timed out has no value (queues) or NaN (deadlines) in that scrape. */
const SOURCE_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The process's Prometheus metrics, in a registry of its own (several Nest applications may
 * live in one test process). Application code calls the counters (`metrics.eventsApplied.inc(…)`);
 * gauges over shared state are computed on scrape from the sources given to `collectOnScrape`.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  /** Events the engine marked applied or rejected. */
  readonly eventsApplied = new Counter({
    name: 'rasoat_events_applied_total',
    help: 'Case events processed by the engine, by outcome (applied | rejected).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Duration of one drain of a case's inbox that processed at least one event (one transaction). */
  readonly eventApplySeconds = new Histogram({
    name: 'rasoat_event_apply_seconds',
    help: 'Duration of one drain transaction (case locks, apply, effects, commit) over the batch of cases it drains, in seconds.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Deadline alarms rung: reminder | due | escalation | event (an onDue event sent to the case). */
  readonly alarmsRung = new Counter({
    name: 'rasoat_alarms_rung_total',
    help: 'Deadline alarms rung, by kind (reminder | due | escalation | event).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  /** Delivery attempts: channel email | webhook; outcome sent | failed | dead | no_transport | inactive. */
  readonly notificationDeliveries = new Counter({
    name: 'rasoat_notification_deliveries_total',
    help: 'Notification delivery attempts, by channel (email | webhook) and outcome (sent | failed | dead | no_transport | inactive).',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  private gaugesRegistered = false;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every known series starts at 0, so that rate() and increase() see the first event.
    for (const outcome of ['applied', 'rejected']) this.eventsApplied.inc({ outcome }, 0);
    for (const kind of ['reminder', 'due', 'escalation', 'event']) this.alarmsRung.inc({ kind }, 0);
    for (const channel of ['email', 'webhook']) {
      for (const outcome of ['sent', 'failed', 'dead', 'no_transport', 'inactive'])
        this.notificationDeliveries.inc({ channel, outcome }, 0);
    }
  }

  /**
   * Registers `rasoat_queue_jobs{queue,state}` and `rasoat_deadlines_armed`, read from
   * `sources` on each scrape. Only the process that answers for the shared state calls it (the
   * API), so that N workers do not report N copies of the same gauges.
   */
  collectOnScrape(sources: ScrapeSources, onError: (what: string, error: unknown) => void = () => undefined): void {
    if (this.gaugesRegistered) return;
    this.gaugesRegistered = true;
    new Gauge({
      name: 'rasoat_queue_jobs',
      help: 'Jobs in each BullMQ queue by state (waiting | active | delayed | failed), read on scrape.',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const { queue, counts } of await withTimeout(sources.queueJobCounts(), SOURCE_TIMEOUT_MS)) {
            for (const state of QUEUE_JOB_STATES) this.set({ queue, state }, counts[state] ?? 0);
          }
        } catch (e) {
          onError('rasoat_queue_jobs', e);
        }
      },
    });
    new Gauge({
      name: 'rasoat_deadlines_armed',
      help: 'Deadlines with an armed alarm (next_alarm_at is not null), read on scrape.',
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          this.set(await withTimeout(sources.armedDeadlines(), SOURCE_TIMEOUT_MS));
        } catch (e) {
          this.set(Number.NaN); // unknown this scrape, rather than a false 0
          onError('rasoat_deadlines_armed', e);
        }
      },
    });
  }

  /** The text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
