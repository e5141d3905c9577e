import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { SubmitEventBody, type Actor } from '@rasoat/contracts';
import { CaseAcceptanceService, CaseNotFoundException, CaseQueryService } from '@rasoat/engine';
import { CurrentActor } from './auth.guard';
import { parseRequest } from './request-validation';

const CaseParams = z.object({ id: z.uuid('must be a case id (UUID)') });
const EventParams = CaseParams.extend({ eventId: z.uuid('must be an event id (UUID)') });
const SubmitQuery = z.object({ wait: z.coerce.number().int().min(0).max(30_000).default(0) });
const IdempotencyKey = z.string().min(8, 'must be at least 8 characters').max(200).optional();

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/cases')
export class CasesController {
  constructor(
    private readonly acceptance: CaseAcceptanceService,
    private readonly query: CaseQueryService,
  ) {}

  @Get(':id')
  @ApiOperation({ summary: 'Hồ sơ rà soát thôn: bước hiện tại, dữ liệu, sự kiện được phép, thời hạn, lịch sử / a case with its history' })
  async get(@Param() params: unknown, @CurrentActor() actor: Actor) {
    const { id } = parseRequest(CaseParams, params, 'params');
    return this.query.get(id, actor);
  }

  @Post(':id/events')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Gửi một sự kiện cho hồ sơ / submit an event',
    description:
      'The event is validated against the case’s definition version, recorded with its idempotency key and applied by a worker in order. ' +
      '202 while pending; with ?wait=ms the call waits for the outcome and answers 200 (applied) or 422 (rejected, with the reason). ' +
      'Repeating a request with the same Idempotency-Key returns the first outcome and applies nothing twice.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiQuery({ name: 'wait', required: false, description: 'milliseconds to wait for the outcome (max 30000)' })
  @ApiBody({ schema: z.toJSONSchema(SubmitEventBody, { io: 'input' }) as object })
  async submit(@Param() params: unknown, @Query() q: unknown, @Body() body: unknown, @Headers('idempotency-key') key: string | undefined, @CurrentActor() actor: Actor, @Res({ passthrough: true }) res: Response) {
    const { id } = parseRequest(CaseParams, params, 'params');
    const { wait } = parseRequest(SubmitQuery, q, 'query');
    const headerKey = parseRequest(IdempotencyKey, key, 'headers');
    const event = parseRequest(SubmitEventBody, body, 'body');
    let receipt = await this.acceptance.accept(id, event, actor, headerKey);
    if (wait > 0) receipt = await this.acceptance.waitForOutcome(receipt, wait);
    res.status(receipt.status === 'pending' ? 202 : receipt.status === 'applied' ? 200 : 422);
    return receipt;
  }

  @Get(':id/events/:eventId')
  @ApiOperation({ summary: 'Kết quả xử lý một sự kiện / the outcome of a submitted event' })
  async event(@Param() params: unknown, @CurrentActor() actor: Actor) {
    const { id, eventId } = parseRequest(EventParams, params, 'params');
    await this.query.get(id, actor); // scope check
    const receipt = await this.acceptance.receipt(id, eventId);
    if (!receipt) throw new CaseNotFoundException(`${id}/events/${eventId}`);
    return receipt;
  }
}
