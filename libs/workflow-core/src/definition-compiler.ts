import { assign, not, setup, type AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { NotifyEffectSpec } from './action-registry';
import type { ResolvedDeadline } from './case-effect';
import { readPath, type CaseContext, type HouseholdFacts } from './case-context';
import {
  actionName,
  guardName,
  transitionsOf,
  type Definition,
  type GuardRef,
  type ActionRef,
  type StepSpec,
  type TransitionSpec,
} from './definition.schema';
import { DefinitionInvalidError, type SourceLocator } from './definition-error';
import {
  BUILTIN_REGISTRIES,
  parameterValues,
  resolveParams,
  validateDefinition,
  type Registries,
} from './definition-validator';
import { bindParams, expressionHolds, parseExpression, type Expr } from './expression';
import { allSteps } from './step-tree';
import { HOUSEHOLD_GUARDS } from './guard-registry';
import { eventPayloadSchema } from './event-payload';

/** The event shape inside the machine: the definition's event type and its validated payload. */
export interface MachineEvent {
  type: string;
  data: Record<string, unknown>;
  /** Household facts for guards that read them (never stored). */
  facts?: HouseholdFacts;
}

/** A definition ready to run: the XState machine plus what adapters need to know about it. */
export interface CompiledDefinition {
  definition: Definition;
  machine: AnyStateMachine;
  payloadSchemas: Record<string, z.ZodType<Record<string, unknown>>>;
  deadlines: Record<string, ResolvedDeadline>;
  /** Actions that ask adapters to act (e.g. notify), by name. */
  effectActions: Record<string, (params: unknown) => NotifyEffectSpec>;
  /** True when a guard reads `households.*` facts: the adapter must compute them before applying an event. */
  usesHouseholdFacts: boolean;
}

/** Internal action names; a definition cannot name them because they start with "__". */
export const ENTERED = '__entered';
export const EXITED = '__exited';
const RECORD = '__record';
const EXPRESSION = '__expr';

/**
 * Compiles a definition to an XState v5 machine. Guards and actions are looked up by name in
 * the registries; the definition contains no code. The machine has no `after` or `invoke`:
 * the core holds no timers (deadlines are effects that adapters arm).
 */
export function compileDefinition(
  definition: Definition,
  registries: Registries = BUILTIN_REGISTRIES,
  source?: SourceLocator,
): CompiledDefinition {
  const errors = validateDefinition(definition, source, registries);
  if (errors.length > 0) throw new DefinitionInvalidError(errors);

  const param = <T>(value: T): T => resolveParams(value, definition) as T;

  const guardImpl: Record<string, unknown> = Object.fromEntries(
    Object.entries(registries.guards).map(([name, g]) => [
      name,
      ({ context, event }: { context: CaseContext; event: MachineEvent }, params: unknown) =>
        g.evaluate({ context, eventData: event.data ?? {}, facts: event.facts }, params),
    ]),
  );
  const actionImpl: Record<string, unknown> = {
    [RECORD]: assign(({ context, event }: { context: CaseContext; event: MachineEvent }) => ({
      data: { ...context.data, [event.type]: event.data ?? {} },
    })),
    [ENTERED]: () => undefined,
    [EXITED]: () => undefined,
  };
  for (const [name, a] of Object.entries(registries.actions)) {
    const update = a.update;
    actionImpl[name] = update
      ? assign(({ context }: { context: CaseContext }, params: unknown) => update(context, params))
      : () => undefined; // effect actions come back from `transition()` as data
  }

  guardImpl[EXPRESSION] = ({ context, event }: { context: CaseContext; event: MachineEvent }, params: { expr: Expr }) =>
    expressionHolds(params.expr, (path) => readPath(path, context, event.data ?? {}, event.facts));

  const guardConfig = (ref: GuardRef) => {
    if (typeof ref !== 'string' && 'expr' in ref) {
      const parsed = parseExpression(ref.expr);
      if (!parsed.ok) throw new Error(`unreachable: validated expression failed to parse: ${parsed.error.message}`);
      return { type: EXPRESSION, params: { expr: bindParams(parsed.expr, parameterValues(definition)).expr } };
    }
    const name = guardName(ref);
    const params = registries.guards[name].params.parse(param(typeof ref === 'string' ? {} : ref.params));
    const g = { type: name, params };
    return typeof ref !== 'string' && ref.not ? not(g) : g;
  };
  const actionConfig = (ref: ActionRef) => {
    const name = actionName(ref);
    return {
      type: name,
      params: registries.actions[name].params.parse(param(typeof ref === 'string' ? {} : ref.params)),
    };
  };

  const transitionConfig = (spec: string | TransitionSpec | TransitionSpec[], record: boolean) =>
    transitionsOf(spec).map((t) => ({
      ...(t.target ? { target: t.target } : {}),
      ...(t.guard ? { guard: guardConfig(t.guard) } : {}),
      actions: [...(record ? [{ type: RECORD }] : []), ...t.actions.map(actionConfig)],
    }));
  const stateConfigs = (steps: Record<string, StepSpec>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(steps).map(([id, step]) => [
        id,
        {
          ...(step.type === 'final' ? { type: 'final' as const } : {}),
          ...(step.type === 'parallel' ? { type: 'parallel' as const } : {}),
          entry: [{ type: ENTERED, params: { step: id } }],
          exit: [{ type: EXITED, params: { step: id } }],
          on: Object.fromEntries(
            Object.entries(step.on).map(([eventType, spec]) => [eventType, transitionConfig(spec, true)]),
          ),
          ...(step.onDone ? { onDone: transitionConfig(step.onDone, false) } : {}),
          ...(step.regions
            ? {
                states: Object.fromEntries(
                  Object.entries(step.regions).map(([regionId, region]) => [
                    regionId,
                    { initial: region.initial, states: stateConfigs(region.steps) },
                  ]),
                ),
              }
            : {}),
        },
      ]),
    );
  const states = stateConfigs(definition.steps);
  // Events accepted in any step: root-level transitions without a target, so the case stays where it is.
  const anyStep = Object.fromEntries(
    Object.entries(definition.anyStep ?? {}).map(([eventType, spec]) => [eventType, transitionConfig(spec, true)]),
  );

  const machine = setup({
    types: { context: {} as CaseContext, events: {} as MachineEvent },
    guards: guardImpl as never,
    actions: actionImpl as never,
  }).createMachine({
    id: definition.id,
    initial: definition.initial,
    context: { data: {}, counters: {}, milestones: {} },
    on: anyStep as never,
    states: states as never,
  }) as unknown as AnyStateMachine;

  const payloadSchemas = Object.fromEntries(
    Object.keys(definition.events).map((type) => [type, eventPayloadSchema(definition, type)]),
  );
  const deadlines = Object.fromEntries(
    allSteps(definition).flatMap(({ id, step }) =>
      step.deadline ? [[id, param(step.deadline) as ResolvedDeadline]] : [],
    ),
  );
  const effectActions = Object.fromEntries(
    Object.entries(registries.actions)
      .filter(([, a]) => a.effect)
      .map(([name, a]) => [name, (params: unknown) => (a.effect as (p: unknown) => NotifyEffectSpec)(params)]),
  );
  return {
    definition,
    machine,
    payloadSchemas,
    deadlines,
    effectActions,
    usesHouseholdFacts: readsHouseholdFacts(definition),
  };
}

function readsHouseholdFacts(definition: Definition): boolean {
  const specs = [
    ...allSteps(definition).flatMap(({ step }) => [...Object.values(step.on), ...(step.onDone ? [step.onDone] : [])]),
    ...Object.values(definition.anyStep ?? {}),
  ];
  return specs.some((spec) =>
    transitionsOf(spec).some((t) => {
      if (!t.guard) return false;
      if (typeof t.guard !== 'string' && 'expr' in t.guard) return /\bhouseholds\./.test(t.guard.expr);
      const name = guardName(t.guard);
      return HOUSEHOLD_GUARDS.has(name) || JSON.stringify(t.guard).includes('"households.');
    }),
  );
}
