import type { z } from 'zod';
import { ROLE_LEVELS, type AdminLevel } from '@rasoat/contracts';
import { BUILTIN_ACTIONS, type ActionRegistry } from './action-registry';
import {
  actionName,
  guardName,
  transitionsOf,
  type Definition,
  type DeadlineRule,
  type EventSpec,
  type FieldSpec,
  type GuardRef,
  type ActionRef,
  type StepSpec,
  type TransitionSpec,
} from './definition.schema';
import { FIELD_VALUE_CEILING, fieldBounds } from './field-limits';
import {
  jsonPath,
  MAX_REPORTED_ERRORS,
  moreErrors,
  type DefinitionError,
  type PathSegment,
  type SourceLocator,
} from './definition-error';
import { SourceMap } from './definition-loader';
import { bindParams, parseExpression } from './expression';
import { HOUSEHOLD_FACT_NAMES } from './case-context';
import { allSteps, stepIndex, type StepEntry } from './step-tree';
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
export function resolveParams(
  value: unknown,
  definition: Definition,
  onUnknown: (name: string) => void = () => undefined,
): unknown {
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
 * parameters, parallel regions, reachability, dead ends, dates outside the window. Returns every
 * error found, located in the source file(s).
 */
export function validateDefinition(
  definition: Definition,
  source: SourceLocator = new SourceMap('<definition>', null, null),
  registries: Registries = BUILTIN_REGISTRIES,
): DefinitionError[] {
  const errors: DefinitionError[] = [];
  let notReported = 0;
  const err = (path: PathSegment[], message: string) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(source.error(path, message));
    else notReported++;
  };
  const entries = allSteps(definition);
  const index = stepIndex(definition);
  const topLevel = new Set(Object.keys(definition.steps));
  const roleIds = new Set(Object.keys(definition.roles));

  if (!topLevel.has(definition.initial))
    err(['initial'], `unknown step "${definition.initial}"; steps are: ${[...topLevel].join(', ')}`);
  for (const entry of entries) {
    const first = index.get(entry.id);
    if (first && jsonPath(first.path) !== jsonPath(entry.path))
      err(
        entry.path,
        `step id "${entry.id}" is already used at ${jsonPath(first.path)}; step ids must be unique, regions included`,
      );
  }
  if (definition.window) checkWindow(definition.window);
  checkEffectivePeriod();

  for (const [roleId, role] of Object.entries(definition.roles)) {
    const actsFrom = (ROLE_LEVELS as Readonly<Record<string, AdminLevel | undefined>>)[roleId];
    if (actsFrom && DEFINITION_LEVEL[actsFrom] !== role.level) {
      err(
        ['roles', roleId, 'level'],
        `role "${roleId}" acts from level "${DEFINITION_LEVEL[actsFrom]}", not "${role.level}" (ROLE_LEVELS in libs/contracts/src/roles.ts; its tokens are valid only at a unit of that level)`,
      );
    }
  }

  for (const [eventType, spec] of Object.entries(definition.events)) {
    spec.roles.forEach((role, i) => {
      if (role !== 'system' && !roleIds.has(role)) err(['events', eventType, 'roles', i], `unknown role "${role}"`);
    });
    checkProxies(eventType, spec);
  }

  const handled = new Set<string>();
  for (const entry of entries) checkStep(entry);
  for (const [eventType, spec] of Object.entries(definition.anyStep ?? {})) checkAnyStep(eventType, spec);
  for (const eventType of Object.keys(definition.events)) {
    if (!handled.has(eventType)) err(['events', eventType], `event "${eventType}" is declared but no step handles it`);
  }

  checkGraph(definition.initial, topLevel, ['steps'], (id) => definition.steps[id]);
  for (const [parentId, parent] of Object.entries(definition.steps)) {
    for (const [regionId, region] of Object.entries(parent.regions ?? {})) {
      const ids = new Set(Object.keys(region.steps));
      const at: PathSegment[] = ['steps', parentId, 'regions', regionId];
      if (!ids.has(region.initial))
        err(
          [...at, 'initial'],
          `unknown step "${region.initial}" in region "${regionId}"; its steps are: ${[...ids].join(', ')}`,
        );
      else checkGraph(region.initial, ids, [...at, 'steps'], (id) => region.steps[id]);
    }
  }
  checkFieldRanges(definition, err);
  return notReported > 0 ? [...errors, moreErrors(source, notReported)] : errors;

  function checkProxies(eventType: string, spec: EventSpec): void {
    const seen = new Set<string>();
    spec.proxies?.forEach((proxy, i) => {
      const at: PathSegment[] = ['events', eventType, 'proxies', i];
      const proxyRole = definition.roles[proxy.role];
      const owner = definition.roles[proxy.onBehalfOf];
      if (!proxyRole) err([...at, 'role'], `unknown role "${proxy.role}"`);
      else if (spec.roles.includes(proxy.role))
        err(
          [...at, 'role'],
          `"${proxy.role}" already sends "${eventType}" in its own name (roles); list it in one place only`,
        );
      else if (seen.has(proxy.role))
        err(
          [...at, 'role'],
          `"${proxy.role}" is already a proxy of "${eventType}"; a role enters an event on behalf of one role only`,
        );
      seen.add(proxy.role);
      if (!spec.roles.includes(proxy.onBehalfOf) || !owner) {
        err(
          [...at, 'onBehalfOf'],
          `"${proxy.onBehalfOf}" is not one of the roles of "${eventType}": ${spec.roles.filter((r) => r !== 'system').join(', ')}`,
        );
      } else if (proxyRole && LEVEL_RANK[proxyRole.level] <= LEVEL_RANK[owner.level]) {
        err(
          [...at, 'role'],
          `"${proxy.role}" (${proxyRole.level}) cannot enter for "${proxy.onBehalfOf}" (${owner.level}): a proxy acts from a level above the role it stands in for`,
        );
      }
    });
  }

  function checkStep({ id: stepId, step, path, parent }: StepEntry): void {
    const at = (...rest: PathSegment[]): PathSegment[] => [...path, ...rest];
    // A transition may only target a step at its own level: top-level steps, or the same region.
    const siblings = parent
      ? new Set(Object.keys(definition.steps[parent].regions?.[String(path[path.length - 3])]?.steps ?? {}))
      : topLevel;
    const hasTransitions = Object.keys(step.on).length > 0;
    if (step.type !== 'parallel') {
      if (step.regions) err(at('regions'), 'only a parallel step has regions');
      if (step.onDone) err(at('onDone'), 'only a parallel step has onDone');
    }
    if (step.type === 'final') {
      if (hasTransitions) err(at('on'), 'a final step cannot have transitions');
      if (step.deadline) err(at('deadline'), 'a final step cannot have a deadline');
    } else if (step.type === 'parallel') {
      if (parent) err(at('type'), 'a parallel step cannot sit inside another parallel step');
      if (Object.keys(step.regions ?? {}).length < 2) err(at('regions'), 'a parallel step needs at least two regions');
      if (!step.onDone) err(at(), 'a parallel step must say where the case goes when every region is done: "onDone"');
      if (!step.source) err(at(), 'a parallel step must cite its legal "source"');
      for (const [regionId, region] of Object.entries(step.regions ?? {})) {
        if (!Object.values(region.steps).some((s) => s.type === 'final'))
          err(at('regions', regionId), `region "${regionId}" needs a final step`);
      }
    } else {
      if (!step.role) err(at(), 'a task step must name the responsible "role"');
      if (!step.source) err(at(), 'a task step must cite its legal "source"');
      if (!hasTransitions) err(at(), 'dead end: a non-final step needs at least one transition');
    }
    if (step.role && !roleIds.has(step.role)) err(at('role'), `unknown role "${step.role}"`);

    const checkTransitions = (
      spec: string | TransitionSpec | TransitionSpec[],
      tpBase: PathSegment[],
      eventType: string | null,
    ) => {
      const list = transitionsOf(spec);
      list.forEach((t, i) => {
        const tp = Array.isArray(spec) ? [...tpBase, i] : tpBase;
        if (t.target !== undefined && !siblings.has(t.target)) {
          const where = index.has(t.target)
            ? ` at this level: a transition cannot cross into or out of a parallel step's region`
            : '';
          err(typeof spec === 'string' ? tp : [...tp, 'target'], `unknown step "${t.target}"${where}`);
        }
        if (t.guard) checkGuard(t.guard, [...tp, 'guard'], eventType);
        t.actions.forEach((a, j) => checkAction(a, [...tp, 'actions', j]));
        // An unguarded transition that is not the last one hides everything after it.
        if (!t.guard && i < list.length - 1)
          err(tp, 'only the last transition of an event may be unguarded; the ones after it can never be taken');
      });
    };
    for (const [eventType, spec] of Object.entries(step.on)) {
      handled.add(eventType);
      if (!definition.events[eventType])
        err(at('on', eventType), `unknown event "${eventType}": declare it under events`);
      checkTransitions(spec, at('on', eventType), eventType);
    }
    if (step.type === 'parallel' && step.onDone) checkTransitions(step.onDone, at('onDone'), null);

    if (step.deadline) {
      checkDeadlineRule(step.deadline.due, at('deadline', 'due'));
      const onDue = step.deadline.onDue;
      if (onDue) {
        if (!definition.events[onDue]) err(at('deadline', 'onDue'), `unknown event "${onDue}"`);
        else if (!definition.events[onDue].roles.includes('system'))
          err(at('deadline', 'onDue'), `event "${onDue}" must list the role "system" to be sent by a deadline`);
        if (!step.on[onDue]) err(at('deadline', 'onDue'), `step "${stepId}" does not handle "${onDue}"`);
      }
    }
  }

  /**
   * An event accepted in any step (`anyStep`): declared, handled nowhere else, and never moving the
   * case — its transitions have no target; their guards and actions are checked as a step's are.
   */
  function checkAnyStep(eventType: string, spec: string | TransitionSpec | TransitionSpec[]): void {
    const at: PathSegment[] = ['anyStep', eventType];
    handled.add(eventType);
    if (!definition.events[eventType]) err(at, `unknown event "${eventType}": declare it under events`);
    const alsoIn = entries.filter((e) => Object.hasOwn(e.step.on, eventType)).map((e) => e.id);
    if (alsoIn.length > 0)
      err(
        at,
        `"${eventType}" is accepted in any step (anyStep) and also handled by step ${alsoIn.map((id) => `"${id}"`).join(', ')}: handle it in one place only`,
      );
    const list = transitionsOf(spec);
    list.forEach((t, i) => {
      const tp = Array.isArray(spec) ? [...at, i] : at;
      if (t.target !== undefined)
        err(
          typeof spec === 'string' ? tp : [...tp, 'target'],
          `an event accepted in any step never moves the case: remove the target "${t.target}" (the event is recorded and its actions run, in whatever step the case is)`,
        );
      if (t.guard) checkGuard(t.guard, [...tp, 'guard'], eventType);
      t.actions.forEach((a, j) => checkAction(a, [...tp, 'actions', j]));
      if (!t.guard && i < list.length - 1)
        err(tp, 'only the last transition of an event may be unguarded; the ones after it can never be taken');
    });
  }

  /** A version cannot end before it takes effect, nor declare a dated window outside its own period. */
  function checkEffectivePeriod(): void {
    const { effectiveFrom: from, effectiveTo: to, window } = definition;
    if (from && to && to < from) {
      err(['effectiveTo'], `the version would end (${to}) before it takes effect (effectiveFrom ${from})`);
      return;
    }
    if (!window || window.start.length !== 10) return;
    if (to && window.start > to)
      err(
        ['window', 'start'],
        `the window starts (${window.start}) after the last day of the version (effectiveTo ${to})`,
      );
    if (from && window.start < from)
      err(
        ['window', 'start'],
        `the window starts (${window.start}) before the version takes effect (effectiveFrom ${from})`,
      );
  }

  function checkGuard(ref: GuardRef, path: PathSegment[], eventType: string | null): void {
    if (typeof ref !== 'string' && 'expr' in ref) {
      const parsed = parseExpression(ref.expr);
      if (!parsed.ok) {
        err([...path, 'expr'], `expression: ${parsed.error.message} (at character ${parsed.error.offset + 1})`);
        return;
      }
      const bound = bindParams(parsed.expr, parameterValues(definition));
      for (const name of bound.missing) err([...path, 'expr'], `expression: unknown parameter "${name}"`);
      for (const p of parsed.paths) if (!p.startsWith('params.')) checkOperandPath(p, eventType, [...path, 'expr']);
      return;
    }
    const name = guardName(ref);
    const guard = registries.guards[name];
    if (!guard) {
      err(
        typeof ref === 'string' ? path : [...path, 'name'],
        `unknown guard "${name}"; known guards: ${Object.keys(registries.guards).join(', ')}, or an expression { expr: "..." }`,
      );
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
      err(
        typeof ref === 'string' ? path : [...path, 'name'],
        `unknown action "${name}"; known actions: ${Object.keys(registries.actions).join(', ')}`,
      );
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

  function checkOperandPath(path: string, eventType: string | null, at: PathSegment[]): void {
    const [root, first, second] = path.split('.');
    if (root === 'event') {
      if (eventType === null)
        err(at, `"${path}": there is no incoming event here (onDone); read data.EVENT.field instead`);
      else if (!definition.events[eventType]?.fields[first])
        err(at, `"${path}": event "${eventType}" has no field "${first}"`);
    }
    if (root === 'data') {
      const spec = definition.events[first];
      if (!spec) err(at, `"${path}": unknown event "${first}"`);
      else if (second !== undefined && !spec.fields[second])
        err(at, `"${path}": event "${first}" has no field "${second}"`);
    }
    if (root === 'households' && !(HOUSEHOLD_FACT_NAMES as readonly string[]).includes(first))
      err(at, `"${path}": unknown household fact "${first}"; known: ${HOUSEHOLD_FACT_NAMES.join(', ')}`);
    if (root === 'milestones' && first !== undefined && !index.has(first) && first !== 'campaignStart')
      err(at, `"${path}": unknown milestone "${first}"`);
  }

  function checkDeadlineRule(rule: DeadlineRule, path: PathSegment[]): void {
    if (rule.kind === 'earliest') {
      rule.of.forEach((r, i) => checkDeadlineRule(r, [...path, 'of', i]));
      return;
    }
    if (rule.kind === 'date' && definition.window && !withinWindow(rule.date, definition.window)) {
      err(
        [...path, 'date'],
        `${rule.date} is outside the campaign window ${definition.window.start} – ${definition.window.end}`,
      );
    }
    if (rule.kind === 'workingDays' || rule.kind === 'calendarDays') {
      const days = resolveParams(rule.days, definition, (p) => err([...path, 'days'], `unknown parameter "${p}"`));
      if (
        typeof rule.days === 'object' &&
        definition.parameters[rule.days.param] &&
        !(Number.isInteger(days) && (days as number) >= 0)
      ) {
        err([...path, 'days'], `parameter "${rule.days.param}" must be a non-negative integer`);
      }
      if (rule.from !== 'stepEntered' && rule.from !== 'campaignStart' && !index.has(rule.from)) {
        err([...path, 'from'], `unknown milestone "${rule.from}": use stepEntered, campaignStart or a step id`);
      }
    }
  }

  function checkWindow(window: { start: string; end: string }): void {
    const full = [window.start, window.end].filter((d) => d.length === 10).length;
    if (full === 1) err(['window'], 'give both window dates as YYYY-MM-DD, or both as recurring MM-DD');
    else if (full === 2 && window.start > window.end)
      err(['window', 'end'], `the window ends (${window.end}) before it starts (${window.start})`);
  }

  function checkGraph(initial: string, ids: Set<string>, at: PathSegment[], get: (id: string) => StepSpec): void {
    if (!ids.has(initial)) return;
    const targets = (spec: string | TransitionSpec | TransitionSpec[]) =>
      transitionsOf(spec)
        .map((t) => t.target)
        .filter((t): t is string => !!t && ids.has(t));
    const next = (id: string) => [
      ...Object.values(get(id).on).flatMap(targets),
      ...(get(id).onDone ? targets(get(id).onDone as TransitionSpec) : []),
    ];
    const reachable = closure([initial], next);
    for (const id of ids) {
      if (!reachable.has(id)) err([...at, id], `unreachable step "${id}": no transition leads to it from "${initial}"`);
    }
    const finals = [...ids].filter((id) => get(id).type === 'final');
    if (finals.length === 0) err(at, 'at least one final step is needed here');
    for (const id of reachable) {
      if (get(id).type === 'final' || next(id).length === 0) continue;
      const from = closure([id], next);
      if (!finals.some((f) => from.has(f))) err([...at, id], `no final step can be reached from "${id}"`);
    }
  }
}

type DefinitionLevel = Definition['roles'][string]['level'];

/** A definition names the nation's level "national"; the unit tree names it "nation". */
const DEFINITION_LEVEL: Readonly<Record<AdminLevel, DefinitionLevel>> = {
  nation: 'national',
  province: 'province',
  district: 'district',
  commune: 'commune',
  village: 'village',
};
const LEVEL_RANK: Readonly<Record<DefinitionLevel, number>> = {
  village: 0,
  commune: 1,
  district: 2,
  province: 3,
  national: 4,
};

/** Parameter values by name, for binding `params.X` in expressions. */
export function parameterValues(definition: Definition): Record<string, number | string | boolean> {
  return Object.fromEntries(Object.entries(definition.parameters).map(([k, p]) => [k, p.value]));
}

/** Whether a `date` deadline lies in the window; recurring `MM-DD` values compare within a season that may cross new year. */
export function withinWindow(date: string, window: { start: string; end: string }): boolean {
  const md = (d: string) => d.slice(-5);
  if (date.length === 10 && window.start.length === 10) return date >= window.start && date <= window.end;
  const [d, s, e] = [md(date), md(window.start), md(window.end)];
  return s <= e ? d >= s && d <= e : d >= s || d <= e;
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

/** A numeric field whose effective range is empty (e.g. `min: 2000000` without a `max`: the default max is 1,000,000). */
function checkFieldRanges(definition: Definition, err: (path: PathSegment[], message: string) => void): void {
  const check = (fields: Record<string, FieldSpec>, at: PathSegment[]) => {
    for (const [name, field] of Object.entries(fields)) {
      if (field.type === 'list') check(field.items, [...at, name, 'items']);
      if (field.type !== 'integer' && field.type !== 'number') continue;
      const { min, max } = fieldBounds(field);
      if (min > max)
        err(
          [...at, name, field.min !== undefined && field.max === undefined ? 'min' : 'max'],
          `the range is empty: min ${min} > max ${max}${field.max === undefined ? ` (the default max; name a max up to ${FIELD_VALUE_CEILING})` : ''}`,
        );
    }
  };
  for (const [eventType, spec] of Object.entries(definition.events))
    check(spec.fields, ['events', eventType, 'fields']);
}
