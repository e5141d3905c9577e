import { z } from 'zod';
import { AreaSchema, type Area, type RuleSet } from './rule-set.schema';
import { describeIssues } from './validation-issues';

/** What classification needs of one household: the surveyors' estimated income and deprivation verdicts. */
export interface Household {
  id: string;
  area: Area;
  /** Estimated average income per person per month, in whole đồng. */
  incomePerCapitaMonthly: number;
  /** Codes of the rule set's indicators the household is deprived in; each code once, in input order. */
  deprivations: string[];
  /**
   * How many of the household's workers earn at most the rule set's low-income worker line a month;
   * left out when the survey did not count them. Refused when the period has no such line.
   */
  lowIncomeWorkers?: number;
}

/** The household, or every problem found, each as `path: message` (e.g. `incomePerCapitaMonthly: expected an integer`). */
export type HouseholdInputResult = { ok: true; household: Household } | { ok: false; errors: string[] };

/** A message for a wrong type that says "required" when the field is missing. */
function expected(what: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : `expected ${what}`);
}

function buildHouseholdSchema(ruleSet: RuleSet) {
  const known = new Set(ruleSet.indicators.map((indicator) => indicator.code));
  const knownList = [...known].join(', ');
  const code = z.string({ error: expected('an indicator code') }).superRefine((value, ctx) => {
    // An unknown code is a survey or mapping error; ignoring it could turn a poor household near-poor.
    if (!known.has(value))
      ctx.addIssue({
        code: 'custom',
        message: `unknown indicator "${value}" for period ${ruleSet.period} (known: ${knownList})`,
      });
  });
  // Unknown keys are dropped, not rejected: input files may carry names or village codes. Every
  // field is required, so a misspelt one still fails as missing; `deprivations: []` must be explicit
  // because a missing list would silently mean "no deprivation".
  return z.object(
    {
      id: z.string({ error: expected('a string') }).min(1, 'must not be empty'),
      area: z.enum(AreaSchema.options, { error: expected('"rural" or "urban"') }),
      incomePerCapitaMonthly: z
        .int({ error: expected('an integer') })
        .min(0, { error: (issue) => `expected a non-negative integer, got ${String(issue.input)}` }),
      // A code listed twice is counted once: ticking a box twice does not deepen a deprivation.
      deprivations: z
        .array(code, { error: expected('an array of indicator codes') })
        .transform((codes) => [...new Set(codes)]),
      lowIncomeWorkers: z
        .int({ error: expected('an integer') })
        .min(0, { error: (issue) => `expected a non-negative integer, got ${String(issue.input)}` })
        .superRefine((_count, ctx) => {
          if (ruleSet.lowIncomeWorkers === null)
            ctx.addIssue({
              code: 'custom',
              message: `period ${ruleSet.period} has no low-income worker line: leave the count out`,
            });
        })
        .optional(),
    },
    { error: expected('a JSON object') },
  );
}

// The CLI parses up to millions of lines against one rule set: build its schema once.
const schemas = new WeakMap<RuleSet, ReturnType<typeof buildHouseholdSchema>>();

/** Parses one household (e.g. one JSON line) against the indicators of `ruleSet`; never throws. */
export function parseHouseholdInput(value: unknown, ruleSet: RuleSet): HouseholdInputResult {
  let schema = schemas.get(ruleSet);
  if (schema === undefined) {
    schema = buildHouseholdSchema(ruleSet);
    schemas.set(ruleSet, schema);
  }
  const result = schema.safeParse(value);
  return result.success ? { ok: true, household: result.data } : { ok: false, errors: describeIssues(result.error) };
}
