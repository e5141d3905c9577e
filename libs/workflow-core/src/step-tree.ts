import type { Definition, StepSpec } from './definition.schema';
import type { PathSegment } from './definition-error';

/** A step wherever it sits: at the top level, or inside a region of a parallel step. */
export interface StepEntry {
  id: string;
  step: StepSpec;
  /** Where it is in the definition, e.g. `['steps', 'checks', 'regions', 'sample', 'steps', 'resurvey']`. */
  path: PathSegment[];
  /** For a step inside a region: the parallel step and the region. */
  parent?: string;
  region?: string;
}

/** Every step of a definition, top-level steps first, each region's steps after its parallel step. */
export function allSteps(definition: Pick<Definition, 'steps'>): StepEntry[] {
  const out: StepEntry[] = [];
  for (const [id, step] of Object.entries(definition.steps)) {
    out.push({ id, step, path: ['steps', id] });
    for (const [region, spec] of Object.entries(step.regions ?? {})) {
      for (const [childId, child] of Object.entries(spec.steps)) {
        out.push({
          id: childId,
          step: child,
          path: ['steps', id, 'regions', region, 'steps', childId],
          parent: id,
          region,
        });
      }
    }
  }
  return out;
}

/** Steps by id (ids are unique across regions; the validator checks it). */
export function stepIndex(definition: Pick<Definition, 'steps'>): Map<string, StepEntry> {
  const index = new Map<string, StepEntry>();
  for (const entry of allSteps(definition)) if (!index.has(entry.id)) index.set(entry.id, entry);
  return index;
}
