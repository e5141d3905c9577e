import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { Actor } from '@rasoat/contracts';
import { renderCsv, renderXlsx, reportFileName, ReportsService, ReportTableCatalog, tableJson } from '@rasoat/engine';
import { CurrentActor } from './auth.guard';
import { parseRequest } from './request-validation';

const SummaryQuery = z.strictObject({
  campaign: z.uuid('must be a campaign id (UUID)'),
  unit: z.string().min(1, 'unit is required'),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  /** A table of config/reports/bieu-7.yaml by its id (`7-1` … `7-11`); CSV and XLSX default to the first one (7.1). */
  table: z.string().min(1).optional(),
});

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Official reports: the summary tables (Biểu mẫu 7.1–7.11) of a unit in a campaign, as JSON, CSV or XLSX.
 * Anyone may ask for a unit inside their own (403 otherwise); the layouts are data
 * (`config/reports/bieu-7.yaml`).
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly catalog: ReportTableCatalog,
  ) {}

  @Get('tables')
  @ApiOperation({
    summary:
      'Các biểu tổng hợp có thể xuất, kèm mức độ đã đối chiếu với văn bản gốc / the summary tables that can be exported, with how far each was checked against the original (layouts as data)',
  })
  tables() {
    return this.catalog.listed();
  }

  @Get('summary')
  @ApiOperation({
    summary:
      'Biểu tổng hợp kết quả rà soát theo đơn vị con: số thôn, hộ rà soát, hộ nghèo, cận nghèo, tỷ lệ, thoát nghèo, phát sinh / summary per child unit, with the total; JSON, CSV or XLSX',
  })
  @ApiQuery({ name: 'campaign', required: true })
  @ApiQuery({ name: 'unit', required: true })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'xlsx'] })
  @ApiQuery({ name: 'table', required: false, description: 'the form: 7-1, 7-2, … 7-11 (GET /api/reports/tables)' })
  @ApiProduces('application/json', 'text/csv', XLSX_TYPE)
  async summary(@Query() query: unknown, @CurrentActor() actor: Actor) {
    const q = parseRequest(SummaryQuery, query, 'query');
    const table = q.table === undefined ? undefined : this.catalog.get(q.table);
    const report = await this.reports.summary(q.campaign, q.unit, actor);
    if (q.format === 'json') return table ? { ...report, table: tableJson(table, report) } : report;
    const layout = table ?? this.catalog.tables[0];
    const content =
      q.format === 'xlsx' ? await renderXlsx(layout, report) : Buffer.from(renderCsv(layout, report), 'utf8');
    const fileName = reportFileName(layout, report, q.format);
    return new StreamableFile(content, {
      type: q.format === 'xlsx' ? XLSX_TYPE : 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${fileName}"`,
      length: content.length,
    });
  }
}
