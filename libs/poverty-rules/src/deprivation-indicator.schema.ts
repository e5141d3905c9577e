import { z } from 'zod';

/** Machine codes of services and indicators: stable wire format, e.g. `health_insurance`. */
export const IndicatorCodeSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be a snake_case code: lower-case letters, digits, "_"');

/** One basic social service (dịch vụ xã hội cơ bản), e.g. health (Y tế). */
export const SocialServiceSchema = z.strictObject({
  code: IndicatorCodeSchema,
  name: z.string().min(1),
  nameEn: z.string().min(1),
});
export type SocialService = z.infer<typeof SocialServiceSchema>;

/**
 * One deprivation indicator (chỉ số đo lường mức độ thiếu hụt) of a period. `deprivedWhen` is the
 * legal definition of "deprived" kept as text: the engine takes the surveyors' verdict as input
 * and never computes it, so the wording is documentation that travels with the rule set.
 */
export const DeprivationIndicatorSchema = z.strictObject({
  code: IndicatorCodeSchema,
  name: z.string().min(1),
  nameEn: z.string().min(1),
  /** Code of the social service in the rule set's `services`. */
  service: IndicatorCodeSchema,
  deprivedWhen: z.string().min(1),
});
export type DeprivationIndicator = z.infer<typeof DeprivationIndicatorSchema>;
