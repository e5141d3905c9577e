import { z } from 'zod';
import { FIELD_VALUE_CEILING } from './field-limits';

/**
 * The zod schema of a process definition: the single source of truth for what a
 * `workflows/**\/*.yaml` file may contain. The JSON Schema that editors use is generated
 * from it (see `definitionJsonSchema`).
 */

const identifier = z
  .string()
  .regex(/^[a-z][A-Za-z0-9_]*$/, 'must start with a lower-case letter and contain only letters, digits and "_"');
const eventType = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be UPPER_SNAKE_CASE, e.g. SURVEY_COMPLETED');

/** Vietnamese text, optionally with an English translation beside it. */
export const LocalizedTextSchema = z.union([
  z.string().min(1),
  z.strictObject({ vi: z.string().min(1), en: z.string().min(1).optional() }),
]);
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

/** A legal citation: where a step, a parameter or a rule comes from. */
export const SourceSchema = z.string().min(3);

/** A value that either is literal or refers to a definition parameter: `{ param: name }`. */
export const ParamRefSchema = z.strictObject({ param: identifier });
export type ParamRef = z.infer<typeof ParamRefSchema>;

const paramValue = z.union([z.number(), z.string(), z.boolean()]);

export const ParameterSchema = z.strictObject({
  value: paramValue,
  label: LocalizedTextSchema.optional(),
  source: SourceSchema,
  /** True when the value was not confirmed against the legal text (see shared/domain). */
  uncertain: z.boolean().default(false),
});

export const RoleSchema = z.strictObject({
  label: LocalizedTextSchema,
  level: z.enum(['village', 'commune', 'district', 'province', 'national']),
});

const fieldBase = {
  label: LocalizedTextSchema.optional(),
  required: z.boolean().default(true),
};

/** A bound of a numeric field: inside ±FIELD_VALUE_CEILING, so that sums in reports stay exact (`field-limits.ts`). */
const fieldBound = (int: boolean) =>
  (int ? z.number().int() : z.number())
    .min(-FIELD_VALUE_CEILING, `must be at least ${-FIELD_VALUE_CEILING} (the floor of every numeric field)`)
    .max(FIELD_VALUE_CEILING, `must be at most ${FIELD_VALUE_CEILING} (the ceiling of every numeric field)`);
/**
 * Marks free text that may name or describe people (a complainant's account, the chair of a
 * meeting, an opinion): shown only to the officials of the case's village and commune, masked
 * for everyone else, as households' personal data is.
 */
const personal = z.boolean().optional();

const scalarFields = [
  z.strictObject({
    ...fieldBase,
    type: z.literal('string'),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().positive().optional(),
    personal,
  }),
  /** Values must lie in [min, max]; without them in ±DEFAULT_FIELD_MAX (1,000,000). */
  z.strictObject({
    ...fieldBase,
    type: z.literal('integer'),
    min: fieldBound(true).optional(),
    max: fieldBound(true).optional(),
  }),
  z.strictObject({
    ...fieldBase,
    type: z.literal('number'),
    min: fieldBound(false).optional(),
    max: fieldBound(false).optional(),
  }),
  z.strictObject({ ...fieldBase, type: z.literal('boolean') }),
  z.strictObject({ ...fieldBase, type: z.literal('date') }),
  z.strictObject({ ...fieldBase, type: z.literal('enum'), values: z.array(z.string().min(1)).min(1) }),
  z.strictObject({
    ...fieldBase,
    type: z.literal('string-list'),
    maxItems: z.number().int().positive().optional(),
    personal,
  }),
] as const;
/** A field that holds a list of records, e.g. per-household votes of a meeting. */
const ListFieldSchema = z.strictObject({
  ...fieldBase,
  type: z.literal('list'),
  items: z.record(identifier, z.discriminatedUnion('type', [...scalarFields])),
  minItems: z.number().int().min(0).optional(),
  maxItems: z.number().int().positive().optional(),
});

/** One field of an event's payload: the form data a step must receive. */
export const FieldSchema = z.discriminatedUnion('type', [...scalarFields, ListFieldSchema]);
export type FieldSpec = z.infer<typeof FieldSchema>;

/**
 * A role the law lets enter an event in the stead of a role that owns it — e.g. the commune
 * steering committee entering a village's review list when the village has no connection.
 * Acceptance records both: the actor's own role and the role it stood in for.
 */
export const ProxySchema = z.strictObject({
  role: identifier,
  /** One of the event's `roles`, at a lower level than `role`. */
  onBehalfOf: identifier,
  /** The legal text that lets `role` enter this event for `onBehalfOf`. */
  source: SourceSchema,
});
export type ProxySpec = z.infer<typeof ProxySchema>;

