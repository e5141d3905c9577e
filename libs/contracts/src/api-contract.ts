import { z } from 'zod';
import { UserRole } from './roles';

/**
 * An id as the engine writes them (a UUID, any version, either case): what may name a case, a
 * deadline or a notification in a path, a query or a key. Anything else names none.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Body of `POST /api/cases/:id/events`. */
export const SubmitEventBody = z.strictObject({
  type: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an event type such as SURVEY_COMPLETED'),
  data: z.record(z.string(), z.unknown()).default({}),
  /** Alternative to the Idempotency-Key header. */
  idempotencyKey: z.string().min(8).max(200).optional(),
});
export type SubmitEventBody = z.infer<typeof SubmitEventBody>;

/**
 * Body of `POST /api/cases/:id/corrections`: `data.<event>.<field>` of the case becomes `value`.
 * The shape only; the case's definition checks the event, the field and the value.
 */
export const SubmitCorrectionBody = z.strictObject({
  event: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an event type such as REVIEW_LIST_SUBMITTED'),
  field: z.string().regex(/^[a-z][A-Za-z0-9_]*$/, 'must be a field name such as householdCount'),
  value: z.unknown(),
  reason: z.string().trim().min(3).max(2000),
  /** Alternative to the Idempotency-Key header. */
  idempotencyKey: z.string().min(8).max(200).optional(),
});
export type SubmitCorrectionBody = z.infer<typeof SubmitCorrectionBody>;

/** Most events in one `POST /api/cases/events/batch` (one group-commit batch of the engine). */
export const MAX_EVENTS_PER_BATCH = 500;

/** One item of `POST /api/cases/events/batch`: an event with its case, and a key that is required here. */
export const SubmitEventBatchItem = SubmitEventBody.extend({
  caseId: z.uuid('must be a case id (UUID)'),
  /** Required: a retried batch must apply nothing twice. */
  idempotencyKey: z.string().min(8, 'must be at least 8 characters').max(200),
});
export type SubmitEventBatchItem = z.infer<typeof SubmitEventBatchItem>;

/** Body of `POST /api/cases/events/batch`: 1 to 500 events, for any cases in the caller's unit. */
export const SubmitEventBatchBody = z.strictObject({
  events: z
    .array(SubmitEventBatchItem)
    .min(1, 'must hold at least one event')
    .max(MAX_EVENTS_PER_BATCH, `must hold at most ${MAX_EVENTS_PER_BATCH} events`),
});
export type SubmitEventBatchBody = z.infer<typeof SubmitEventBatchBody>;

/** Body of `POST /api/campaigns`. */
export const StartCampaignBody = z
  .strictObject({
    provinceCode: z.string().min(1),
    year: z.number().int().min(2000).max(2100),
    /**
     * The version to pin (`periodic-review@4`), or the process alone (`periodic-review`): then the
     * newest live version whose effective period contains the window's start.
     */
    definitionKey: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]*(@\d+)?$/,
        'must look like periodic-review@4, or periodic-review for the version in effect',
      ),
    /** Defaults to the definition's window in the campaign's year. */
    windowStart: z.iso.date().optional(),
    windowEnd: z.iso.date().optional(),
  })
  .refine((b) => (b.windowStart === undefined) === (b.windowEnd === undefined), {
    message: 'give both windowStart and windowEnd, or neither',
    path: ['windowEnd'],
  })
  .refine((b) => !b.windowStart || !b.windowEnd || b.windowStart <= b.windowEnd, {
    message: 'windowEnd must not be before windowStart',
    path: ['windowEnd'],
  });
export type StartCampaignBody = z.infer<typeof StartCampaignBody>;

/** Body of `POST /api/admin/migrations`: move a campaign's in-flight cases to another version. */
export const MigrateCasesBody = z.strictObject({
  campaignId: z.uuid(),
  /** The target version, e.g. `periodic-review@2`. */
  to: z.string().regex(/^[a-z][a-z0-9-]*@\d+$/, 'must look like periodic-review@2'),
  /** Old step → new step; steps with the same id in both versions map to themselves unless listed. */
  mapping: z.record(z.string().regex(/^[a-z][A-Za-z0-9_]*$/), z.string().regex(/^[a-z][A-Za-z0-9_]*$/)).default({}),
  /** Keep each deadline's due instant, or recompute it from the new version's rule. */
  deadlines: z.enum(['preserve', 'recompute']).default('preserve'),
  /** Lists what would happen and changes nothing. */
  dryRun: z.boolean().default(true),
});
export type MigrateCasesBody = z.infer<typeof MigrateCasesBody>;

