import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns';
import { DefinitionsModule } from '../definitions';
import { StandardsModule } from '../standards';
import { UnitsModule } from '../units';
import { ReportIndicatorCatalog } from './report-indicators';
import { ReportTableCatalog } from './report-table-catalog';
import { ReportRepository } from './report.repository';
import { ReportsService } from './reports.service';

/** Official reports: the summary tables (Biểu mẫu 7.1–7.11 of TT 07/2021 Phụ lục VII) per unit and campaign, with their layouts as data. */
@Module({
  imports: [UnitsModule, CampaignsModule, DefinitionsModule, StandardsModule],
  providers: [ReportsService, ReportRepository, ReportTableCatalog, ReportIndicatorCatalog],
  exports: [ReportsService, ReportTableCatalog],
})
export class ReportsModule {}
