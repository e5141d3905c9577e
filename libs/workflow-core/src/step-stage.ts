import type { CompiledDefinition } from './definition-compiler';
import type { Definition, StepSpec } from './definition.schema';

/**
 * The procedure stage of a step (the legal step number). A final step counts as one past
 * the last stage, so that "finished step 7" includes completed cases.
 */
export function stageOf(compiled: CompiledDefinition, step: string): number {
  const spec = compiled.definition.steps[step];
  if (spec?.stage) return spec.stage;
  if (spec?.type === 'final') return lastStage(compiled) + 1;
  return 0;
}

export function lastStage(compiled: CompiledDefinition): number {
  return Math.max(0, ...Object.values(compiled.definition.steps).map((s) => s.stage ?? 0));
}

/**
 * The top-level steps in procedure order: by stage, steps without one (final steps) last, the
 * file's order kept among equals. An overlay appends the steps it adds (e.g. the provincial
 * chairman's opinion, stage 5) after the base's; this puts them where the procedure has them.
 */
export function stepsInProcedureOrder(definition: Pick<Definition, 'steps'>): [string, StepSpec][] {
  const rank = (s: StepSpec) => s.stage ?? Number.MAX_SAFE_INTEGER;
  return Object.entries(definition.steps).sort(([, a], [, b]) => rank(a) - rank(b));
}
