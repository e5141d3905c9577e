import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR, UUID_PATTERN } from '@rasoat/contracts';
import { Metrics } from '@rasoat/observability';
import { activeStepIds } from '@rasoat/workflow-core';
import { CLOCK, type Clock } from '../infrastructure';
import { CaseInboxService } from './case-inbox.service';
import { CaseChanges } from './case-changes';
import { CaseEffectWriter } from './case-effect-writer';
import { CaseEventsProducer } from './case-events.producer';
import { DeadlineAlarmsRepository, type OnDueDeadlineRow } from './deadline-alarms.repository';

/** What became of one deadline asked to send its onDue event. */
export type FireOutcome = 'fired' | 'not-due' | 'stale' | 'already-closed' | 'unknown';

/** onDue deadlines per `fireEvents` transaction. */
export const EVENT_BATCH = 500;

/**
 * Sends deadlines' onDue events (e.g. the end of a posting period) through the case inbox, in
 * batches of up to EVENT_BATCH deadlines per transaction, taking the case locks first like the
 * engine does.
 */
@Injectable()
export class OnDueEventSender {
  private readonly logger = new Logger(OnDueEventSender.name);

  constructor(
    private readonly alarms: DeadlineAlarmsRepository,
    private readonly inbox: CaseInboxService,
    private readonly producer: CaseEventsProducer,
    private readonly effects: CaseEffectWriter,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /** Sends a deadline's onDue event to its case: `fireEvents` with one deadline. */
  async fireEvent(deadlineId: string): Promise<FireOutcome> {
    const [outcome] = await this.fireEvents([deadlineId]);
    return outcome;
  }

  /**
   * Sends the onDue events of a batch of deadlines (up to EVENT_BATCH) to their cases in one
   * transaction, one statement per step rather than per deadline: the case locks of all their
   * cases (id order), then the case rows, then the deadline rows (`for update`, id order) — the
   * engine's order, so it cannot deadlock with drains or acceptance; steps already left cancel
   * their deadline ('stale'); the others are marked fired, get their history row and their event
   * in the case inbox (`CaseInboxService.insertBatch`, key `deadline:<id>`: a key already
   * used returns the existing event). One `wakeMany` after commit. Answers in the order asked.
   */
  async fireEvents(deadlineIds: readonly string[]): Promise<FireOutcome[]> {
    const ids = [...new Set(deadlineIds.map((id) => id.toLowerCase()).filter((id) => UUID_PATTERN.test(id)))];
    if (ids.length === 0) return deadlineIds.map(() => 'unknown');
    let batch: { outcomes: Map<string, FireOutcome>; wakeUps: Map<string, number> };
    try {
      batch = await this.alarms.transaction((tx) => this.fireEventBatch(tx, ids));
    } catch (e) {
      if (ids.length === 1) throw e;
      // One deadline's failure (e.g. its key reused with another payload) stops only itself: the
      // others go one by one, then the first error is thrown.
      this.logger.warn(`onDue batch of ${ids.length} failed (${(e as Error).message}); firing one by one`);
      const outcomes = new Map<string, FireOutcome>();
      let failure: unknown;
      for (const id of ids) {
        try {
          outcomes.set(id, await this.fireEvent(id));
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== undefined) throw failure;
      return deadlineIds.map((id) => outcomes.get(id.toLowerCase()) ?? 'unknown');
    }
    const fired = [...batch.outcomes.values()].filter((o) => o === 'fired').length;
    if (fired > 0) this.metrics.alarmsRung.inc({ kind: 'event' }, fired);
    if (batch.wakeUps.size > 0)
      await this.producer.wakeMany([...batch.wakeUps].map(([caseId, seq]) => ({ caseId, seq })));
    return deadlineIds.map((id) => batch.outcomes.get(id.toLowerCase()) ?? 'unknown');
  }

  private async fireEventBatch(
    tx: EntityManager,
    ids: readonly string[],
  ): Promise<{ outcomes: Map<string, FireOutcome>; wakeUps: Map<string, number> }> {
    const outcomes = new Map<string, FireOutcome>();
    const wakeUps = new Map<string, number>();
    const refs = await this.alarms.casesOf(tx, ids);
    if (refs.length === 0) return { outcomes, wakeUps };
    const caseIds = [...new Set(refs.map((r) => r.case_id))].sort();
    await this.alarms.lockCases(tx, caseIds);
    const cases = await this.alarms.lockCaseRows(tx, caseIds);
    const rows = await this.alarms.lockDeadlines(
      tx,
      refs.map((r) => r.id),
    );
    const caseById = new Map(cases.map((c) => [c.id, c]));
    const deadlineById = new Map(rows.map((d) => [d.id, d]));
    const now = this.clock.now();
    const stale: string[] = [];
    const fire: OnDueDeadlineRow[] = [];
    for (const id of ids) {
      const d = deadlineById.get(id);
      const c = d && caseById.get(d.case_id);
      if (!d || !c) continue; // gone: 'unknown'
      if (!d.next_alarm_at || d.alarms[d.next_alarm]?.kind !== 'event') outcomes.set(id, 'already-closed');
      else if (new Date(d.next_alarm_at).getTime() > now.getTime()) outcomes.set(id, 'not-due');
      else if (c.status === 'done' || !activeStepIds(c.snapshot).includes(d.step)) {
        outcomes.set(id, 'stale');
        stale.push(id);
      } else {
        outcomes.set(id, 'fired');
        fire.push(d);
      }
    }
    if (stale.length > 0) await this.alarms.cancel(tx, stale, now);
    if (fire.length === 0) return { outcomes, wakeUps };
    await this.alarms.markFired(
      tx,
      fire.map((d) => d.id),
      now,
    );
    const changes = new CaseChanges(now);
    for (const d of fire)
      changes.record(d.case_id, {
        kind: 'deadline',
        actor: SYSTEM_ACTOR,
        fromStep: d.step,
        toStep: d.step,
        details: { deadlineId: d.id, alarm: 'event', dueDate: d.due_date, onDue: d.spec.onDue },
      });
    await this.effects.write(tx, changes);
    const receipts = await this.inbox.insertBatch(
      tx,
      fire.map((d) => ({
        caseId: d.case_id,
        type: d.spec.onDue as string,
        data: {},
        actor: SYSTEM_ACTOR,
        key: `deadline:${d.id}`,
      })),
    );
    for (const r of receipts) {
      if (!r.ok) throw r.error;
      wakeUps.set(r.value.caseId, Math.max(wakeUps.get(r.value.caseId) ?? 0, r.value.seq));
    }
    return { outcomes, wakeUps };
  }
}
