import {
  transitionsOf,
  vi,
  type Definition,
  type GuardRef,
  type StepSpec,
  type TransitionSpec,
} from './definition.schema';

/**
 * A Mermaid `stateDiagram-v2` of a definition; parallel steps are composite states whose regions
 * are separated by `--`. `current` (a step id, at any level) is highlighted when given.
 */
export function mermaidDiagram(definition: Definition, current?: string | string[]): string {
  const lines = ['stateDiagram-v2'];
  const label = (text: string) => text.replace(/[:\n]/g, ' ');
  const guardText = (g: GuardRef) =>
    typeof g === 'string' ? g : 'expr' in g ? g.expr.replace(/[:\n[\]]/g, ' ') : (g.not ? 'not ' : '') + g.name;
  const edges = (from: string, event: string, spec: string | TransitionSpec | TransitionSpec[], indent: string) => {
    for (const t of transitionsOf(spec))
      lines.push(`${indent}${from} --> ${t.target ?? from}: ${event}${t.guard ? ` [${guardText(t.guard)}]` : ''}`);
  };
  const draw = (steps: Record<string, StepSpec>, initial: string, indent: string) => {
    for (const [id, step] of Object.entries(steps)) lines.push(`${indent}${id}: ${label(vi(step.label))}`);
    lines.push(`${indent}[*] --> ${initial}`);
    for (const [id, step] of Object.entries(steps)) {
      if (step.type === 'final') lines.push(`${indent}${id} --> [*]`);
      if (step.regions) {
        lines.push(`${indent}state ${id} {`);
        Object.values(step.regions).forEach((region, i) => {
          if (i > 0) lines.push(`${indent}  --`);
          draw(region.steps, region.initial, `${indent}  `);
        });
        lines.push(`${indent}}`);
      }
      for (const [event, spec] of Object.entries(step.on)) edges(id, event, spec, indent);
      if (step.onDone) edges(id, 'xong các nhánh / all regions done', step.onDone, indent);
    }
  };
  draw(definition.steps, definition.initial, '  ');
  // Events accepted in any step move no case: a note rather than edges from every step.
  const anyStep = Object.keys(definition.anyStep ?? {});
  if (anyStep.length > 0)
    lines.push(
      `  note right of ${definition.initial}: ở mọi bước, không chuyển bước / in any step, no move - ${anyStep.join(', ')}`,
    );
  const highlighted = current === undefined ? [] : Array.isArray(current) ? current : [current];
  if (highlighted.length > 0) {
    lines.push('  classDef current fill:#fde68a,stroke:#b45309,stroke-width:2px');
    for (const id of highlighted) lines.push(`  class ${id} current`);
  }
  return lines.join('\n');
}
