import type { z } from 'zod';
import { BUILTIN_ACTIONS, type ActionRegistry } from './action-registry';
import { actionName, guardName, transitionsOf, type Definition, type DeadlineRule, type GuardRef, type ActionRef } from './definition.schema';
import type { DefinitionError, PathSegment } from './definition-error';
import { SourceMap } from './definition-loader';
import { BUILTIN_GUARDS, type GuardRegistry } from './guard-registry';

export interface Registries {
  guards: GuardRegistry;
  actions: ActionRegistry;
}

export const BUILTIN_REGISTRIES: Registries = { guards: BUILTIN_GUARDS, actions: BUILTIN_ACTIONS };

/**
 * Replaces every `{ param: name }` inside `value` with the definition parameter's value.
 * Unknown names are reported through `onUnknown` and left in place.
 */
export function resolveParams(value: unknown, definition: Definition, onUnknown: (name: string) => void = () => undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveParams(v, definition, onUnknown));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'param' && typeof (value as { param: unknown }).param === 'string') {
      const name = (value as { param: string }).param;
      const p = definition.parameters[name];
      if (!p) {
        onUnknown(name);
        return value;
      }
      return p.value;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveParams(v, definition, onUnknown)]));
  }
  return value;
}

/**
 * Checks what the schema cannot: references between parts of the definition, guard and action
 * parameters, reachability, dead ends. Returns every error found, located in the source file.
 */
