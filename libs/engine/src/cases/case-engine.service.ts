import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Actor, MAX_CASES_PER_JOB } from '@rasoat/contracts';
import { Metrics } from '@rasoat/observability';
import {
  applyCorrection,
  applyEvent,
  CaseSnapshotSchema,
  CORRECTION_EVENT,
  householdAccess,
  stageOf,
  type CaseSnapshot,
  type CompiledDefinition,
  type HouseholdFacts,
  type TransitionResult,
} from '@rasoat/workflow-core';
import { DeadlineRecomputeService, DeadlineScheduler, TimersProducer } from '../deadlines';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock, MicroBatcher } from '../infrastructure';
import { UnitDirectory } from '../units';
import { CaseChanges } from './case-changes';
import { CaseEffectWriter } from './case-effect-writer';
import { CaseEventRepository, type EventToApplyRow } from './case-event.repository';
import { householdFactsOf } from './case-facts';
import { drainBatch, type DrainOutcome } from './drain-batch';
import { type CaseToDrainRow, type DrainedCaseRow, ReviewCaseRepository } from './review-case.repository';
import { collectTransitionEffects, type CaseRef } from './transition-effects';

/**
 * Events applied per drain transaction, shared by its cases (200 at most for one case, 10 at
 * least): a case with more reports 'more' and is drained again. Bounds a transaction's memory
 * whatever the backlog, e.g. 500 cases after an outage.
 */
const EVENTS_PER_DRAIN = 10_000;
const perCase = (cases: number) => Math.max(10, Math.min(200, Math.floor(EVENTS_PER_DRAIN / cases)));

/**
 * Worker side of durable execution. Under the case locks of a batch of cases (lockCases: taken
 * in id order, so that two batches cannot deadlock) it applies each case's accepted events in
 * sequence order through the pure core, and commits snapshots, history, event outcomes,
 * deadlines, notifications and progress counters of the whole batch in one transaction, one
 * statement per table. Running it twice, or concurrently, for the same case is harmless: the second run finds
 * nothing to do.
 */
