export * from './reports.module';
export * from './reports.service';
export * from './reports.exception';
export * from './report-metrics';
export * from './report-tables';
export * from './report-table-catalog';
export * from './report-export';
