import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { INDICATOR_METRICS, REPORT_METRICS, type IndicatorMetric } from './report-metrics';

/** `config/reports/bieu-7.yaml` at the repository root: the layouts of the exported tables. */
export const REPORT_TABLES_FILE = join(__dirname, '../../../../config/reports/bieu-7.yaml');

/** Columns that describe the row rather than a figure. */
export const ROW_COLUMNS = ['index', 'unitName', 'unitCode'] as const;

/**
 * How far a part of a form (its title, its layout) is established: `verified` — read in the legal
 * text named in `checkedAgainst`; `recalled` — remembered, not re-read; `unknown` — not established
 * (what the file shows is a best guess, and the export says so).
 */
export const KNOWLEDGE_STATUSES = ['verified', 'recalled', 'unknown'] as const;
export type KnowledgeStatus = (typeof KNOWLEDGE_STATUSES)[number];

const Text = z.string().trim().min(1);
const Bilingual = z.strictObject({ vi: Text, en: Text });
const Status = z.enum(KNOWLEDGE_STATUSES);

const ColumnSchema = z.strictObject({
  /**
   * A figure (`report-metrics.ts`), a row column (`index` = STT, `unitName`, `unitCode`), or a
   * figure per deprivation indicator (`poorDeprived`, `poorDeprivedRate`, `nearPoorDeprived`,
   * `nearPoorDeprivedRate`): adjacent columns of that kind become one band per indicator.
   */
  key: z.enum([...ROW_COLUMNS, ...REPORT_METRICS, ...INDICATOR_METRICS]),
  /** The header cell: Vietnamese as exported (also the CSV header), English beside. Per indicator: "<indicator>: <vi>". */
  vi: Text,
  en: Text,
  /** A band above adjacent columns with the same group (XLSX only); per-indicator columns are banded by indicator. */
  group: Bilingual.optional(),
  /** Excel column width in characters. */
  width: z.number().positive().max(100).optional(),
});

export function isIndicatorKey(key: string): key is IndicatorMetric {
  return (INDICATOR_METRICS as readonly string[]).includes(key);
}

const TableSchema = z
  .strictObject({
    /** Used in `?table=` and the file name (`bieu-<id>_<unit>_<year>.xlsx`), e.g. `7-1`. */
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case letters and digits joined by "-"'),
    /** The form number as printed in the circular: "7.1" … "7.11". */
    form: z.string().regex(/^\d+(\.\d+)*$/, 'a form number such as "7.1"'),
    /** The form's title, as far as it is known (`verification.title`). */
    title: Bilingual,
    /** The legal text the form belongs to: printed under the title. */
    source: Bilingual,
    /** How far the title and the layout were checked; anything short of `verified` is printed on the export. */
    verification: z.strictObject({
      title: Status,
      layout: Status,
      /** The text read (document, appendix, page or article) when something is `verified`. */
      checkedAgainst: Bilingual.optional(),
    }),
    /** Worksheet name (Excel allows 31 characters, no `[]:*?/\`). */
    sheetName: z.string().regex(/^[^[\]:*?/\\]{1,31}$/),
    columns: z.array(ColumnSchema).min(1),
    /** Printed under the table (XLSX, CSV), returned with the JSON: what the figures mean, what the form has that the engine lacks. */
    notes: z.array(Bilingual).default([]),
  })
  .superRefine((table, ctx) => {
    const { verification } = table;
    if ((verification.title === 'verified' || verification.layout === 'verified') && !verification.checkedAgainst) {
      ctx.addIssue({
        code: 'custom',
        path: ['verification', 'checkedAgainst'],
        message: `table ${table.id}: a "verified" status needs checkedAgainst, the text it was read in`,
      });
    }
    const seen = new Set<string>();
    table.columns.forEach((column, i) => {
      if (isIndicatorKey(column.key) && column.group) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', i, 'group'],
          message: `a per-indicator column (${column.key}) is banded by its indicator: it takes no group`,
        });
      }
      // The CSV header line is the Vietnamese headers: each must name one column (per-indicator
      // headers are "<indicator>: <vi>", so they clash only among themselves).
      const header = isIndicatorKey(column.key) ? `indicator:${column.vi}` : column.vi;
      if (seen.has(header))
        ctx.addIssue({
          code: 'custom',
          path: ['columns', i, 'vi'],
          message: `header "${column.vi}" is used twice in table ${table.id}`,
        });
      seen.add(header);
    });
  });

const TablesFileSchema = z.strictObject({ tables: z.array(TableSchema).min(1) }).superRefine((file, ctx) => {
  const ids = new Set<string>();
  const forms = new Set<string>();
  file.tables.forEach((t, i) => {
    if (ids.has(t.id))
      ctx.addIssue({ code: 'custom', path: ['tables', i, 'id'], message: `table id "${t.id}" is used twice` });
    ids.add(t.id);
    if (forms.has(t.form))
      ctx.addIssue({ code: 'custom', path: ['tables', i, 'form'], message: `form "${t.form}" is declared twice` });
    forms.add(t.form);
  });
});

export type ReportTable = z.infer<typeof TableSchema>;
export type ReportColumn = ReportTable['columns'][number];

export class ReportTablesError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`invalid report tables in ${file}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ReportTablesError';
  }
}

/** Parses the tables file; every problem is reported with its JSON path. */
export function parseReportTables(text: string, file = 'bieu-7.yaml'): ReportTable[] {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ReportTablesError(file, [
      `YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    ]);
  }
  const result = TablesFileSchema.safeParse(raw);
  if (!result.success) {
    throw new ReportTablesError(
      file,
      result.error.issues.map((i) => `$.${i.path.map(String).join('.')} ${i.message}`),
    );
  }
  return result.data.tables;
}

export function loadReportTables(file: string = REPORT_TABLES_FILE): ReportTable[] {
  return parseReportTables(readFileSync(file, 'utf8'), file);
}

/**
 * The line printed under a table's title on every export (XLSX row, CSV line, JSON field): what
 * was checked against the legal text and what was not. A layout not verified is always said so,
 * whatever the file's notes say.
 */
export function verificationLine(table: ReportTable): { vi: string; en: string; verified: boolean } {
  const { title, layout, checkedAgainst } = table.verification;
  const parts: { vi: string; en: string }[] = [];
  if (layout === 'verified') {
    parts.push({ vi: 'Bố cục đã đối chiếu với văn bản gốc', en: 'Layout checked against the original' });
  } else {
    parts.push({
      vi: `Bố cục chưa được đối chiếu với văn bản gốc (${layout === 'recalled' ? 'theo trí nhớ' : 'chưa xác định'})`,
      en: `Layout not verified against the original (${layout === 'recalled' ? 'recalled' : 'not established'})`,
    });
  }
  if (title === 'recalled') {
    parts.push({ vi: 'tên biểu ghi theo trí nhớ, chưa đối chiếu', en: 'title recalled, not checked' });
  } else if (title === 'unknown') {
    parts.push({
      vi: 'tên biểu chưa xác định, có thể không đúng',
      en: 'title not established, may be wrong',
    });
  }
  if (checkedAgainst)
    parts.push({ vi: `đối chiếu: ${checkedAgainst.vi}`, en: `checked against: ${checkedAgainst.en}` });
  return {
    vi: parts.map((p) => p.vi).join('; '),
    en: parts.map((p) => p.en).join('; '),
    verified: title === 'verified' && layout === 'verified',
  };
}
