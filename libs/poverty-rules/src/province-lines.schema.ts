import { z } from 'zod';
import { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
import { AppliedProvinceSchema, IncomeLineSchema } from './rule-set.schema';
import { describeIssues } from './validation-issues';

/** The lines one province raises for one area; what it leaves out stays national. */
export const AreaLinesOverrideSchema = z
  .strictObject({
    povertyLine: IncomeLineSchema.optional(),
    nearPoorLine: IncomeLineSchema.optional(),
    averageLine: IncomeLineSchema.optional(),
  })
  .refine((lines) => Object.keys(lines).length > 0, 'must set at least one line (or leave the area out)');
export type AreaLinesOverride = z.infer<typeof AreaLinesOverrideSchema>;

/**
 * A province's own, higher income lines for some years of one period
 * (`config/poverty-rules/provinces/<code>/<name>.yaml`). Indicators and the deprivation
 * threshold stay national: provinces may raise the lines only (Decree 351/2025 as reported).
 * They serve the province's own programmes: a household keeps its national classification (for
 * national reports) and gets a provincial one beside it, never instead of it.
 */
const ProvinceLinesShape = z.strictObject({
  province: AppliedProvinceSchema.shape.code,
  /** As written in sentences, e.g. "tỉnh Bắc Ninh". */
  name: z.string().min(1),
  period: z.string().regex(/^\d{4}-\d{4}$/, 'must be YYYY-YYYY'),
  /** The provincial decision or resolution that sets the lines. */
  source: z.string().min(1),
  /** From when the provincial lines apply (to the lists in force from that day); within the national period. */
  effectiveFrom: z.iso.date(),
  /**
   * The last day they apply; `null` until the province replaces them (within the national period).
   * Required, so that the years a resolution covers are written in the file.
   */
  effectiveTo: z.iso.date().nullable(),
  uncertainties: z.array(z.string().min(1)),
  areas: z.strictObject({ rural: AreaLinesOverrideSchema.optional(), urban: AreaLinesOverrideSchema.optional() }),
});

export const ProvinceLinesSchema = ProvinceLinesShape.pipe(
  z.custom<z.output<typeof ProvinceLinesShape>>().superRefine((lines, ctx) => {
    if (lines.effectiveTo !== null && lines.effectiveTo < lines.effectiveFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['effectiveTo'],
        message: `${lines.effectiveTo} is before effectiveFrom ${lines.effectiveFrom}`,
      });
    }
  }),
);
export type ProvinceLines = z.infer<typeof ProvinceLinesSchema>;

/**
 * Validates a province's lines the caller has already read and parsed. Throws a
 * `PovertyRulesError` (`POVERTY_RULES_INVALID_PROVINCE_LINES`) listing every problem as
 * `<label>: <path>: <message>`.
 */
export function parseProvinceLines(value: unknown, label: string): ProvinceLines {
  const result = ProvinceLinesSchema.safeParse(value);
  if (result.success) return result.data;
  throw new PovertyRulesError(
    PovertyRulesErrorCode.InvalidProvinceLines,
    `${label}: invalid province lines`,
    describeIssues(result.error).map((issue) => `${label}: ${issue}`),
  );
}
