import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { z } from 'zod';
import { emptyCaseContext, type CaseContext, type HouseholdFacts } from './case-context';
import type { CaseEffect } from './case-effect';
import { vi, type StepSpec } from './definition.schema';
import { ENTERED, EXITED, type CompiledDefinition, type MachineEvent } from './definition-compiler';
import { payloadErrors, type PayloadError } from './event-payload';

/** What is persisted of a case: enough to restore the machine, nothing XState-internal. */
export const CaseSnapshotSchema = z.strictObject({
  /** The top-level step (a parallel step while its regions run). */
  step: z.string().min(1),
  /** Inside a parallel step: the current step of each region. */
  regions: z.record(z.string(), z.string()).optional(),
  status: z.enum(['active', 'done']),
  context: z.strictObject({
    data: z.record(z.string(), z.record(z.string(), z.unknown())),
    counters: z.record(z.string(), z.number()),
    milestones: z.record(z.string(), z.string()),
  }),
});
export type CaseSnapshot = z.infer<typeof CaseSnapshotSchema>;

/** An event as the core sees it: already authenticated; the payload is validated here again. */
export interface CaseEvent {
  type: string;
  data: Record<string, unknown>;
  /** The case's household facts, supplied by the adapter when the definition's guards read them. */
  facts?: HouseholdFacts;
}

export type RejectionCode =
  'UNKNOWN_EVENT' | 'INVALID_PAYLOAD' | 'CASE_COMPLETED' | 'EVENT_NOT_ALLOWED' | 'GUARD_REJECTED';

export type TransitionResult =
  | { outcome: 'applied'; snapshot: CaseSnapshot; from: string | null; to: string; effects: CaseEffect[] }
  | { outcome: 'rejected'; code: RejectionCode; message: string; payloadErrors?: PayloadError[] };

/** Starts a case in the definition's initial step. `now` becomes the step's entry milestone. */
export function startCase(
  compiled: CompiledDefinition,
  now: Date,
  milestones: Record<string, string> = {},
): TransitionResult & { outcome: 'applied' } {
  const [snapshot, actions] = initialTransition(compiled.machine);
  const context: CaseContext = { ...emptyCaseContext(), milestones: { ...milestones } };
  return finish(compiled, null, snapshot, context, actions, now) as TransitionResult & { outcome: 'applied' };
}

/**
 * The pure transition function: (definition, persisted snapshot, event, now) → next snapshot
 * and effects, or a rejection with its reason. Never throws for bad input; never starts a timer.
 */
export function applyEvent(
  compiled: CompiledDefinition,
  current: CaseSnapshot,
  event: CaseEvent,
  now: Date,
): TransitionResult {
  const { definition } = compiled;
  // Own keys only: a type such as "constructor" must not find Object.prototype's members.
  const schema = Object.hasOwn(compiled.payloadSchemas, event.type) ? compiled.payloadSchemas[event.type] : undefined;
  if (!schema)
    return {
      outcome: 'rejected',
      code: 'UNKNOWN_EVENT',
      message: `Loại sự kiện không tồn tại / unknown event type "${event.type}"`,
    };
  const payload = schema.safeParse(event.data ?? {});
  if (!payload.success) {
    const errors = payloadErrors(payload.error);
    return {
      outcome: 'rejected',
      code: 'INVALID_PAYLOAD',
      message: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      payloadErrors: errors,
    };
  }
  if (current.status === 'done') {
    return {
      outcome: 'rejected',
      code: 'CASE_COMPLETED',
      message: `Hồ sơ đã kết thúc ở bước "${current.step}" / the case is completed`,
    };
  }
  const step = definition.steps[current.step];
  const inAnyStep = !!definition.anyStep && Object.hasOwn(definition.anyStep, event.type);
  if (!inAnyStep && !activeSteps(compiled, current).some((s) => s.on[event.type])) {
    const allowed = allowedEvents(compiled, current);
    return {
      outcome: 'rejected',
      code: 'EVENT_NOT_ALLOWED',
      message: `Sự kiện ${event.type} không hợp lệ ở bước "${step ? vi(step.label) : current.step}"; cho phép: ${allowed.join(', ') || '(không có)'} / not allowed in step "${current.step}"`,
    };
  }

  const restored = restore(compiled, current);
  const machineEvent: MachineEvent = {
    type: event.type,
    data: payload.data,
    ...(event.facts ? { facts: event.facts } : {}),
  };
  if (!restored.can(machineEvent)) {
    return {
      outcome: 'rejected',
      code: 'GUARD_REJECTED',
      message: `Điều kiện chuyển bước chưa thỏa cho ${event.type} ở bước "${vi(step.label)}" / no transition's guard holds for ${event.type} in step "${current.step}"`,
    };
  }
  const [next, actions] = transition(compiled.machine, restored, machineEvent);
  return finish(compiled, current.step, next, next.context as CaseContext, actions, now);
}