/** Bodies of the definitions admin API. */
export const DefinitionYamlBody = z.strictObject({
  yaml: z.string().min(1).max(1_000_000),
  fileName: z.string().min(1).max(200).optional(),
});
export type DefinitionYamlBody = z.infer<typeof DefinitionYamlBody>;

export const DefinitionDiffBody = z
  .strictObject({
    against: z.string().regex(/^[a-z][a-z0-9-]*@\d+$/, 'must look like periodic-review@1'),
    yaml: z.string().min(1).max(1_000_000).optional(),
    key: z
      .string()
      .regex(/^[a-z][a-z0-9-]*@\d+$/)
      .optional(),
  })
  .refine((b) => (b.yaml === undefined) !== (b.key === undefined), {
    message: 'give exactly one of yaml or key',
    path: ['yaml'],
  });
export type DefinitionDiffBody = z.infer<typeof DefinitionDiffBody>;

export const RollbackBody = z.strictObject({ reason: z.string().min(3).max(2000) });
export type RollbackBody = z.infer<typeof RollbackBody>;

/** Body of `POST /api/admin/subscriptions`: deliver a (unit, role)'s digests by e-mail or webhook. */
export const CreateSubscriptionBody = z
  .strictObject({
    unitCode: z.string().min(1).max(40),
    role: UserRole,
    channel: z.enum(['email', 'webhook']),
    /** An e-mail address, or the webhook's URL (https). */
    address: z.string().min(3).max(2000),
    /** The webhook's HMAC key (at least 16 characters); generated when omitted. */
    secret: z.string().min(16).max(200).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.channel === 'email' && !z.email().safeParse(b.address).success)
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'must be an e-mail address' });
    if (
      b.channel === 'webhook' &&
      !(URL.canParse(b.address) && ['https:', 'http:'].includes(new URL(b.address).protocol))
    )
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'must be an https:// URL' });
  });
export type CreateSubscriptionBody = z.infer<typeof CreateSubscriptionBody>;

/** Body of `POST /api/admin/calendar/days`: a day off or a worked Saturday added during a season. */
export const AddCalendarDayBody = z.strictObject({
  date: z.iso.date(),
  kind: z.enum(['day_off', 'working_day']),
  name: z.string().min(2).max(200),
  /** The decision or notice, e.g. "Quyết định 123/QĐ-UBND ngày …". */
  source: z.string().min(3).max(500),
  /** A province's extra day off; absent for the whole country (national admin only). */
  province: z
    .string()
    .regex(/^[0-9A-Z]{2,8}$/)
    .optional(),
});
export type AddCalendarDayBody = z.infer<typeof AddCalendarDayBody>;

/** Body of `PATCH /api/campaigns/:id/window`. */
export const ChangeWindowBody = z
  .strictObject({ windowStart: z.iso.date(), windowEnd: z.iso.date(), reason: z.string().min(3).max(500) })
  .refine((b) => b.windowStart <= b.windowEnd, {
    message: 'windowEnd must not be before windowStart',
    path: ['windowEnd'],
  });
export type ChangeWindowBody = z.infer<typeof ChangeWindowBody>;

/** History entries on one page, newest first: the case view holds the first page, `GET /api/cases/:id/history` the older ones. */
export const HISTORY_PAGE_SIZE = 50;
export const MAX_HISTORY_PAGE_SIZE = 200;

/**
 * Content types `POST /api/admin/units/import` takes as a raw body (the HTTP app's raw parser is
 * registered for them on that route, up to `uploads.unitsFile.maxBytes`).
 */
export const UNIT_FILE_CONTENT_TYPES: readonly string[] = Object.freeze([
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
]);

/** Query of `POST /api/admin/units/import`: the format (default: from the content type) and the file's name for the history. */
export const UnitImportQuery = z.object({
  format: z.enum(['csv', 'xlsx']).optional(),
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(
      (name) => ![...name].some((ch) => ch === '/' || ch === '\\' || ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127),
      'must be a file name, without folders or control characters',
    )
    .optional(),
});
export type UnitImportQuery = z.infer<typeof UnitImportQuery>;

/** Query of `GET /api/admin/units/changes`: one unit's history, or a province's; newest first, `before` an entry id. */
export const UnitChangesQuery = z.object({
  unit: z
    .string()
    .regex(/^[0-9A-Za-z]{1,20}$/, 'must be a unit code')
    .optional(),
  province: z
    .string()
    .regex(/^[0-9A-Z]{2,8}$/, 'must be a province code such as 24')
    .optional(),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be an entry id')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type UnitChangesQuery = z.infer<typeof UnitChangesQuery>;
