import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { Actor } from '@rasoat/contracts';
import {
  AddHouseholdBody,
  CertificateBody,
  ComplaintBody,
  EditHouseholdBody,
  HOUSEHOLD_FILE_CONTENT_TYPES,
  HouseholdCertificatesService,
  HouseholdCodeParam,
  HouseholdComplaintsService,
  HouseholdImportQuery,
  HouseholdListQuery,
  HouseholdListService,
  HouseholdSurveyService,
  HouseholdVotesService,
  RecheckBody,
  SurveyBody,
  VotesBody,
} from '@rasoat/engine';
import { CurrentActor } from './auth.guard';
import { parseRequest, RequestInvalidException } from './request-validation';

const CaseParams = z.object({ id: z.uuid('must be a case id (UUID)') });
const HouseholdParams = CaseParams.extend({ code: HouseholdCodeParam });
const ComplaintParams = CaseParams.extend({ complaintId: z.uuid('must be a complaint id (UUID)') });

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as object;

/**
 * A village case's household list. Every operation checks the actor's scope, role and the
 * operations the case's current step opens (403 / 409 naming the step and what is open).
 * Personal data (names, ID numbers, addresses) goes only to the village's and its commune's
 * officials; request bodies are never logged.
 */
@ApiTags('households')
@ApiBearerAuth()
@Controller('api/cases')
export class HouseholdsController {
  constructor(
    private readonly householdList: HouseholdListService,
    private readonly householdSurvey: HouseholdSurveyService,
    private readonly meetingVotes: HouseholdVotesService,
    private readonly householdComplaints: HouseholdComplaintsService,
    private readonly householdCertificates: HouseholdCertificatesService,
  ) {}

