import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns';
import { DefinitionsModule } from '../definitions';
import { UnitsModule } from '../units';
import { ReportTableCatalog } from './report-table-catalog';
import { ReportRepository } from './report.repository';
import { ReportsService } from './reports.service';

/** Official reports: the summary tables (Biểu 7.x) per unit and campaign, with their layouts as data. */
@Module({
  imports: [UnitsModule, CampaignsModule, DefinitionsModule],
  providers: [ReportsService, ReportRepository, ReportTableCatalog],
  exports: [ReportsService, ReportTableCatalog],
})
export class ReportsModule {}
