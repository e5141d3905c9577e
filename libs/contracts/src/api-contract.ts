import { z } from 'zod';

/** Body of `POST /api/cases/:id/events`. */
export const SubmitEventBody = z.strictObject({
  type: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an event type such as SURVEY_COMPLETED'),
  data: z.record(z.string(), z.unknown()).default({}),
  /** Alternative to the Idempotency-Key header. */
  idempotencyKey: z.string().min(8).max(200).optional(),
});
export type SubmitEventBody = z.infer<typeof SubmitEventBody>;

/** Body of `POST /api/campaigns`. */
export const StartCampaignBody = z.strictObject({
  provinceCode: z.string().min(1),
  year: z.number().int().min(2000).max(2100),
  definitionKey: z.string().regex(/^[a-z][a-z0-9-]*@\d+$/, 'must look like periodic-review@1'),
  windowStart: z.iso.date(),
  windowEnd: z.iso.date(),
}).refine((b) => b.windowStart <= b.windowEnd, { message: 'windowEnd must not be before windowStart', path: ['windowEnd'] });
export type StartCampaignBody = z.infer<typeof StartCampaignBody>;
