import { transitionsOf, vi, type Definition } from './definition.schema';

/** A Mermaid `stateDiagram-v2` of a definition; `current` is highlighted when given. */
export function mermaidDiagram(definition: Definition, current?: string): string {
  const id = (step: string) => step;
  const lines = ['stateDiagram-v2'];
  for (const [stepId, step] of Object.entries(definition.steps)) {
    lines.push(`  ${id(stepId)}: ${vi(step.label).replace(/[:\n]/g, ' ')}`);
  }
  lines.push(`  [*] --> ${id(definition.initial)}`);
  for (const [stepId, step] of Object.entries(definition.steps)) {
    if (step.type === 'final') lines.push(`  ${id(stepId)} --> [*]`);
    for (const [eventType, spec] of Object.entries(step.on)) {
      for (const t of transitionsOf(spec)) {
        const guard = t.guard ? ` [${typeof t.guard === 'string' ? t.guard : (t.guard.not ? 'not ' : '') + t.guard.name}]` : '';
        lines.push(`  ${id(stepId)} --> ${id(t.target ?? stepId)}: ${eventType}${guard}`);
      }
    }
  }
  if (current) {
    lines.push('  classDef current fill:#fde68a,stroke:#b45309,stroke-width:2px');
    lines.push(`  class ${id(current)} current`);
  }
  return lines.join('\n');
}
