import { z } from 'zod';
import { AreaSchema, IndicatorCodeSchema, type Area } from '@rasoat/poverty-rules';
import { bilingual, FoldedLookup } from './text';

/**
 * Why a household is on the village's review list (step 1 of the periodic review): it was on last
 * year's poor or near-poor list, it arose during the year, or it filed a request (Giấy đề nghị,
 * Mẫu số 01 of QĐ 24/2021/QĐ-TTg).
 */
export const HouseholdSourceSchema = z.enum(['previous_poor', 'previous_near_poor', 'newly_arising', 'request']);
export type HouseholdSource = z.infer<typeof HouseholdSourceSchema>;

/** Length limits: technical bounds against pasted garbage, not legal rules. */
export const HOUSEHOLD_TEXT_LIMITS = { householdCode: 50, headName: 200, address: 500, note: 2000 } as const;

const REQUIRED = bilingual('Bắt buộc, không được để trống', 'Required, must not be empty');

/** A type error that says "required" when the field is missing. */
function requiredOr(vi: string, en: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? REQUIRED : bilingual(vi, en));
}

function tooLong(max: number) {
  return bilingual(`Dài quá ${max} ký tự`, `Longer than ${max} characters`);
}

const SINGLE_LINE = /^[^\r\n]*$/;
const NOT_SINGLE_LINE = bilingual('Không được xuống dòng', 'Must be on one line');

function requiredLine(max: number) {
  return z
    .string({ error: requiredOr('Phải là chuỗi ký tự', 'Must be text') })
    .normalize('NFC')
    .trim()
    .min(1, REQUIRED)
    .max(max, tooLong(max))
    .regex(SINGLE_LINE, NOT_SINGLE_LINE);
}

/** Optional free text; an empty string counts as absent. */
function optionalText(max: number) {
  return z
    .string({ error: bilingual('Phải là chuỗi ký tự', 'Must be text') })
    .normalize('NFC')
    .trim()
    .max(max, tooLong(max))
    .transform((value) => (value === '' ? undefined : value))
    .optional();
}

const IdNumberSchema = z
  .string({ error: bilingual('Phải là chuỗi 12 chữ số', 'Must be a string of 12 digits') })
  .trim()
  .regex(/^\d{12}$/, {
    error: (issue) =>
      bilingual(
        `Số CCCD/định danh phải gồm đúng 12 chữ số, nhận được "${String(issue.input)}" (nếu Excel đã bỏ số 0 ở đầu, hãy định dạng cột là Văn bản)`,
        `ID number must be exactly 12 digits, got "${String(issue.input)}" (if Excel dropped leading zeros, format the column as Text)`,
      ),
  });

const IndicatorCodeItem = z
  .string({ error: bilingual('Mã chỉ số phải là chuỗi ký tự', 'An indicator code must be text') })
  .refine((value) => IndicatorCodeSchema.safeParse(value).success, {
    error: (issue) =>
      bilingual(
        `"${String(issue.input)}" không phải là mã chỉ số thiếu hụt (vd. health_insurance)`,
        `"${String(issue.input)}" is not a deprivation indicator code (e.g. health_insurance)`,
      ),
  });

/**
 * One household of a village's review list. Identity and listing fields are required; the survey
 * fields (`incomePerCapitaMonthly`, `deprivations`) are absent until the household is surveyed.
 * `deprivations: []` means surveyed and deprived in nothing, which is not the same as absent.
 * Deprivation codes are those of the period's rule set (`RuleSet.indicators[].code` in
 * @rasoat/poverty-rules, e.g. `health_insurance`); this schema checks only their form, the import
 * checks them against a rule set's indicators when given one. A code listed twice counts once.
 */