export const EventSpecSchema = z.strictObject({
  label: LocalizedTextSchema,
  /** Roles allowed to send this event; `system` events come from the engine (timers). */
  roles: z.array(z.union([identifier, z.literal('system')])).min(1),
  /**
   * Roles that may enter this event on behalf of one of `roles`, only where the law says so
   * (`source`). Optional, not defaulted: a default would change the content hash of every
   * version already published.
   */
  proxies: z.array(ProxySchema).min(1).optional(),
  fields: z.record(identifier, FieldSchema).default({}),
});
export type EventSpec = z.infer<typeof EventSpecSchema>;

/**
 * A guard: a named, parameterised predicate from the closed guard registry, or an expression of
 * the small safe expression language (`expression.ts`; no code is ever evaluated).
 */
export const GuardRefSchema = z.union([
  identifier,
  z.strictObject({
    name: identifier,
    params: z.record(z.string(), z.unknown()).default({}),
    /** Negates the predicate. */
    not: z.boolean().default(false),
  }),
  z.strictObject({
    /** e.g. `event.agreeing / event.attendees >= params.householdAgreementRatio and counters.openComplaints == 0` */
    expr: z.string().min(1).max(1000),
  }),
]);
export type GuardRef = z.infer<typeof GuardRefSchema>;

/** A named, parameterised action from the closed action registry. */
export const ActionRefSchema = z.union([
  identifier,
  z.strictObject({ name: identifier, params: z.record(z.string(), z.unknown()).default({}) }),
]);
export type ActionRef = z.infer<typeof ActionRefSchema>;

export const TransitionSchema = z.strictObject({
  /** The next step; absent means: stay in the step, only run the actions. */
  target: identifier.optional(),
  guard: GuardRefSchema.optional(),
  actions: z.array(ActionRefSchema).default([]),
  description: LocalizedTextSchema.optional(),
});
export type TransitionSpec = z.infer<typeof TransitionSchema>;

const civilDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a civil date YYYY-MM-DD');
/** A civil date, or a month and day (`MM-DD`) that recurs in each campaign's year. */
const campaignDate = z
  .string()
  .regex(
    /^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
    'must be a civil date YYYY-MM-DD or a recurring month-day MM-DD',
  );
const dayCount = z.union([z.number().int().min(0), ParamRefSchema]);

/** When a deadline falls: declared here, resolved against the calendar by the deadline adapter. */
export type DeadlineRule =
  | { kind: 'workingDays'; days: number | ParamRef; from: string }
  | { kind: 'calendarDays'; days: number | ParamRef; from: string }
  | { kind: 'date'; date: string }
  | { kind: 'windowEnd' }
  | { kind: 'earliest'; of: DeadlineRule[] };

export const DeadlineRuleSchema: z.ZodType<DeadlineRule> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('workingDays'), days: dayCount, from: z.string().min(1).default('stepEntered') }),
    z.strictObject({ kind: z.literal('calendarDays'), days: dayCount, from: z.string().min(1).default('stepEntered') }),
    z.strictObject({ kind: z.literal('date'), date: campaignDate }),
    z.strictObject({ kind: z.literal('windowEnd') }),
    z.strictObject({ kind: z.literal('earliest'), of: z.array(DeadlineRuleSchema).min(2) }),
  ]),
) as z.ZodType<DeadlineRule>;

export const DeadlineSchema = z.strictObject({
  due: DeadlineRuleSchema,
  /** Reminders to the step's role, N working days before the due date. */
  reminders: z.array(z.strictObject({ workingDaysBefore: z.number().int().positive() })).default([]),
  /** After the due date: alert the parent unit's committee, then one level higher every N working days. */
  escalation: z
    .strictObject({ everyWorkingDays: z.number().int().positive(), maxLevels: z.number().int().positive().default(3) })
    .optional(),
  /** A system event the engine sends to the case when the deadline falls due (e.g. the end of a posting period). */
  onDue: eventType.optional(),
});
export type DeadlineSpec = z.infer<typeof DeadlineSchema>;

const transitions = z.union([identifier, TransitionSchema, z.array(TransitionSchema).min(1)]);

/** What may be done to a village's household list while the case is in a step (closed set). */
export const HOUSEHOLD_OPERATIONS = ['import', 'edit', 'survey', 'vote', 'complain', 'recheck', 'certify'] as const;
export type HouseholdOperation = (typeof HOUSEHOLD_OPERATIONS)[number];

export const StepHouseholdsSchema = z.strictObject({
  /** Household operations open in this step (import the list, record survey answers, meeting votes, complaints, re-check results, certificates). */
  operations: z.array(z.enum(HOUSEHOLD_OPERATIONS)).default([]),
  /** The lists are recognised and locked in this step: no change but certificates (changes go through the regular in-year review). */
  locked: z.boolean().default(false),
});
export type StepHouseholds = z.infer<typeof StepHouseholdsSchema>;

