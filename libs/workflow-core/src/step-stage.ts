import type { CompiledDefinition } from './definition-compiler';

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