@Injectable()
export class CaseEngineService {
  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly cases: ReviewCaseRepository,
    private readonly events: CaseEventRepository,
    private readonly effects: CaseEffectWriter,
    private readonly deadlines: DeadlineScheduler,
    private readonly recompute: DeadlineRecomputeService,
    private readonly units: UnitDirectory,
    private readonly timers: TimersProducer,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Group commit of drains (the worker's way in): the cases requested while a drain transaction
   * runs are drained together by the next one, two transactions at most at once — one is built
   * while the other commits. Idle, a case is drained at once.
   */
  private readonly together = new MicroBatcher<string, DrainOutcome>({
    flush: drainBatch((ids) => this.drainMany(ids)),
    maxBatchSize: MAX_CASES_PER_JOB,
    maxInFlight: 2,
  });

  /** Drains the case's inbox together with the other cases requested meanwhile. */
  drainSoon(caseId: string): Promise<DrainOutcome> {
    return this.together.submit(caseId);
  }

  async drain(caseId: string): Promise<DrainOutcome> {
    return (await this.drainMany([caseId])).get(caseId) as DrainOutcome;
  }

  /** Drains the inboxes of several cases in one transaction; the outcome of each case by id. */
  async drainMany(caseIds: readonly string[]): Promise<Map<string, DrainOutcome>> {
    const ids = [...new Set(caseIds)].sort();
    const timer = this.metrics.eventApplySeconds.startTimer();
    await this.recompute.syncCalendar(30_000);
    const now = this.clock.now();
    const changes = new CaseChanges(now);
    const outcomes = await this.em.fork().transactional(async (tx) => {
      // Applying is re-doable, so its commit need not wait for the WAL flush: if PostgreSQL
      // crashed before the flush, the whole transaction is gone — the events are still pending
      // in the inbox (accepted with a durable commit) and the sweeper applies them again.
      await this.cases.commitAsynchronously(tx);
      await this.cases.lockCases(tx, ids);
      const rows = await this.cases.findToDrain(tx, ids);
      const result = new Map<string, DrainOutcome>(
        ids.map((id) => [id, { status: 'unknown-case', applied: 0, rejected: 0 }]),
      );
      if (rows.length === 0) return result;
      const limit = perCase(rows.length);
      const events = await this.events.nextToApply(tx, ids, limit + 1);
      const inbox = new Map<string, EventToApplyRow[]>();
      for (const e of events)
        (inbox.get(e.case_id) ?? (inbox.set(e.case_id, []).get(e.case_id) as EventToApplyRow[])).push(e);
      const busy = rows.filter((r) => inbox.has(r.id));
      for (const r of rows) if (!inbox.has(r.id)) result.set(r.id, { status: 'done', applied: 0, rejected: 0 });
      if (busy.length === 0) return result;

      const definitions = new Map<string, CompiledDefinition>();
      for (const key of new Set(busy.map((r) => r.definition_key)))
        definitions.set(key, await this.registry.get(key, tx));
      const chains = await this.units.chains([...new Set(busy.map((r) => r.unit_path))], tx);
      // Household writes lock the case row too, so the facts cannot change during this drain: read them once.
      const factCases = busy
        .filter((r) => (definitions.get(r.definition_key) as CompiledDefinition).usesHouseholdFacts)
        .map((r) => r.id);
      const facts = factCases.length > 0 ? await householdFactsOf(tx, factCases) : new Map<string, HouseholdFacts>();

      const updates: DrainedCaseRow[] = [];
      for (const row of busy) {
        const pending = inbox.get(row.id) as EventToApplyRow[];
        const compiled = definitions.get(row.definition_key) as CompiledDefinition;
        const outcome = this.applyCase(
          changes,
          compiled,
          row,
          pending.slice(0, limit),
          chains.get(row.unit_path) ?? [],
          facts.get(row.id),
          updates,
        );
        result.set(row.id, { ...outcome, status: pending.length > limit ? 'more' : 'done' });
      }
      await this.effects.write(tx, changes);
      // The rows last and in id order, as acceptance locks them: it waits only for this commit.
      await this.cases.lockForUpdate(
        tx,
        busy.map((r) => r.id),
      );
      await this.cases.saveDrained(tx, updates, now);
      return result;
    });
    const wakeUps = changes.wakeUps();
    if (wakeUps.length > 0) await this.timers.wakeAt(wakeUps, now);
    let applied = 0;
    let rejected = 0;
    for (const o of outcomes.values()) {
      applied += o.applied;
      rejected += o.rejected;
    }
    if (applied + rejected > 0) {
      timer();
      this.metrics.eventsApplied.inc({ outcome: 'applied' }, applied);
      this.metrics.eventsApplied.inc({ outcome: 'rejected' }, rejected);
    }
    return outcomes;
  }

  /** Applies one case's pending events in memory, collecting their writes; pushes the case row's update. */
  private applyCase(
    changes: CaseChanges,
    compiled: CompiledDefinition,
    row: CaseToDrainRow,
    events: readonly EventToApplyRow[],
    chain: CaseRef['chain'],
    facts: HouseholdFacts | undefined,
    updates: DrainedCaseRow[],
  ): { applied: number; rejected: number } {
    const now = changes.now;
    const ref: CaseRef = {
      id: row.id,
      campaignId: row.campaign_id,
      villageCode: row.village_code,
      communeCode: row.commune_code,
      unitPath: row.unit_path,
      provinceCode: row.province_code,
      window: { start: row.window_start, end: row.window_end },
      chain,
    };
    let snapshot: CaseSnapshot = CaseSnapshotSchema.parse(row.snapshot);
    let maxStage = row.max_stage;
    let applied = 0;
    let rejected = 0;
    for (const event of events) {
      const actor = Actor.parse(event.actor);
      if (event.type === CORRECTION_EVENT) {
        const corrected = this.applyCorrectionEvent(changes, compiled, row.id, snapshot, event, actor);
        if (corrected) {
          snapshot = corrected;
          applied++;
        } else rejected++;
        continue;
      }
      const result: TransitionResult = applyEvent(
        compiled,
        snapshot,
        { type: event.type, data: event.payload, facts },
        now,
      );
      if (result.outcome === 'rejected') {
        // A refusal changes nothing: it stays on the event row (status, code, reason), where its
        // sender reads it, and writes no history, however often a sender tries.
        rejected++;
        changes.event(event.id, 'rejected', { code: result.code, reason: result.message });
        continue;
      }
      applied++;
      changes.event(event.id, 'applied');
      changes.record(row.id, {
        kind:
          result.from === result.to && !result.effects.some((e) => e.kind === 'deadline.arm') ? 'event' : 'transition',
        seq: event.seq,
        eventType: event.type,
        actor,
        fromStep: result.from,
        toStep: result.to,
        details: { data: event.payload },
      });
      collectTransitionEffects(changes, compiled, ref, result, `seq:${event.seq}`, this.deadlines);
      snapshot = result.snapshot;
      maxStage = Math.max(maxStage, stageOf(compiled, result.to));
    }
    changes.move(row.campaign_id, row.commune_code, row.step, snapshot.step, row.max_stage, maxStage);
    // A step that locks the household lists (recognition done) locks them from its first entry on.
    const locked = householdAccess(compiled, snapshot).locked;
    updates.push({
      id: row.id,
      snapshot,
      step: snapshot.step,
      status: snapshot.status,
      applied_seq: events[events.length - 1].seq,
      max_stage: maxStage,
      locked,
    });
    return { applied, rejected };
  }

  /**
   * A correction (`POST /api/cases/:id/corrections`): the value changes in the snapshot's data,
   * the history keeps who, why, the old and the new value; the step, deadlines and counters stay.
   * Reports read the snapshot, so they show the new value. Answers the new snapshot, or null
   * when the correction is rejected (the event was never applied to the case, the value does not fit).
   */
  private applyCorrectionEvent(
    changes: CaseChanges,
    compiled: CompiledDefinition,
    caseId: string,
    snapshot: CaseSnapshot,
    event: EventToApplyRow,
    actor: Actor,
  ): CaseSnapshot | null {
    const at = { seq: event.seq, eventType: event.type, actor, fromStep: snapshot.step, toStep: snapshot.step };
    const result = applyCorrection(compiled.definition, snapshot, event.payload);
    if (result.outcome === 'rejected') {
      // Refused like any event: on its own row, not in the history.
      changes.event(event.id, 'rejected', { code: result.code, reason: result.message });
      return null;
    }
    const { event: corrected, field, value, reason } = result.correction;
    changes.event(event.id, 'applied');
    changes.record(caseId, {
      kind: 'corrected',
      ...at,
      details: { event: corrected, field, from: result.previous, to: value, reason },
    });
    return result.snapshot;
  }
}