  @Get(':id/households')
  @ApiOperation({
    summary: 'Danh sách hộ của hồ sơ / the case’s household list',
    description:
      'json (default): each household with its classification, explanation, votes and complaint counts, plus the list’s facts and the operations open now. csv / xlsx: the import’s columns with Vietnamese headers.',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'xlsx'] })
  async list(@Param() params: unknown, @Query() query: unknown, @CurrentActor() actor: Actor) {
    const { id } = parseRequest(CaseParams, params, 'params');
    const { format } = parseRequest(HouseholdListQuery, query, 'query');
    if (format === 'json') return this.householdList.list(id, actor);
    const file = await this.householdList.exportFile(id, actor, format);
    return new StreamableFile(file.content, {
      type: file.contentType,
      disposition: `attachment; filename="${file.fileName}"`,
      length: file.content.length,
    });
  }

  @Post(':id/households/import')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Nhập danh sách hộ từ tệp CSV/XLSX / import the list from a CSV or XLSX file (operation import)',
    description:
      'The raw file is the body (text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream). ' +
      'All or nothing: any bad row → 400 `{ errors: [{ row, column, message }] }` and nothing is written. A good file replaces the list; rows with income and deprivations are classified at once. ' +
      'Limits (configurable, see docs/SECURITY.md), checked while the file is read: a body over 10 MB → 413 `REQUEST_BODY_TOO_LARGE`; more than 10,000 households → 413 `HOUSEHOLD_FILE_TOO_MANY_ROWS`; ' +
      'data past column AX → 413 `UPLOAD_TOO_MANY_COLUMNS`; a cell over 32,767 characters → 413 `UPLOAD_CELL_TOO_LONG`; an XLSX inflating past 50 MB or more than 100 times its compressed size → 413 `UPLOAD_EXPANDS_TOO_MUCH`; ' +
      'each with `error.details` naming the limit, what was found and where.',
  })
  @ApiConsumes(...HOUSEHOLD_FILE_CONTENT_TYPES)
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'xlsx'], description: 'default: from the content type' })
  async import(
    @Param() params: unknown,
    @Query() query: unknown,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { id } = parseRequest(CaseParams, params, 'params');
    const { format: asked } = parseRequest(HouseholdImportQuery, query, 'query');
    const format =
      asked ?? (contentType?.startsWith('text/csv') ? 'csv' : contentType?.startsWith(XLSX_TYPE) ? 'xlsx' : undefined);
    if (format === undefined)
      throw new RequestInvalidException('query', [
        { field: 'format', message: 'give ?format=csv or ?format=xlsx (the content type does not say which)' },
      ]);
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new RequestInvalidException('body', [
        {
          field: '(root)',
          message: `Gửi nội dung tệp làm thân yêu cầu với content-type ${HOUSEHOLD_FILE_CONTENT_TYPES.join(', ')} / send the file as the raw body with one of these content types`,
        },
      ]);
    }
    const outcome = await this.householdList.importFile(id, actor, { format, content: body });
    if (!outcome.ok && outcome.limit !== undefined) {
      res.status(413);
      return {
        errors: outcome.errors,
        error: {
          code: outcome.limit.code,
          message: outcome.errors[0]?.message ?? outcome.limit.code,
          details: { ...outcome.limit, errors: outcome.errors },
        },
      };
    }
    if (!outcome.ok) {
      res.status(400);
      const message = `Tệp có ${outcome.errors.length} lỗi, chưa nhập hộ nào / the file has ${outcome.errors.length} error(s); nothing was imported`;
      return {
        errors: outcome.errors,
        error: { code: 'HOUSEHOLD_IMPORT_INVALID', message, details: { errors: outcome.errors } },
      };
    }
    return outcome;
  }

  @Post(':id/households')
  @ApiOperation({
    summary: 'Thêm một hộ / add one household (operation edit)',
    description: '201 when added; 200 when the same household was already there.',
  })
  @ApiBody({ schema: jsonSchema(AddHouseholdBody) })
  async add(
    @Param() params: unknown,
    @Body() body: unknown,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { id } = parseRequest(CaseParams, params, 'params');
    const result = await this.householdList.add(id, actor, parseRequest(AddHouseholdBody, body, 'body'));
    res.status(result.changed ? 201 : 200);
    return result;
  }

  @Put(':id/households/votes')
  @ApiOperation({ summary: 'Ghi kết quả biểu quyết họp dân / record the residents’ meeting votes (operation vote)' })
  @ApiBody({ schema: jsonSchema(VotesBody) })
  async vote(@Param() params: unknown, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const { id } = parseRequest(CaseParams, params, 'params');
    return this.meetingVotes.vote(id, actor, parseRequest(VotesBody, body, 'body'));
  }

  @Patch(':id/households/:code')
  @ApiOperation({ summary: 'Sửa thông tin hộ / edit a household’s identity fields (operation edit)' })
  @ApiBody({ schema: jsonSchema(EditHouseholdBody) })
  async edit(@Param() params: unknown, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const { id, code } = parseRequest(HouseholdParams, params, 'params');
    return this.householdList.edit(id, code, actor, parseRequest(EditHouseholdBody, body, 'body'));
  }

  @Put(':id/households/:code/survey')
  @ApiOperation({
    summary: 'Ghi kết quả rà soát, phân loại hộ / record survey answers and classify (operation survey)',
  })
  @ApiBody({ schema: jsonSchema(SurveyBody) })
  async survey(@Param() params: unknown, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const { id, code } = parseRequest(HouseholdParams, params, 'params');
    return this.householdSurvey.survey(id, code, actor, parseRequest(SurveyBody, body, 'body'));
  }

  @Post(':id/households/:code/complaints')
  @ApiOperation({
    summary: 'Tiếp nhận khiếu nại về một hộ / file a complaint (operation complain)',
    description: '201 when opened; 200 when the same open complaint was already there.',
  })
  @ApiBody({ schema: jsonSchema(ComplaintBody) })
  async complain(
    @Param() params: unknown,
    @Body() body: unknown,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { id, code } = parseRequest(HouseholdParams, params, 'params');
    const result = await this.householdComplaints.complain(id, code, actor, parseRequest(ComplaintBody, body, 'body'));
    res.status(result.created ? 201 : 200);
    return result;
  }

  @Put(':id/households/:code/certificate')
  @ApiOperation({
    summary: 'Ghi số giấy chứng nhận hộ nghèo/cận nghèo / record a certificate number (operation certify)',
  })
  @ApiBody({ schema: jsonSchema(CertificateBody) })
  async certify(@Param() params: unknown, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const { id, code } = parseRequest(HouseholdParams, params, 'params');
    return this.householdCertificates.certify(id, code, actor, parseRequest(CertificateBody, body, 'body'));
  }

  @Get(':id/complaints')
  @ApiOperation({ summary: 'Khiếu nại của hồ sơ / the case’s complaints' })
  async complaints(@Param() params: unknown, @CurrentActor() actor: Actor) {
    const { id } = parseRequest(CaseParams, params, 'params');
    return this.householdComplaints.complaints(id, actor);
  }

  @Post(':id/complaints/:complaintId/recheck')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ghi kết quả phúc tra một khiếu nại / record a complaint’s re-check (operation recheck)' })
  @ApiBody({ schema: jsonSchema(RecheckBody) })
  async recheck(@Param() params: unknown, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const { id, complaintId } = parseRequest(ComplaintParams, params, 'params');
    return this.householdComplaints.recheck(id, complaintId, actor, parseRequest(RecheckBody, body, 'body'));
  }
}
