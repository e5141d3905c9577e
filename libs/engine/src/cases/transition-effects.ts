import { stageOf, vi, type CaseEffect, type CompiledDefinition, type TransitionResult } from '@rasoat/workflow-core';
import type { DeadlineScheduler } from '../deadlines';
import type { UnitLink } from '../units';
import type { CaseChanges } from './case-changes';

/** What collecting a transition's effects needs to know about its case. */
export interface CaseRef {
  id: string;
  campaignId: string;
  villageCode: string;
  communeCode: string;
  unitPath: string;
  provinceCode: string;
  window: { start: string; end: string };
  /** The units above the case, province … village (UnitDirectory): whom a role's notification goes to. */
  chain: readonly UnitLink[];
}

const SYSTEM = { sub: 'system', role: 'system', unit: 'VN' } as const;

/**
 * Turns an applied transition's effects into rows collected in `changes`: deadlines armed (planned
 * by `deadlines`) or closed, notifications to the unit of the role's level, a history entry when
 * the case completes. `cause` makes notification keys unique per event, so a retried job cannot
 * notify twice. Writes nothing (CaseEffectWriter writes `changes`).
 */
export function collectTransitionEffects(
  changes: CaseChanges,
  compiled: CompiledDefinition,
  ref: CaseRef,
  result: TransitionResult & { outcome: 'applied' },
  cause: string,
  deadlines: Pick<DeadlineScheduler, 'plan'>,
): void {
  for (const effect of result.effects)
    collectOne(changes, compiled, ref, effect, result.snapshot.context.milestones, cause, deadlines);
}

function collectOne(
  changes: CaseChanges,
  compiled: CompiledDefinition,
  ref: CaseRef,
  effect: CaseEffect,
  milestones: Record<string, string>,
  cause: string,
  deadlines: Pick<DeadlineScheduler, 'plan'>,
): void {
  switch (effect.kind) {
    case 'deadline.cancel':
      changes.close(ref.id, effect.step);
      return;
    case 'deadline.arm': {
      const planned = deadlines.plan({
        step: effect.step,
        spec: effect.deadline,
        milestones,
        window: ref.window,
        provinceCode: ref.provinceCode,
        now: changes.now,
      });
      changes.arm(ref.id, effect.step, effect.deadline, planned);
      return;
    }
    case 'notify': {
      const role = compiled.definition.roles[effect.role];
      const unit = ref.chain.find((u) => u.level === role.level);
      const step = compiled.definition.steps[effect.step];
      changes.notify({
        dedupeKey: `case:${ref.id}:${cause}:${effect.role}:${effect.template}`,
        unitCode: unit?.code ?? ref.villageCode,
        role: effect.role,
        template: effect.template,
        title: `${vi(step.label)} — thôn ${ref.villageCode}`,
        body: `Hồ sơ rà soát thôn ${ref.villageCode}: ${effect.template} (bước "${vi(step.label)}")`,
        caseId: ref.id,
      });
      return;
    }
    case 'case.completed':
      changes.record(ref.id, {
        kind: 'completed',
        actor: SYSTEM,
        toStep: effect.step,
        details: { outcome: effect.outcome, stage: stageOf(compiled, effect.step) },
      });
      return;
  }
}
