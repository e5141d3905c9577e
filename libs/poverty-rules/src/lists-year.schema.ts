import { z } from 'zod';
import { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
import { describeIssues } from './validation-issues';

/** A process id as definitions spell it (`periodic-review`). */
const ProcessIdSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a process id such as periodic-review');

const TextSchema = z.string().trim().min(1);

/** How one kind of process relates its campaign's year to the year its lists apply. */
export const ProcessListsYearSchema = z.strictObject({
  /** As shown to users, Vietnamese and English. */
  name: z.strictObject({ vi: TextSchema, en: TextSchema }),
  /**
   * Lists year = campaign year + this: 1 for the autumn review of year N, whose lists apply in N+1;
   * 0 for a review whose results apply at once (the regular, in-year review).
   */
  listsYearOffset: z.int('expected a whole number of years').min(0, 'must not be negative').max(5, 'at most 5 years'),
  /** Where the offset comes from (a legal text, a provincial decision, or an inference said as such). */
  source: TextSchema,
});
export type ProcessListsYear = z.infer<typeof ProcessListsYearSchema>;

/**
 * `config/poverty-rules/lists-year.yaml`: for each process (a definition's id, or the id at the
 * root of an overlay's `extends` chain), the year its lists apply relative to the campaign's year.
 * A campaign uses the rule set in force on 1 January of that year.
 */
export const ListsYearSchema = z.strictObject({
  source: TextSchema,
  /** Each offset not confirmed against a legal text, with where it comes from; `[]` when all were checked. */
  uncertainties: z.array(TextSchema),
  processes: z
    .record(ProcessIdSchema, ProcessListsYearSchema)
    .refine((processes) => Object.keys(processes).length > 0, 'list at least one process'),
});
export type ListsYear = z.infer<typeof ListsYearSchema>;

/**
 * Validates the lists-year file the caller has already read and parsed. Throws a
 * `PovertyRulesError` (`POVERTY_RULES_INVALID_LISTS_YEAR`) listing every problem as
 * `<label>: <path>: <message>`.
 */
export function parseListsYear(value: unknown, label: string): ListsYear {
  const result = ListsYearSchema.safeParse(value);
  if (result.success) return result.data;
  throw new PovertyRulesError(
    PovertyRulesErrorCode.InvalidListsYear,
    `${label}: invalid lists-year file`,
    describeIssues(result.error).map((issue) => `${label}: ${issue}`),
  );
}
