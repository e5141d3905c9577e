import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ChangeWindowBody, StartCampaignBody, type Actor } from '@rasoat/contracts';
import {
  assertInScope,
  CampaignNotFoundException,
  CampaignsService,
  CaseQueryService,
  NATION,
  ProgressService,
  UnitsService,
} from '@rasoat/engine';
import { CurrentActor, Roles } from './auth.guard';
import { parseRequest } from './request-validation';

const IdParams = z.object({ id: z.uuid('must be a campaign id (UUID)') });
const CasesQuery = z.object({
  unit: z.string().min(1),
  step: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const ProgressQuery = z.object({
  unit: z.string().min(1, 'unit is required'),
  campaign: z.uuid().optional(),
  /** For unit=VN (the nation): the process (definition id) and year summed over every province. */
  process: z.string().min(1).max(100).optional(),
  year: z.coerce.number().int().min(2000).max(2100).optional(),
});

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly progress: ProgressService,
    private readonly cases: CaseQueryService,
    private readonly units: UnitsService,
  ) {}

  @Get('campaigns')
  @ApiOperation({ summary: 'Các đợt rà soát của tỉnh / campaigns visible to the caller' })
  list(@CurrentActor() actor: Actor) {
    return this.campaigns.list(actor);
  }

  @Post('campaigns')
  @Roles('province_admin', 'province_committee', 'national_admin')
  @ApiOperation({
    summary: 'Mở đợt rà soát: tạo một hồ sơ cho mỗi thôn (lặp lại an toàn) / start a campaign, idempotently',
  })
  @ApiBody({ schema: z.toJSONSchema(StartCampaignBody, { io: 'input' }) as object })
  async start(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.campaigns.start(parseRequest(StartCampaignBody, body, 'body'), actor);
  }

  @Patch('campaigns/:id/window')
  @Roles('province_admin', 'province_committee', 'national_admin')
  @ApiOperation({
    summary: 'Đổi thời gian rà soát; tính lại các thời hạn / change the window; deadlines are recomputed with history',
  })
  @ApiBody({ schema: z.toJSONSchema(ChangeWindowBody, { io: 'input' }) as object })
  changeWindow(@Param() params: unknown, @Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.campaigns.changeWindow(
      parseRequest(IdParams, params, 'params').id,
      parseRequest(ChangeWindowBody, body, 'body'),
      actor,
    );
  }

  @Get('campaigns/:id')
  get(@Param() params: unknown, @CurrentActor() actor: Actor) {
    return this.campaigns.get(parseRequest(IdParams, params, 'params').id, actor);
  }

  @Get('campaigns/:id/cases')
  @ApiOperation({ summary: 'Hồ sơ của đợt trong một đơn vị / cases of a campaign under a unit' })
  async listCases(@Param() params: unknown, @Query() query: unknown, @CurrentActor() actor: Actor) {
    const { id } = parseRequest(IdParams, params, 'params');
    const q = parseRequest(CasesQuery, query, 'query');
    const unit = await this.units.get(q.unit);
    return this.cases.list(actor, {
      campaignId: id,
      unitPath: unit.path,
      step: q.step,
      limit: q.limit,
      offset: q.offset,
    });
  }

  @Get('progress')
  @ApiOperation({
    summary:
      'Tiến độ theo đơn vị: số hồ sơ ở mỗi bước, số đã xong mỗi bước, và từng đơn vị con / progress of a unit and its children',
    description:
      'unit=VN (national admins): the nation, every province campaign of `process` (default: the latest campaign’s) and `year` (default: its latest) summed, a row per province.',
  })
  async unitProgress(@Query() query: unknown, @CurrentActor() actor: Actor) {
    const q = parseRequest(ProgressQuery, query, 'query');
    if (q.unit === NATION) return this.progress.forNation(q.process, q.year, actor);
    const campaignId = q.campaign ?? (await this.defaultCampaign(q.unit, actor));
    return this.progress.forUnit(q.unit, campaignId, actor);
  }

  @Get('units/:code')
  @ApiOperation({ summary: 'Đơn vị hành chính và các đơn vị con / a unit and its children' })
  unit(@Param('code') code: string, @CurrentActor() actor: Actor) {
    return this.units.getWithChildren(code, actor);
  }

  private async defaultCampaign(unitCode: string, actor: Actor): Promise<string> {
    const unit = await this.units.get(unitCode);
    assertInScope(actor, unit.path, `đơn vị ${unitCode}`);
    const campaigns = (await this.campaigns.list(actor)).filter((c) => c.provinceCode === unit.provinceCode);
    const running = campaigns.find((c) => c.status === 'running') ?? campaigns[0];
    if (!running) throw new CampaignNotFoundException(`(tỉnh ${unit.provinceCode})`);
    return running.id;
  }
}