export function validateDefinition(definition: Definition, source: SourceMap = new SourceMap('<definition>', null, null), registries: Registries = BUILTIN_REGISTRIES): DefinitionError[] {
  const errors: DefinitionError[] = [];
  const err = (path: PathSegment[], message: string) => errors.push(source.error(path, message));
  const stepIds = new Set(Object.keys(definition.steps));
  const roleIds = new Set(Object.keys(definition.roles));

  if (!stepIds.has(definition.initial)) err(['initial'], `unknown step "${definition.initial}"; steps are: ${[...stepIds].join(', ')}`);

  for (const [eventType, spec] of Object.entries(definition.events)) {
    spec.roles.forEach((role, i) => {
      if (role !== 'system' && !roleIds.has(role)) err(['events', eventType, 'roles', i], `unknown role "${role}"`);
    });
  }

  const handled = new Set<string>();
  for (const [stepId, step] of Object.entries(definition.steps)) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['steps', stepId, ...rest];
    if (step.type === 'final') {
      if (Object.keys(step.on).length > 0) err(at('on'), 'a final step cannot have transitions');
      if (step.deadline) err(at('deadline'), 'a final step cannot have a deadline');
    } else {
      if (!step.role) err(at(), 'a task step must name the responsible "role"');
      if (!step.source) err(at(), 'a task step must cite its legal "source"');
      if (Object.keys(step.on).length === 0) err(at(), 'dead end: a non-final step needs at least one transition');
    }
    if (step.role && !roleIds.has(step.role)) err(at('role'), `unknown role "${step.role}"`);

    for (const [eventType, spec] of Object.entries(step.on)) {
      handled.add(eventType);
      const eventSpec = definition.events[eventType];
      if (!eventSpec) err(at('on', eventType), `unknown event "${eventType}": declare it under events`);
      const list = transitionsOf(spec);
      list.forEach((t, i) => {
        const tp = Array.isArray(spec) ? at('on', eventType, i) : at('on', eventType);
        if (t.target !== undefined && !stepIds.has(t.target)) err(typeof spec === 'string' ? tp : [...tp, 'target'], `unknown step "${t.target}"`);
        if (t.guard) checkGuard(t.guard, [...tp, 'guard'], eventType);
        t.actions.forEach((a, j) => checkAction(a, [...tp, 'actions', j]));
        // An unguarded transition that is not the last one hides everything after it.
        if (!t.guard && i < list.length - 1) err(tp, 'only the last transition of an event may be unguarded; the ones after it can never be taken');
      });
    }

    if (step.deadline) {
      checkDeadlineRule(step.deadline.due, at('deadline', 'due'));
      const onDue = step.deadline.onDue;
      if (onDue) {
        if (!definition.events[onDue]) err(at('deadline', 'onDue'), `unknown event "${onDue}"`);
        else if (!definition.events[onDue].roles.includes('system')) err(at('deadline', 'onDue'), `event "${onDue}" must list the role "system" to be sent by a deadline`);
        if (!step.on[onDue]) err(at('deadline', 'onDue'), `step "${stepId}" does not handle "${onDue}"`);
      }
    }
  }

  for (const eventType of Object.keys(definition.events)) {
    if (!handled.has(eventType)) err(['events', eventType], `event "${eventType}" is declared but no step handles it`);
  }

  checkGraph();
  return errors;

  function checkGuard(ref: GuardRef, path: PathSegment[], eventType: string): void {
    const name = guardName(ref);
    const guard = registries.guards[name];
    if (!guard) {
      err(typeof ref === 'string' ? path : [...path, 'name'], `unknown guard "${name}"; known guards: ${Object.keys(registries.guards).join(', ')}`);
      return;
    }
    const raw = typeof ref === 'string' ? {} : ref.params;
    const params = resolveParams(raw, definition, (p) => err([...path, 'params'], `unknown parameter "${p}"`));
    reportParams(guard.params.safeParse(params), [...path, 'params']);
    for (const operandPath of operandPaths(params)) checkOperandPath(operandPath, eventType, [...path, 'params']);
  }

  function checkAction(ref: ActionRef, path: PathSegment[]): void {
    const name = actionName(ref);
    const action = registries.actions[name];
    if (!action) {
      err(typeof ref === 'string' ? path : [...path, 'name'], `unknown action "${name}"; known actions: ${Object.keys(registries.actions).join(', ')}`);
      return;
    }
    const raw = typeof ref === 'string' ? {} : ref.params;
    const params = resolveParams(raw, definition, (p) => err([...path, 'params'], `unknown parameter "${p}"`));
    const parsed = action.params.safeParse(params);
    reportParams(parsed, [...path, 'params']);
    const role = parsed.success ? (parsed.data as { role?: unknown }).role : undefined;
    if (typeof role === 'string' && !roleIds.has(role)) err([...path, 'params', 'role'], `unknown role "${role}"`);
  }

  function reportParams(result: z.ZodSafeParseResult<unknown>, path: PathSegment[]): void {
    if (result.success) return;
    for (const issue of result.error.issues) err([...path, ...(issue.path as PathSegment[])], issue.message);
  }

  function checkOperandPath(path: string, eventType: string, at: PathSegment[]): void {
    const [root, first, second] = path.split('.');
    if (root === 'event' && !definition.events[eventType]?.fields[first]) {
      err(at, `"${path}": event "${eventType}" has no field "${first}"`);
    }
    if (root === 'data') {
      const spec = definition.events[first];
      if (!spec) err(at, `"${path}": unknown event "${first}"`);
      else if (second !== undefined && !spec.fields[second]) err(at, `"${path}": event "${first}" has no field "${second}"`);
    }
  }

  function checkDeadlineRule(rule: DeadlineRule, path: PathSegment[]): void {
    if (rule.kind === 'earliest') {
      rule.of.forEach((r, i) => checkDeadlineRule(r, [...path, 'of', i]));
      return;
    }
    if (rule.kind === 'workingDays' || rule.kind === 'calendarDays') {
      const days = resolveParams(rule.days, definition, (p) => err([...path, 'days'], `unknown parameter "${p}"`));
      if (typeof rule.days === 'object' && definition.parameters[rule.days.param] && !(Number.isInteger(days) && (days as number) >= 0)) {
        err([...path, 'days'], `parameter "${rule.days.param}" must be a non-negative integer`);
      }
      if (rule.from !== 'stepEntered' && rule.from !== 'campaignStart' && !stepIds.has(rule.from)) {
        err([...path, 'from'], `unknown milestone "${rule.from}": use stepEntered, campaignStart or a step id`);
      }
    }
  }

  function checkGraph(): void {
    if (!stepIds.has(definition.initial)) return;
    const next = (id: string) =>
      Object.values(definition.steps[id]?.on ?? {}).flatMap((spec) => transitionsOf(spec).map((t) => t.target).filter((t): t is string => !!t && stepIds.has(t)));
    const reachable = closure([definition.initial], next);
    for (const id of stepIds) {
      if (!reachable.has(id)) err(['steps', id], `unreachable step "${id}": no transition leads to it from "${definition.initial}"`);
    }
    const finals = [...stepIds].filter((id) => definition.steps[id].type === 'final');
    if (finals.length === 0) err(['steps'], 'the definition needs at least one final step');
    for (const id of reachable) {
      if (definition.steps[id].type === 'final' || Object.keys(definition.steps[id].on).length === 0) continue;
      const from = closure([id], next);
      if (!finals.some((f) => from.has(f))) err(['steps', id], `no final step can be reached from "${id}"`);
    }
  }
}

function closure(start: string[], next: (id: string) => string[]): Set<string> {
  const seen = new Set(start);
  const queue = [...start];
  while (queue.length > 0) {
    for (const n of next(queue.pop() as string)) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

function operandPaths(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(operandPaths);
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.path === 'string' && Object.keys(v).length === 1) return [v.path];
    return Object.values(v).flatMap(operandPaths);
  }
  return [];
}
