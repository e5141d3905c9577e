import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import type { HistoryKind } from '@rasoat/persistence';
import { vi, type CaseEffect, type CompiledDefinition, type TransitionResult } from '@rasoat/workflow-core';
import { DeadlineScheduler } from '../deadlines/deadline-scheduler';
import { TimersProducer } from '../deadlines/timers.producer';
import { stageOf } from './case-stage';

/** What the effect writer needs to know about a case. */
export interface CaseRef {
  id: string;
  campaignId: string;
  villageCode: string;
  communeCode: string;
  unitPath: string;
  provinceCode: string;
  window: { start: string; end: string };
}

/** Work to do after the transaction commits (queue wake-ups): never before, or a crash could lose it. */
export type PostCommit = () => Promise<void>;

export interface HistoryEntry {
  kind: HistoryKind;
  seq?: number | null;
  eventType?: string | null;
  actor: Actor;
  fromStep?: string | null;
  toStep?: string | null;
  details?: Record<string, unknown>;
}

/**
 * Carries out a transition's effects inside the caller's transaction: deadline rows,
 * notifications, history, progress counters. Queue wake-ups are returned as post-commit work.
 */
@Injectable()
export class CaseEffectWriter {
  constructor(
    private readonly deadlines: DeadlineScheduler,
    private readonly timers: TimersProducer,
  ) {}

  async history(tx: EntityManager, caseId: string, at: Date, entry: HistoryEntry): Promise<void> {
    await tx.execute(
      `insert into case_history (case_id, at, kind, seq, event_type, actor, from_step, to_step, details)
       values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?::jsonb)`,
      [caseId, at, entry.kind, entry.seq ?? null, entry.eventType ?? null, JSON.stringify(entry.actor), entry.fromStep ?? null, entry.toStep ?? null, JSON.stringify(entry.details ?? {})],
      'run',
    );
  }

  /** `cause` makes notification keys unique per event, so a retried job cannot notify twice. */
  async apply(tx: EntityManager, compiled: CompiledDefinition, ref: CaseRef, result: TransitionResult & { outcome: 'applied' }, now: Date, postCommit: PostCommit[], cause: string): Promise<void> {
    for (const effect of result.effects) await this.applyOne(tx, compiled, ref, effect, result.snapshot.context.milestones, now, postCommit, cause);
  }

  private async applyOne(tx: EntityManager, compiled: CompiledDefinition, ref: CaseRef, effect: CaseEffect, milestones: Record<string, string>, now: Date, postCommit: PostCommit[], cause: string): Promise<void> {
    switch (effect.kind) {
      case 'deadline.cancel':
        await this.deadlines.close(tx, ref.id, effect.step, now);
        return;
      case 'deadline.arm': {
        const armed = await this.deadlines.arm(tx, { caseId: ref.id, step: effect.step, spec: effect.deadline, milestones, window: ref.window, provinceCode: ref.provinceCode, now });
        if (armed.firstAlarmAt) postCommit.push(() => this.timers.wakeAt([armed.firstAlarmAt as Date], now));
        return;
      }
      case 'notify': {
        const role = compiled.definition.roles[effect.role];
        const [unit] = await tx.execute<{ code: string; name: string }[]>(
          `select code, name from admin_unit where level = ? and ? like '%/' || code || '/%' limit 1`,
          [role.level, ref.unitPath],
        );
        const step = compiled.definition.steps[effect.step];
        await this.notify(tx, {
          dedupeKey: `case:${ref.id}:${cause}:${effect.role}:${effect.template}`,
          unitCode: unit?.code ?? ref.villageCode,
          role: effect.role,
          template: effect.template,
          title: `${vi(step.label)} — thôn ${ref.villageCode}`,
          body: `Hồ sơ rà soát thôn ${ref.villageCode}: ${effect.template} (bước "${vi(step.label)}")`,
          caseId: ref.id,
          at: now,
        });
        return;
      }
      case 'case.completed':
        await this.history(tx, ref.id, now, { kind: 'completed', actor: { sub: 'system', role: 'system', unit: 'VN' }, toStep: effect.step, details: { outcome: effect.outcome, stage: stageOf(compiled, effect.step) } });
        return;
    }
  }

  async notify(tx: EntityManager, n: { dedupeKey: string; unitCode: string; role: string; template: string; title: string; body: string; caseId: string | null; at: Date }): Promise<void> {
    await tx.execute(
      `insert into notification (id, dedupe_key, unit_code, role, template, title, body, case_id, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (dedupe_key) do nothing`,
      [randomUUID(), n.dedupeKey, n.unitCode, n.role, n.template, n.title, n.body, n.caseId, n.at],
      'run',
    );
  }

  /** Moves one case between steps in the per-commune counters, and records newly reached stages. */
  async moveCounters(tx: EntityManager, ref: Pick<CaseRef, 'campaignId' | 'communeCode'>, fromStep: string, toStep: string, fromMaxStage: number, toMaxStage: number): Promise<void> {
    if (fromStep !== toStep) {
      // Rows in a fixed order, so that two transactions moving cases in opposite directions
      // (survey → meeting and meeting → survey) cannot deadlock on the counter rows.
      const rows = [
        { step: fromStep, delta: -1 },
        { step: toStep, delta: 1 },
      ].sort((a, b) => (a.step < b.step ? -1 : 1));
      await tx.execute(
        `insert into progress_counter (campaign_id, commune_code, step, current) values (?, ?, ?, ?), (?, ?, ?, ?)
         on conflict (campaign_id, commune_code, step) do update set current = progress_counter.current + excluded.current`,
        rows.flatMap((r) => [ref.campaignId, ref.communeCode, r.step, r.delta]),
        'run',
      );
    }
    if (toMaxStage > fromMaxStage) {
      await tx.execute(
        `insert into stage_counter (campaign_id, commune_code, stage, reached)
         select ?, ?, s, 1 from generate_series(?::int, ?::int) s
         on conflict (campaign_id, commune_code, stage) do update set reached = stage_counter.reached + 1`,
        [ref.campaignId, ref.communeCode, fromMaxStage + 1, toMaxStage],
        'run',
      );
    }
  }
}
