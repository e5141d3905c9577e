import { z } from 'zod';
import { HouseholdRecordSchema } from '@rasoat/household-records';
import { AreaSchema } from '@rasoat/poverty-rules';

const shape = HouseholdRecordSchema.shape;
const singleLine = /^[^\r\n]*$/;

/**
 * A household code as sent in a route or a body, in NFC like the codes of the list (the import
 * and the add normalise them): a code typed in NFD — as some phone keyboards send "Hộ" — finds
 * its household.
 */
const HouseholdCode = z.string().normalize('NFC').trim().min(1).max(50);

/** `:code` of a household in a route. */
export const HouseholdCodeParam = HouseholdCode;

/** Survey answers of one household (operation `survey`; also inside a re-check). */
export const SurveyBody = z.strictObject({
  /** Changes the household's area when given (each area has its own lines). */
  area: AreaSchema.optional(),
  incomePerCapitaMonthly: z.int('must be a whole number of đồng').min(0, 'must not be negative'),
  /** Codes of the period's indicators the household is deprived in; `[]` for none. */
  deprivations: z.array(z.string().trim().min(1).max(100)).max(100),
  /**
   * Workers of the household earning at most the period's low-income worker line a month
   * (Decree 30/2025/NĐ-CP); left out (or null) when not counted. At most the household's members.
   */
  lowIncomeWorkers: z.int('must be a whole number of workers').min(0, 'must not be negative').nullable().optional(),
});
export type SurveyBody = z.infer<typeof SurveyBody>;

/** Survey answers of many households of one case (operation `survey`), each with its code. */
export const SurveysBody = z.strictObject({
  surveys: z
    .array(SurveyBody.extend({ code: HouseholdCode }))
    .min(1, 'give at least one household')
    .max(10_000),
});
export type SurveysBody = z.infer<typeof SurveysBody>;

/**
 * One household added by hand (operation `edit`): the columns of the import, `code` for
 * `householdCode`. Without `area`, the household gets its commune's (phường urban, xã rural).
 */
export const AddHouseholdBody = HouseholdRecordSchema.omit({ householdCode: true }).extend({
  code: shape.householdCode,
  area: shape.area.optional(),
});
export type AddHouseholdBody = z.output<typeof AddHouseholdBody>;

/** Identity and listing fields (operation `edit`); `null` clears an optional one. The code cannot change. */
export const EditHouseholdBody = z
  .strictObject({
    headName: shape.headName.optional(),
    idNumber: shape.idNumber.nullable(),
    address: shape.address.nullable(),
    memberCount: shape.memberCount.optional(),
    area: shape.area.optional(),
    source: shape.source.optional(),
    note: shape.note.nullable(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), 'give at least one field to change');
export type EditHouseholdBody = z.output<typeof EditHouseholdBody>;

/** The residents' meeting (operation `vote`): per household, votes agreeing out of those present. */
export const VotesBody = z.strictObject({
  meetingDate: z.iso.date('must be a date YYYY-MM-DD'),
  votes: z
    .array(
      z.strictObject({
        code: HouseholdCode,
        agree: z.int('must be a whole number').min(0, 'must not be negative'),
        present: z.int('must be a whole number').min(0, 'must not be negative'),
      }),
    )
    .min(1, 'give at least one household')
    .max(10_000),
});
export type VotesBody = z.infer<typeof VotesBody>;

/** A complaint against a household's result during posting (operation `complain`). */
export const ComplaintBody = z.strictObject({ summary: z.string().trim().min(1, 'must not be empty').max(2000) });
export type ComplaintBody = z.infer<typeof ComplaintBody>;

/** The re-check (phúc tra) of one complaint (operation `recheck`), with new survey answers when the household was re-surveyed. */
export const RecheckBody = z.strictObject({
  outcome: z.enum(['upheld', 'dismissed']),
  note: z.string().trim().min(1, 'must not be empty').max(2000),
  survey: SurveyBody.optional(),
});
export type RecheckBody = z.infer<typeof RecheckBody>;

/** A poor / near-poor household's certificate number (operation `certify`). */
export const CertificateBody = z.strictObject({
  number: z.string().trim().min(1, 'must not be empty').max(100).regex(singleLine, 'must be on one line'),
});
export type CertificateBody = z.infer<typeof CertificateBody>;

export const HouseholdListQuery = z.object({ format: z.enum(['json', 'csv', 'xlsx']).default('json') });
export const HouseholdImportQuery = z.object({ format: z.enum(['csv', 'xlsx']).optional() });

/**
 * Content types the import accepts as a raw body (the HTTP app's raw parser is registered for
 * them, up to `uploads.householdFile.maxBytes`).
 */
export const HOUSEHOLD_FILE_CONTENT_TYPES: readonly string[] = Object.freeze([
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
]);
