import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Actor } from '@rasoat/contracts';
import { Metrics } from '@rasoat/observability';
import { applyEvent, CaseSnapshotSchema, householdAccess, type CaseSnapshot, type CompiledDefinition, type TransitionResult } from '@rasoat/workflow-core';
import { DeadlineRecomputeService } from '../deadlines/deadline-recompute.service';
import { DefinitionRegistry } from '../definitions/definition-registry.service';
import { CLOCK, type Clock } from '../infrastructure/clock';
import { CaseEffectWriter, type CaseRef, type PostCommit } from './case-effect-writer';
import { householdFacts } from './case-facts';
import { stageOf } from './case-stage';

/** What one drain of a case's inbox did. */
export interface DrainOutcome {
  status: 'done' | 'more' | 'unknown-case';
  applied: number;
  rejected: number;
}

interface CaseRow {
  id: string;
  campaign_id: string;
  village_code: string;
  commune_code: string;
  unit_path: string;
  definition_key: string;
  step: string;
  max_stage: number;
  snapshot: unknown;
  applied_seq: number;
  window_start: string;
  window_end: string;
  province_code: string;
}

interface PendingRow {
  id: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  actor: unknown;
}

const BATCH = 200;

/**
 * Worker side of durable execution. Under a row lock on the case it applies the accepted
 * events in sequence order through the pure core, and commits snapshot, history, event
 * outcomes, deadlines, notifications and progress counters in one transaction. Running it
 * twice, or concurrently, for the same case is harmless: the second run finds nothing to do.
 */
@Injectable()
export class CaseEngineService {
  private readonly logger = new Logger(CaseEngineService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly effects: CaseEffectWriter,
    private readonly recompute: DeadlineRecomputeService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  async drain(caseId: string): Promise<DrainOutcome> {
    const timer = this.metrics.eventApplySeconds.startTimer();
    await this.recompute.syncCalendar(30_000);
    const postCommit: PostCommit[] = [];
    const outcome = await this.em.fork().transactional(async (tx) => {
      // Applying is re-doable, so its commit need not wait for the WAL flush: if PostgreSQL
      // crashed before the flush, the whole transaction is gone — the events are still pending
      // in the inbox (accepted with a durable commit) and the sweeper applies them again.
      await tx.execute('set local synchronous_commit = off', [], 'run');
      const [row] = await tx.execute<CaseRow[]>(
        `select c.*, k.window_start::text as window_start, k.window_end::text as window_end, k.province_code
         from review_case c join campaign k on k.id = c.campaign_id where c.id = ? for update of c`,
        [caseId],
      );
      if (!row) return { status: 'unknown-case' as const, applied: 0, rejected: 0 };
      const events = await tx.execute<PendingRow[]>(
        'select id, seq, type, payload, actor from case_event where case_id = ? and seq > ? order by seq limit ?',
        [caseId, row.applied_seq, BATCH + 1],
      );
      if (events.length === 0) return { status: 'done' as const, applied: 0, rejected: 0 };

      const compiled = await this.registry.get(row.definition_key, tx);
      const ref: CaseRef = {
        id: row.id,
        campaignId: row.campaign_id,
        villageCode: row.village_code,
        communeCode: row.commune_code,
        unitPath: row.unit_path,
        provinceCode: row.province_code,
        window: { start: row.window_start, end: row.window_end },
      };
      const startStep = row.step;
      let snapshot: CaseSnapshot = CaseSnapshotSchema.parse(row.snapshot);
      let maxStage = row.max_stage;
      let lastSeq = row.applied_seq;
      let applied = 0;
      let rejected = 0;
      const now = this.clock.now();

      // Household writes lock this case row too, so the facts cannot change during this drain: read them once.
      const facts = compiled.usesHouseholdFacts ? await householdFacts(tx, caseId) : undefined;
      for (const event of events.slice(0, BATCH)) {
        const actor = Actor.parse(event.actor);
        const result: TransitionResult = applyEvent(compiled, snapshot, { type: event.type, data: event.payload, facts }, now);
        if (result.outcome === 'rejected') {
          rejected++;
          await tx.execute(
            `update case_event set status = 'rejected', rejection_code = ?, rejection_reason = ?, processed_at = ? where id = ?`,
            [result.code, result.message, now, event.id],
            'run',
          );
          await this.effects.history(tx, ref.id, now, { kind: 'rejected', seq: event.seq, eventType: event.type, actor, fromStep: snapshot.step, toStep: snapshot.step, details: { code: result.code, reason: result.message } });
        } else {
          applied++;
          await tx.execute(`update case_event set status = 'applied', processed_at = ? where id = ?`, [now, event.id], 'run');
          await this.effects.history(tx, ref.id, now, {
            kind: result.from === result.to && !result.effects.some((e) => e.kind === 'deadline.arm') ? 'event' : 'transition',
            seq: event.seq,
            eventType: event.type,
            actor,
            fromStep: result.from,
            toStep: result.to,
            details: { data: event.payload },
          });
          await this.effects.apply(tx, compiled, ref, result, now, postCommit, `seq:${event.seq}`);
          snapshot = result.snapshot;
          maxStage = Math.max(maxStage, stageOf(compiled, result.to));
        }
        lastSeq = event.seq;
      }

      // A step that locks the household lists (recognition done) locks them from its first entry on.
      const locked = householdAccess(compiled, snapshot).locked;
      await tx.execute(
        `update review_case set snapshot = ?::jsonb, step = ?, status = ?, applied_seq = ?, max_stage = ?, updated_at = ?,
           households_locked_at = coalesce(households_locked_at, case when ? then ?::timestamptz end) where id = ?`,
        [JSON.stringify(snapshot), snapshot.step, snapshot.status, lastSeq, maxStage, now, locked, now, caseId],
        'run',
      );
      await this.effects.moveCounters(tx, ref, startStep, snapshot.step, row.max_stage, maxStage);
      return { status: events.length > BATCH ? ('more' as const) : ('done' as const), applied, rejected };
    });
    for (const run of postCommit) await run();
    if (outcome.applied + outcome.rejected > 0) {
      timer();
      this.metrics.eventsApplied.inc({ outcome: 'applied' }, outcome.applied);
      this.metrics.eventsApplied.inc({ outcome: 'rejected' }, outcome.rejected);
    }
    return outcome;
  }

  /** Used by tests and the simulator: the compiled definition a case runs on. */
  async definitionOf(caseId: string): Promise<CompiledDefinition> {
    const [row] = await this.em.fork().execute<{ definition_key: string }[]>('select definition_key from review_case where id = ?', [caseId]);
    return this.registry.get(row.definition_key);
  }
}
