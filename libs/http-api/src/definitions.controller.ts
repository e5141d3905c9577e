import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DefinitionDiffBody, DefinitionYamlBody, MigrateCasesBody, RollbackBody, type Actor } from '@rasoat/contracts';
import { CaseMigrationService, DefinitionAdminService } from '@rasoat/engine';
import { CurrentActor, Roles } from './auth.guard';
import { parseRequest } from './request-validation';

const KeyParams = z.object({ key: z.string().regex(/^[a-z][a-z0-9-]*@\d+$/, 'must look like periodic-review@1') });
const IdParams = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a definition id such as periodic-review'),
});
const ProvinceQuery = z.object({
  province: z
    .string()
    .regex(/^[0-9A-Z]{2,8}$/)
    .optional(),
});
const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input' }) as object;

/** Reading published definitions: national ones and the caller's province's. */
@ApiTags('definitions')
@ApiBearerAuth()
@Controller('api/definitions')
export class DefinitionsController {
  constructor(private readonly admin: DefinitionAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Các phiên bản quy trình đã công bố / published definition versions in scope' })
  list(@Query() query: unknown, @CurrentActor() actor: Actor) {
    return this.admin.list(actor, parseRequest(ProvinceQuery, query, 'query').province);
  }

  @Get(':key')
  @ApiOperation({
    summary:
      'Một phiên bản: YAML, định nghĩa đã hợp nhất, sơ đồ Mermaid / one version with its YAML, merged definition and diagram',
  })
  show(@Param() params: unknown, @CurrentActor() actor: Actor) {
    return this.admin.show(parseRequest(KeyParams, params, 'params').key, actor);
  }
}

/** The province admin's desk: validate, diff, publish, roll back, audit, migrate running cases. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin')
@Roles('province_admin', 'national_admin')
export class DefinitionsAdminController {
  constructor(
    private readonly admin: DefinitionAdminService,
    private readonly migrations: CaseMigrationService,
  ) {}

  @Post('definitions/validate')
  @ApiOperation({ summary: 'Kiểm tra YAML (không thay đổi gì) / validate YAML, changes nothing' })
  @ApiBody({ schema: schema(DefinitionYamlBody) })
  validate(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const b = parseRequest(DefinitionYamlBody, body, 'body');
    return this.admin.validate(b.yaml, actor, b.fileName);
  }

  @Post('definitions/diff')
  @ApiOperation({ summary: 'So sánh với một phiên bản đã công bố / diff against a published version' })
  @ApiBody({ schema: schema(DefinitionDiffBody) })
  diff(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const b = parseRequest(DefinitionDiffBody, body, 'body');
    return this.admin.diff(actor, b.against, { yaml: b.yaml, key: b.key });
  }

  @Post('definitions')
  @ApiOperation({
    summary: 'Công bố phiên bản mới (bất biến, có kiểm toán) / publish a new immutable version, audited',
  })
  @ApiBody({ schema: schema(DefinitionYamlBody) })
  publish(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const b = parseRequest(DefinitionYamlBody, body, 'body');
    return this.admin.publish(b.yaml, actor, b.fileName);
  }

  @Post('definitions/:id/rollback')
  @ApiOperation({
    summary: 'Quay lại phiên bản trước (ngừng phiên bản mới nhất) / roll back: retire the newest version',
  })
  @ApiBody({ schema: schema(RollbackBody) })
  rollback(@Param() params: unknown, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.admin.rollback(
      parseRequest(IdParams, params, 'params').id,
      actor,
      parseRequest(RollbackBody, body, 'body').reason,
    );
  }

  @Get('audit')
  @ApiOperation({ summary: 'Nhật ký thay đổi quy trình / who changed what, when, with the diff' })
  audit(@Query() query: unknown, @CurrentActor() actor: Actor) {
    return this.admin.audit(actor, parseRequest(ProvinceQuery, query, 'query').province);
  }

  @Post('migrations')
  @ApiOperation({
    summary:
      'Chuyển hồ sơ đang chạy sang phiên bản khác (chạy thử mặc định) / migrate running cases; dry run by default',
  })
  @ApiBody({ schema: schema(MigrateCasesBody) })
  migrate(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.migrations.migrate(parseRequest(MigrateCasesBody, body, 'body'), actor);
  }
}