const stepFields = {
  type: z.enum(['task', 'final', 'parallel']).default('task'),
  label: LocalizedTextSchema,
  /** The step number used by the seeds and by progress reports ("villages that finished step 2"). */
  stage: z.number().int().min(1).optional(),
  /** The role responsible for the step (receives its reminders). */
  role: identifier.optional(),
  /** What the step produces (a list, minutes, a decision…). */
  produces: LocalizedTextSchema.optional(),
  source: SourceSchema.optional(),
  deadline: DeadlineSchema.optional(),
  on: z.record(eventType, transitions).default({}),
  /** For final steps: the outcome it records. */
  outcome: identifier.optional(),
  households: StepHouseholdsSchema.optional(),
};

/** A branch of a parallel step: its own little sequence of steps, ending in a final step. */
export interface RegionSpec {
  label?: LocalizedText;
  initial: string;
  steps: Record<string, StepSpec>;
}
export type StepSpec = z.infer<z.ZodObject<typeof stepFields>> & {
  /** For parallel steps: branches that run side by side (e.g. a sample re-survey and a cross-check). */
  regions?: Record<string, RegionSpec>;
  /** For parallel steps: where the case goes once every region has reached its final step. */
  onDone?: string | TransitionSpec | TransitionSpec[];
};

export const RegionSchema: z.ZodType<RegionSpec> = z.lazy(() =>
  z.strictObject({
    label: LocalizedTextSchema.optional(),
    initial: identifier,
    steps: z.record(identifier, StepSchema),
  }),
) as z.ZodType<RegionSpec>;

export const StepSchema: z.ZodType<StepSpec> = z.lazy(() =>
  z.strictObject({
    ...stepFields,
    regions: z.record(identifier, RegionSchema).optional(),
    onDone: transitions.optional(),
  }),
) as z.ZodType<StepSpec>;

export const DefinitionSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Stable id of the process, e.g. `periodic-review`. */
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case'),
  version: z.number().int().positive(),
  title: LocalizedTextSchema,
  description: LocalizedTextSchema.optional(),
  /** Legal texts the definition implements. */
  sources: z.array(SourceSchema).min(1),
  /** The classification period whose rules apply (e.g. `2022-2025`). */
  period: z
    .string()
    .regex(/^\d{4}-\d{4}$/)
    .optional(),
  /** The first day a campaign may start on this version (e.g. 2025-07-01 for the two-level government). */
  effectiveFrom: civilDate.optional(),
  /**
   * The last day a campaign may start on this version (e.g. 2025-06-30 for a procedure with a
   * district step). Running cases keep their version; only new campaigns are refused. It may be
   * added to a published version in place (`definition-amendment.ts`), and an overlay does not
   * inherit it from its base (`definition-overlay.ts`).
   */
  effectiveTo: civilDate.optional(),
  /** Set on a province's definition: the province code it belongs to (only its admins may publish it). */
  province: z
    .string()
    .regex(/^[0-9A-Z]{2,8}$/, 'must be a province code such as "20"')
    .optional(),
  /** Set on a merged overlay: the definition it extends (`id@version`). */
  extends: z
    .string()
    .regex(/^[a-z][a-z0-9-]*@\d+$/)
    .optional(),
  /** The default campaign window; a campaign may set its own. */
  window: z.strictObject({ start: campaignDate, end: campaignDate }).optional(),
  roles: z.record(identifier, RoleSchema),
  parameters: z.record(identifier, ParameterSchema).default({}),
  events: z.record(eventType, EventSpecSchema),
  initial: identifier,
  steps: z.record(identifier, StepSchema),
  /**
   * Events accepted in whatever step the case is in, that never move it: their transitions have
   * no `target` and only record the payload (as every event does) and run their actions, e.g.
   * count a supervision task such as a sample re-survey that must not block a village. An event
   * listed here is handled nowhere else. Optional, not defaulted: a default would change the
   * content hash of every version already published.
   */
  anyStep: z.record(eventType, transitions).optional(),
});
export type Definition = z.infer<typeof DefinitionSchema>;
export type DefinitionInput = z.input<typeof DefinitionSchema>;

/** JSON Schema for editors (yaml-language-server), generated from the zod schema. */
export function definitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(DefinitionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Normalises the three accepted spellings of a step's transitions for one event. */
export function transitionsOf(spec: string | TransitionSpec | TransitionSpec[]): TransitionSpec[] {
  if (typeof spec === 'string') return [{ target: spec, actions: [] }];
  return Array.isArray(spec) ? spec : [spec];
}

/** The registry name of a guard; expressions are shown as `expr`. */
export function guardName(ref: GuardRef): string {
  return typeof ref === 'string' ? ref : 'expr' in ref ? 'expr' : ref.name;
}

export function actionName(ref: ActionRef): string {
  return typeof ref === 'string' ? ref : ref.name;
}

/** The Vietnamese text of a label (English is shown beside it by the UI when present). */
export function vi(text: LocalizedText): string {
  return typeof text === 'string' ? text : text.vi;
}
