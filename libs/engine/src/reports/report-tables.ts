import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPORT_METRICS } from './report-metrics';

/** `config/reports/bieu-7.yaml` at the repository root: the layouts of the exported tables. */
export const REPORT_TABLES_FILE = join(__dirname, '../../../../config/reports/bieu-7.yaml');

/** Columns that describe the row rather than a figure. */
export const ROW_COLUMNS = ['index', 'unitName', 'unitCode'] as const;

const Text = z.string().trim().min(1);
const Bilingual = z.strictObject({ vi: Text, en: Text });

const ColumnSchema = z.strictObject({
  /** A figure (`report-metrics.ts`) or a row column: `index` (STT), `unitName`, `unitCode`. */
  key: z.enum([...ROW_COLUMNS, ...REPORT_METRICS]),
  /** The header cell: Vietnamese as exported (also the CSV header), English beside. */
  vi: Text,
  en: Text,
  /** A band above adjacent columns with the same group (XLSX only). */
  group: Bilingual.optional(),
  /** Excel column width in characters. */
  width: z.number().positive().max(100).optional(),
});

const TableSchema = z
  .strictObject({
    /** Used in `?table=` and the file name (`bieu-7-<id>_<unit>_<year>.xlsx`). */
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by "-"'),
    /** The form number as printed, e.g. "7.x" until checked against the circular. */
    form: Text,
    title: Bilingual,
    /** What the layout follows and how far it was checked: printed under the title. */
    reference: Bilingual,
    /** Worksheet name (Excel allows 31 characters, no `[]:*?/\`). */
    sheetName: z.string().regex(/^[^[\]:*?/\\]{1,31}$/),
    columns: z.array(ColumnSchema).min(1),
    /** Printed under the table (XLSX), returned with the JSON. */
    notes: z.array(Bilingual).default([]),
  })
  .superRefine((table, ctx) => {
    const seen = new Set<string>();
    table.columns.forEach((column, i) => {
      // The CSV header line is the Vietnamese headers: each must name one column.
      if (seen.has(column.vi))
        ctx.addIssue({
          code: 'custom',
          path: ['columns', i, 'vi'],
          message: `header "${column.vi}" is used twice in table ${table.id}`,
        });
      seen.add(column.vi);
    });
  });

const TablesFileSchema = z.strictObject({ tables: z.array(TableSchema).min(1) }).superRefine((file, ctx) => {
  const ids = new Set<string>();
  file.tables.forEach((t, i) => {
    if (ids.has(t.id))
      ctx.addIssue({ code: 'custom', path: ['tables', i, 'id'], message: `table id "${t.id}" is used twice` });
    ids.add(t.id);
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
