export { renderCsv, renderXlsx, reportFileName, tableJson } from './report-export';
export { ReportTableCatalog } from './report-table-catalog';
export { loadReportTables } from './report-tables';
export { ReportRepository } from './report.repository';
export { ReportsModule } from './reports.module';
export { ReportsService } from './reports.service';