export const HouseholdRecordSchema = z.strictObject(
  {
    /** Mã hộ: unique within a file. */
    householdCode: requiredLine(HOUSEHOLD_TEXT_LIMITS.householdCode),
    /** Họ và tên chủ hộ. */
    headName: requiredLine(HOUSEHOLD_TEXT_LIMITS.headName),
    /** Số CCCD / số định danh cá nhân of the head: 12 digits, leading zeros kept. */
    idNumber: IdNumberSchema.optional(),
    /** Địa chỉ. */
    address: optionalText(HOUSEHOLD_TEXT_LIMITS.address),
    /** Số nhân khẩu. */
    memberCount: z.int({ error: requiredOr('Phải là số nguyên', 'Must be a whole number') }).min(1, {
      error: (issue) =>
        bilingual(
          `Phải từ 1 trở lên, nhận được ${String(issue.input)}`,
          `Must be at least 1, got ${String(issue.input)}`,
        ),
    }),
    /** Khu vực: each area has its own income lines. */
    area: z.enum(AreaSchema.options, {
      error: requiredOr('Phải là "rural" hoặc "urban"', 'Must be "rural" or "urban"'),
    }),
    /** Nguồn: why the household is on the review list. */
    source: z.enum(HouseholdSourceSchema.options, {
      error: requiredOr(
        'Phải là previous_poor, previous_near_poor, newly_arising hoặc request',
        'Must be previous_poor, previous_near_poor, newly_arising or request',
      ),
    }),
    /** Thu nhập bình quân: estimated average income per person per month, whole đồng. */
    incomePerCapitaMonthly: z
      .int({ error: bilingual('Phải là số nguyên (đồng)', 'Must be a whole number of đồng') })
      .min(0, {
        error: (issue) =>
          bilingual(
            `Không được âm, nhận được ${String(issue.input)}`,
            `Must not be negative, got ${String(issue.input)}`,
          ),
      })
      .optional(),
    /** Các chỉ số thiếu hụt: codes of the indicators the household is deprived in. */
    deprivations: z
      .array(IndicatorCodeItem, {
        error: bilingual('Phải là danh sách mã chỉ số', 'Must be a list of indicator codes'),
      })
      .transform((codes) => [...new Set(codes)])
      .optional(),
    /** Ghi chú. */
    note: optionalText(HOUSEHOLD_TEXT_LIMITS.note),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? bilingual(`Trường không xác định: ${issue.keys.join(', ')}`, `Unknown field(s): ${issue.keys.join(', ')}`)
        : bilingual('Phải là một đối tượng hộ gia đình', 'Must be a household object'),
  },
);
/** A validated household, as the import returns it. */
export type HouseholdRecord = z.output<typeof HouseholdRecordSchema>;
/** What the export accepts (validated and normalised before writing). */
export type HouseholdRecordInput = z.input<typeof HouseholdRecordSchema>;
export type HouseholdColumnKey = keyof HouseholdRecord;

/** One column of the household file; headers match case- and accent-insensitively. */
export interface HouseholdColumn {
  key: HouseholdColumnKey;
  /** The header the export writes. */
  headerVi: string;
  /** Also accepted on import. */
  headerEn: string;
  /** Other accepted headers (the key itself, e.g. `householdCode`, is accepted too). */
  aliases: readonly string[];
  /** Required columns must be present and every cell in them filled. */
  required: boolean;
}