/**
 * Event types the current step (and, in a parallel step, each region's step) accepts, then those
 * accepted in any step (`anyStep`); guards are checked only when the event arrives.
 */
export function allowedEvents(compiled: CompiledDefinition, snapshot: CaseSnapshot): string[] {
  if (snapshot.status === 'done') return [];
  return [
    ...new Set([
      ...activeSteps(compiled, snapshot).flatMap((s) => Object.keys(s.on)),
      ...Object.keys(compiled.definition.anyStep ?? {}),
    ]),
  ];
}

/** Ids of the steps the case is in: its step, and inside a parallel step each region's step. */
export function activeStepIds(snapshot: Pick<CaseSnapshot, 'step' | 'regions'>): string[] {
  return [snapshot.step, ...Object.values(snapshot.regions ?? {})];
}

/** The step specs the case is in: its step, plus each region's current step inside a parallel step. */
function activeSteps(compiled: CompiledDefinition, snapshot: CaseSnapshot): StepSpec[] {
  const top = compiled.definition.steps[snapshot.step];
  if (!top) return [];
  const inRegions = Object.entries(snapshot.regions ?? {}).flatMap(
    ([region, id]) => top.regions?.[region]?.steps[id] ?? [],
  );
  return [top, ...inRegions];
}

/** Restores a machine snapshot from persisted data; starts nothing (there is nothing to start). */
export function restore(compiled: CompiledDefinition, snapshot: CaseSnapshot): AnyMachineSnapshot {
  const value = snapshot.regions ? { [snapshot.step]: snapshot.regions } : snapshot.step;
  return compiled.machine.resolveState({ value, context: snapshot.context });
}

function finish(
  compiled: CompiledDefinition,
  from: string | null,
  next: AnyMachineSnapshot,
  nextContext: CaseContext,
  actions: readonly { type: string; params?: unknown }[],
  now: Date,
): TransitionResult {
  const [to, regions] =
    typeof next.value === 'string'
      ? [next.value, undefined]
      : splitValue(next.value as Record<string, Record<string, string>>);
  const effects: CaseEffect[] = [];
  const milestones = { ...nextContext.milestones };
  for (const action of actions) {
    const params = (action.params ?? {}) as Record<string, unknown>;
    const step = String(params.step ?? to);
    if (action.type === EXITED && compiled.deadlines[step]) effects.push({ kind: 'deadline.cancel', step });
    if (action.type === ENTERED) {
      milestones[step] = now.toISOString();
      if (compiled.deadlines[step]) effects.push({ kind: 'deadline.arm', step, deadline: compiled.deadlines[step] });
    }
    const effect = compiled.effectActions[action.type];
    if (effect) effects.push({ ...effect(params), step: to });
  }
  const done = next.status === 'done';
  if (done) effects.push({ kind: 'case.completed', step: to, outcome: compiled.definition.steps[to]?.outcome ?? null });
  const snapshot: CaseSnapshot = {
    step: to,
    ...(regions ? { regions } : {}),
    status: done ? 'done' : 'active',
    context: { ...nextContext, milestones },
  };
  return { outcome: 'applied', snapshot, from, to, effects };
}

/** `{ checks: { sample: 'resurvey', cross: 'crossCheck' } }` → `['checks', { sample: 'resurvey', cross: 'crossCheck' }]`. */
function splitValue(value: Record<string, Record<string, string>>): [string, Record<string, string>] {
  const [step, regions] = Object.entries(value)[0];
  return [step, { ...regions }];
}

/** Household operations open in the case's current step(s), and whether its lists are locked. */
export function householdAccess(
  compiled: CompiledDefinition,
  snapshot: CaseSnapshot,
): { operations: Set<string>; locked: boolean } {
  const steps = activeSteps(compiled, snapshot);
  const locked = steps.some((s) => s.households?.locked);
  const operations = new Set(steps.flatMap((s) => s.households?.operations ?? []));
  if (locked) for (const op of [...operations]) if (op !== 'certify') operations.delete(op);
  return { operations, locked };
}
