import { Injectable } from '@nestjs/common';
import { loadReportTables, type ReportTable } from './report-tables';
import { ReportInvalidException } from './reports.exception';

/** The table layouts of `config/reports/bieu-7.yaml`, read once at start (an invalid file stops the process). */
@Injectable()
export class ReportTableCatalog {
  readonly tables: readonly ReportTable[] = loadReportTables();

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