/** The columns of a household file, in the order the export writes them. */
export const HOUSEHOLD_COLUMNS: readonly HouseholdColumn[] = Object.freeze([
  {
    key: 'householdCode',
    headerVi: 'Mã hộ',
    headerEn: 'Household code',
    aliases: ['Mã hộ gia đình', 'Mã số hộ', 'Mã HGĐ'],
    required: true,
  },
  {
    key: 'headName',
    headerVi: 'Họ và tên chủ hộ',
    headerEn: 'Head of household',
    aliases: ['Họ tên chủ hộ', 'Tên chủ hộ', 'Chủ hộ', 'Head name'],
    required: true,
  },
  {
    key: 'idNumber',
    headerVi: 'Số CCCD/định danh',
    headerEn: 'ID number',
    aliases: [
      'Số CCCD',
      'CCCD',
      'Số căn cước',
      'Số căn cước công dân',
      'Số định danh',
      'Số định danh cá nhân',
      'Số CCCD/Số định danh cá nhân',
    ],
    required: false,
  },
  { key: 'address', headerVi: 'Địa chỉ', headerEn: 'Address', aliases: ['Nơi ở', 'Nơi cư trú'], required: false },
  {
    key: 'memberCount',
    headerVi: 'Số nhân khẩu',
    headerEn: 'Members',
    aliases: ['Nhân khẩu', 'Số khẩu', 'Số thành viên', 'Member count'],
    required: true,
  },
  { key: 'area', headerVi: 'Khu vực', headerEn: 'Area', aliases: ['Địa bàn', 'Khu vực sinh sống'], required: true },
  {
    key: 'source',
    headerVi: 'Nguồn',
    headerEn: 'Source',
    aliases: ['Nguồn rà soát', 'Diện rà soát', 'Đối tượng rà soát'],
    required: true,
  },
  {
    key: 'incomePerCapitaMonthly',
    headerVi: 'Thu nhập bình quân (đồng/người/tháng)',
    headerEn: 'Income per capita per month (VND)',
    aliases: [
      'Thu nhập bình quân',
      'Thu nhập bình quân đầu người',
      'Thu nhập bình quân đầu người/tháng',
      'Thu nhập',
      'Income',
    ],
    required: false,
  },
  {
    key: 'deprivations',
    headerVi: 'Các chỉ số thiếu hụt',
    headerEn: 'Deprivations',
    aliases: ['Chỉ số thiếu hụt', 'Thiếu hụt', 'Các chỉ số thiếu hụt dịch vụ xã hội cơ bản', 'Deprivation indicators'],
    required: false,
  },
  { key: 'note', headerVi: 'Ghi chú', headerEn: 'Note', aliases: ['Notes'], required: false },
] satisfies HouseholdColumn[]);

/** A value's label in the file: `vi` is written, `vi`, `en`, the code and `aliases` are read. */
export interface ValueLabel {
  vi: string;
  en: string;
  aliases: readonly string[];
}

export const AREA_LABELS: Readonly<Record<Area, ValueLabel>> = Object.freeze({
  rural: { vi: 'Nông thôn', en: 'Rural', aliases: [] },
  urban: { vi: 'Thành thị', en: 'Urban', aliases: ['Đô thị'] },
});

export const HOUSEHOLD_SOURCE_LABELS: Readonly<Record<HouseholdSource, ValueLabel>> = Object.freeze({
  previous_poor: {
    vi: 'Hộ nghèo năm trước',
    en: 'Poor last year',
    aliases: ['Hộ nghèo', 'Hộ nghèo cũ', 'Nghèo năm trước'],
  },
  previous_near_poor: {
    vi: 'Hộ cận nghèo năm trước',
    en: 'Near-poor last year',
    aliases: ['Hộ cận nghèo', 'Hộ cận nghèo cũ', 'Cận nghèo năm trước'],
  },
  newly_arising: {
    vi: 'Phát sinh mới',
    en: 'Newly arising',
    aliases: ['Hộ phát sinh mới', 'Hộ mới phát sinh', 'Mới phát sinh'],
  },
  request: {
    vi: 'Có giấy đề nghị',
    en: 'Filed a request',
    aliases: ['Hộ có giấy đề nghị', 'Giấy đề nghị', 'Đề nghị', 'Mẫu số 01', 'Mẫu 01'],
  },
});

/** The deprivations cell of a household surveyed and deprived in nothing (`deprivations: []`); an empty cell means not surveyed. */
export const NO_DEPRIVATION_LABEL = 'Không';
export const NO_DEPRIVATION_ALIASES: readonly string[] = Object.freeze(['Không', 'Không có', 'None']);

/** Lookup of every accepted header → column key. */
export function headerLookup(): FoldedLookup<HouseholdColumnKey> {
  const lookup = new FoldedLookup<HouseholdColumnKey>();
  for (const column of HOUSEHOLD_COLUMNS) {
    for (const spelling of [column.headerVi, column.headerEn, column.key, ...column.aliases])
      lookup.add(spelling, column.key);
  }
  return lookup;
}

/** Lookup of every accepted label → code, for `AREA_LABELS` or `HOUSEHOLD_SOURCE_LABELS`. */
export function labelLookup<C extends string>(labels: Readonly<Record<C, ValueLabel>>): FoldedLookup<C> {
  const lookup = new FoldedLookup<C>();
  for (const [code, label] of Object.entries(labels) as [C, ValueLabel][]) {
    for (const spelling of [label.vi, label.en, code, ...label.aliases]) lookup.add(spelling, code);
  }
  return lookup;
}
