import {
  indicatorValue,
  metricFormat,
  type IndicatorMetric,
  type ReportIndicator,
  type ReportMetric,
} from './report-metrics';
import { isIndicatorKey, type ReportColumn, type ReportTable } from './report-tables';
import type { SummaryReport, SummaryRow } from './reports.service';

export const TOTAL_LABEL = 'Tổng cộng';

/** One column of an exported table, after per-indicator columns were expanded for the report's indicators. */
export interface ResolvedColumn {
  /** The column's key: a row column, a figure, or `<figure>:<indicator code>`. */
  key: string;
  /** The figure (or row column) the cells show. */
  source: ReportColumn['key'];
  /** For a per-indicator column: the indicator. */
  indicator: ReportIndicator | null;
  vi: string;
  en: string;
  group: { vi: string; en: string } | null;
  width: number | undefined;
  format: 'integer' | 'percent' | 'text';
}

function isRowColumn(key: ReportColumn['key']): key is 'index' | 'unitName' | 'unitCode' {
  return key === 'index' || key === 'unitName' || key === 'unitCode';
}

/**
 * The table's columns for this report: each run of adjacent per-indicator columns becomes, for
 * every indicator of the report (in the rule set's order), those columns banded under the
 * indicator's name. Without indicators (no classified household list yet) such a run
 * disappears, and the export says why (`tableNotes`).
 */
export function resolveColumns(table: ReportTable, indicators: readonly ReportIndicator[]): ResolvedColumn[] {
  const resolved: ResolvedColumn[] = [];
  const columns = table.columns;
  for (let i = 0; i < columns.length;) {
    const column = columns[i];
    if (!isIndicatorKey(column.key)) {
      resolved.push({
        key: column.key,
        source: column.key,
        indicator: null,
        vi: column.vi,
        en: column.en,
        group: column.group ?? null,
        width: column.width,
        format: isRowColumn(column.key) ? 'text' : metricFormat(column.key),
      });
      i++;
      continue;
    }
    let end = i;
    while (end + 1 < columns.length && isIndicatorKey(columns[end + 1].key)) end++;
    const run = columns.slice(i, end + 1);
    for (const indicator of indicators) {
      for (const c of run) {
        resolved.push({
          key: `${c.key}:${indicator.code}`,
          source: c.key,
          indicator,
          vi: `${indicator.name.vi}: ${c.vi}`,
          en: `${indicator.name.en}: ${c.en}`,
          group: { vi: indicator.name.vi, en: indicator.name.en },
          width: c.width,
          format: metricFormat(c.key as IndicatorMetric),
        });
      }
    }
    i = end + 1;
  }
  return resolved;
}

/** The value of one cell: a number (figures), text (row columns) or null (unknown); `index` null is the total row. */
export function cellValue(column: ResolvedColumn, row: SummaryRow, index: number | null): string | number | null {
  switch (column.source) {
    case 'index':
      return index;
    case 'unitName':
      return index === null ? TOTAL_LABEL : row.name;
    case 'unitCode':
      return row.code;
    default:
      return column.indicator
        ? indicatorValue(column.source as IndicatorMetric, row, column.indicator.code)
        : row.values[column.source as ReportMetric];
  }
}

/** The table as rows of values: data rows (numbered 1…) then the total row. */
export function tableRows(columns: readonly ResolvedColumn[], report: SummaryReport): (string | number | null)[][] {
  return [
    ...report.rows.map((row, i) => columns.map((c) => cellValue(c, row, i + 1))),
    columns.map((c) => cellValue(c, report.total, null)),
  ];
}

/**
 * The notes printed under a table: the file's, then — for a table with per-indicator columns and
 * no indicator to show — why those columns are missing.
 */
export function tableNotes(table: ReportTable, report: SummaryReport): { vi: string; en: string }[] {
  const notes = [...table.notes];
  if (table.columns.some((c) => isIndicatorKey(c.key)) && report.indicators.length === 0) {
    notes.push({
      vi: 'Chưa có danh sách hộ chi tiết nào đã phân loại trong các thôn đã công nhận, nên chưa có cột theo từng chỉ số thiếu hụt (chưa có dữ liệu).',
      en: 'No classified household list in the recognised villages yet, so there is no column per deprivation indicator (no data yet).',
    });
  }
  return notes;
}
