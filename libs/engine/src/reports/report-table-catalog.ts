import { Injectable } from '@nestjs/common';
import { loadReportTables, verificationLine, type ReportTable } from './report-tables';
import { ReportInvalidException } from './reports.exception';

/** The table layouts of `config/reports/bieu-7.yaml` (Biểu mẫu 7.1–7.11), read once at start (an invalid file stops the process). */
@Injectable()
export class ReportTableCatalog {
  readonly tables: readonly ReportTable[] = loadReportTables();

  /** The tables as the API lists them: each with the line its exports print about what was checked against the legal text. */
  listed() {
    return this.tables.map((table) => {
      const { vi, en, verified } = verificationLine(table);
      return { ...table, verificationLabel: { vi, en }, verified };
    });
  }

  get(id: string): ReportTable {
    const table = this.tables.find((t) => t.id === id);
    if (!table)
      throw new ReportInvalidException(
        'table',
        `không có biểu "${id}" / unknown table "${id}"; có / known: ${this.tables.map((t) => t.id).join(', ')}`,
        { table: id },
      );
    return table;
  }
}
