import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { UNIT_FILE_CONTENT_TYPES, UnitChangesQuery, UnitImportQuery, type Actor } from '@rasoat/contracts';
import { UnitImportService } from '@rasoat/engine';
import { CurrentActor, Roles } from './auth.guard';
import { parseRequest, RequestInvalidException } from './request-validation';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * A province's villages: uploaded by its province admin (inside the province only) or by a
 * national admin (anywhere), like the definitions' admin desk. The import is the CLI's
 * (`UnitImportService`, villages only here): all or nothing, every error with its row and column.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin/units')
@Roles('province_admin', 'national_admin')
export class UnitsAdminController {
  constructor(
    private readonly imports: UnitImportService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('import')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Nhập danh sách thôn, tổ dân phố của tỉnh từ tệp CSV/XLSX / import a province’s villages from a CSV or XLSX file',
    description:
      'The raw file is the body (text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream). ' +
      'Columns: "Mã đơn vị", "Tên", "Loại" (Thôn, Tổ dân phố, Bản, Ấp…), "Mã đơn vị cấp trên" (the commune), optional "Sáp nhập vào" (the village it merges into). ' +
      'A new code creates the village; a known code with another name or type renames it; "Sáp nhập vào" retires it into another village of the same commune. Renames and merges are recorded (GET /api/admin/units/changes). ' +
      'All or nothing: any bad row → 400 `{ errors: [{ row, column, message }] }` and nothing is written; rows outside the caller’s province → 403 with the same list. ' +
      'A merge is refused while the village has a running case. The same file again changes nothing (`importId: null`). ' +
      'Limits, checked while reading: a body over 20 MB → 413 `REQUEST_BODY_TOO_LARGE`; more than 200,000 units → 413 `UNITS_FILE_TOO_MANY_ROWS`; data past column AX or a cell over 1,000 characters → 413.',
  })
  @ApiConsumes(...UNIT_FILE_CONTENT_TYPES)
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'xlsx'], description: 'default: from the content type' })
  @ApiQuery({ name: 'fileName', required: false, description: 'recorded with each change' })
  async import(
    @Query() query: unknown,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: Response,
  ) {
    const q = parseRequest(UnitImportQuery, query, 'query');
    const format =
      q.format ??
      (contentType?.startsWith('text/csv') ? 'csv' : contentType?.startsWith(XLSX_TYPE) ? 'xlsx' : undefined);
    if (format === undefined)
      throw new RequestInvalidException('query', [
        { field: 'format', message: 'give ?format=csv or ?format=xlsx (the content type does not say which)' },
      ]);
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw new RequestInvalidException('body', [
        {
          field: '(root)',
          message: `Gửi nội dung tệp làm thân yêu cầu với content-type ${UNIT_FILE_CONTENT_TYPES.join(', ')} / send the file as the raw body with one of these content types`,
        },
      ]);
    const outcome = await this.imports.importFile({ format, content: body, fileName: q.fileName }, actor, {
      villagesOnly: true,
      maxRows: this.config.uploads.unitsFile.maxRows,
    });
    if (outcome.ok) return outcome;
    const { errors } = outcome;
    if (outcome.limit !== undefined) {
      res.status(413);
      return {
        errors,
        error: {
          code: outcome.limit.code,
          message: errors[0]?.message ?? outcome.limit.code,
          details: { ...outcome.limit, errors },
        },
      };
    }
    const [status, code, vi, en] = outcome.outOfScope
      ? [403, 'UNIT_IMPORT_OUT_OF_SCOPE', 'có dòng ngoài tỉnh của bạn', 'some rows are outside your province']
      : [400, 'UNIT_IMPORT_INVALID', 'tệp có lỗi', 'the file has errors'];
    res.status(status);
    return {
      errors,
      error: {
        code,
        message: `${vi}: ${errors.length} lỗi, chưa nhập đơn vị nào / ${en}: ${errors.length} error(s), nothing was imported`,
        details: { errors },
      },
    };
  }

  @Get('changes')
  @ApiOperation({
    summary:
      'Lịch sử thay đổi đơn vị (thêm, đổi tên, sáp nhập) / history of unit changes (created, renamed, merged), newest first',
    description:
      'unit=CODE: that unit’s changes and the merges into it; province=CODE: the province’s; neither: the caller’s province (a national admin: every one). `before`: the last id of the previous page.',
  })
  @ApiQuery({ name: 'unit', required: false, description: 'a unit code: its changes and the merges into it' })
  @ApiQuery({ name: 'province', required: false, description: 'a province code' })
  @ApiQuery({ name: 'before', required: false, description: 'the id of the last entry of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 100' })
  changes(@Query() query: unknown, @CurrentActor() actor: Actor) {
    return this.imports.changes(actor, parseRequest(UnitChangesQuery, query, 'query'));
  }
}
