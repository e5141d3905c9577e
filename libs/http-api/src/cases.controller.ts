import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import {
  HISTORY_PAGE_SIZE,
  MAX_EVENTS_PER_BATCH,
  MAX_HISTORY_PAGE_SIZE,
  SubmitCorrectionBody,
  SubmitEventBatchBody,
  SubmitEventBody,
  type Actor,
} from '@rasoat/contracts';
import {
  CaseAcceptanceService,
  CaseNotFoundException,
  CaseQueryService,
  type AcceptOutcome,
  type EventReceipt,
} from '@rasoat/engine';
import { CurrentActor } from './auth.guard';
import { failureAnswer } from './domain-exception.filter';
import { parseRequest } from './request-validation';

const CaseParams = z.object({ id: z.uuid('must be a case id (UUID)') });
const EventParams = CaseParams.extend({ eventId: z.uuid('must be an event id (UUID)') });
const SubmitQuery = z.object({ wait: z.coerce.number().int().min(0).max(30_000).default(0) });
const HistoryQuery = z.strictObject({
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be the nextBefore of the page before')
    .optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_HISTORY_PAGE_SIZE, `must be at most ${MAX_HISTORY_PAGE_SIZE}`)
    .default(HISTORY_PAGE_SIZE),
});
// Named by the header, so that an error says which part of the request is wrong.
const IdempotencyKeyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .min(8, 'phải có ít nhất 8 ký tự / must be at least 8 characters')
    .max(200, 'tối đa 200 ký tự / at most 200 characters')
    .optional(),
});
const idempotencyKeyOf = (key: string | undefined) =>
  parseRequest(IdempotencyKeyHeader, { 'Idempotency-Key': key }, 'headers')['Idempotency-Key'];

/** The answer for one item of a batch: what the single route would have answered for it. */
export interface BatchItemResult {
  index: number;
  /** The single route's status: 202 pending, 200 already applied, 422 already rejected (a replay), else the error's 4xx. */
  status: number;
  receipt?: EventReceipt;
  error?: { code: string; message: string; path?: string; details: Record<string, unknown> };
}

/** The item field an error is about when its details do not name one. */
const ERROR_FIELD: Record<string, string> = {
  CASE_NOT_FOUND: 'caseId',
  AUTH_OUT_OF_SCOPE: 'caseId',
  CASE_REFUSED_EVENT_BUDGET_EXCEEDED: 'caseId',
  CASE_WAITING_EVENTS_LIMIT_EXCEEDED: 'caseId',
  ROLE_NOT_ALLOWED: 'type',
  IDEMPOTENCY_KEY_REUSED: 'idempotencyKey',
};

function receiptStatus(receipt: EventReceipt): number {
  return receipt.status === 'pending' ? 202 : receipt.status === 'applied' ? 200 : 422;
}

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/cases')
export class CasesController {
  constructor(
    private readonly acceptance: CaseAcceptanceService,
    private readonly query: CaseQueryService,
  ) {}

  @Get(':id')
  @ApiOperation({
    summary:
      'Hồ sơ rà soát thôn: bước hiện tại, dữ liệu, sự kiện được phép, thời hạn, lịch sử / a case with its latest history',
    description:
      `history: the newest ${HISTORY_PAGE_SIZE} entries, newest first; historyTotal counts them all and historyNextBefore (null when there are no more) ` +
      'is the `before` of GET /api/cases/{id}/history for the older ones. Refused events are not history: refusedEvents counts them (total) ' +
      'and lists the latest (type, code, reason, who, when; never the payload).',
  })
  async get(@Param() params: unknown, @CurrentActor() actor: Actor) {
    const { id } = parseRequest(CaseParams, params, 'params');
    return this.query.get(id, actor);
  }

  @Get(':id/history')
  @ApiOperation({
    summary: 'Lịch sử hồ sơ, mới nhất trước, theo trang / a case’s history, newest first, a page at a time',
    description: `Query: before (the nextBefore of the page before; without it the newest entries), limit (1 to ${MAX_HISTORY_PAGE_SIZE}, default ${HISTORY_PAGE_SIZE}). Answers { caseId, items, total, nextBefore }.`,
  })
  @ApiQuery({ name: 'before', required: false })
  @ApiQuery({ name: 'limit', required: false, description: `entries per page (max ${MAX_HISTORY_PAGE_SIZE})` })
  async history(@Param() params: unknown, @Query() q: unknown, @CurrentActor() actor: Actor) {
    const { id } = parseRequest(CaseParams, params, 'params');
    return this.query.history(id, actor, parseRequest(HistoryQuery, q, 'query'));
  }

  @Post(':id/events')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Gửi một sự kiện cho hồ sơ / submit an event',
    description:
      'The event is validated against the case’s definition version, recorded with its idempotency key and applied by a worker in order. ' +
      '202 while pending; with ?wait=ms the call waits for the outcome and answers 200 (applied) or 422 (rejected, with the reason). ' +
      'An actor whose events the engine refused on this case cases.refusedEventsPerHour times within the last hour gets 429 CASE_REFUSED_EVENT_BUDGET_EXCEEDED with Retry-After, ' +
      `and one with ${MAX_EVENTS_PER_BATCH} events still waiting on the case 429 CASE_WAITING_EVENTS_LIMIT_EXCEEDED; nothing is recorded. ` +
      'Repeating a request with the same Idempotency-Key returns the first outcome and applies nothing twice.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiQuery({ name: 'wait', required: false, description: 'milliseconds to wait for the outcome (max 30000)' })
  @ApiBody({ schema: z.toJSONSchema(SubmitEventBody, { io: 'input' }) as object })
  async submit(
    @Param() params: unknown,
    @Query() q: unknown,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { id } = parseRequest(CaseParams, params, 'params');
    const { wait } = parseRequest(SubmitQuery, q, 'query');
    const headerKey = idempotencyKeyOf(key);
    const event = parseRequest(SubmitEventBody, body, 'body');
    let receipt = await this.acceptance.accept(id, event, actor, headerKey);
    if (wait > 0) receipt = await this.acceptance.waitForOutcome(receipt, wait);
    res.status(receipt.status === 'pending' ? 202 : receipt.status === 'applied' ? 200 : 422);
    return receipt;
  }

  @Post(':id/corrections')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Sửa một số liệu đã ghi nhận (quản trị tỉnh, quốc gia) / correct a value an applied event recorded (province or national admin)',
    description:
      '`data.<event>.<field>` of the case becomes `value`, checked against the field as declared by the case’s definition version (400 naming `value` and the limit). ' +
      'Applied in the case’s order like any event, under its Idempotency-Key; the case stays in its step; the history records who corrected, why, the old and the new value, ' +
      'and reports read the new value. 202 while pending; with ?wait=ms 200 (applied) or 422 (rejected: e.g. the event was never applied to the case).',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiQuery({ name: 'wait', required: false, description: 'milliseconds to wait for the outcome (max 30000)' })
  @ApiBody({ schema: z.toJSONSchema(SubmitCorrectionBody, { io: 'input', unrepresentable: 'any' }) as object })
  async correct(
    @Param() params: unknown,
    @Query() q: unknown,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { id } = parseRequest(CaseParams, params, 'params');
    const { wait } = parseRequest(SubmitQuery, q, 'query');
    const headerKey = idempotencyKeyOf(key);
    const correction = parseRequest(SubmitCorrectionBody, body, 'body');
    let receipt = await this.acceptance.acceptCorrection(id, correction, actor, headerKey);
    if (wait > 0) receipt = await this.acceptance.waitForOutcome(receipt, wait);
    res.status(receiptStatus(receipt));
    return receipt;
  }

  @Post('events/batch')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Gửi nhiều sự kiện trong một yêu cầu (đồng bộ máy tính bảng, nhập danh sách) / submit many events in one request',
    description:
      `1 to ${MAX_EVENTS_PER_BATCH} events for any cases inside the caller's unit, each with its caseId and a required idempotencyKey (8+ characters): ` +
      'a retried batch returns the first outcomes and applies nothing twice. Each item is validated and scoped exactly as by POST /api/cases/{id}/events ' +
      'and answered alone in `results` (same index as in `events`): status 202 with its receipt (200 / 422 when a replayed event was already applied / rejected), ' +
      'or the status and error code and message the single route would give, with `path` naming the field in this body (e.g. `events.3.data.householdCount`; ' +
      'an actor past the refused-event budget of a case gets 429 CASE_REFUSED_EVENT_BUDGET_EXCEEDED or CASE_WAITING_EVENTS_LIMIT_EXCEEDED at `events.N.caseId`, with details.retryAfterSeconds). ' +
      'Valid items are recorded even when others are refused; several events of one case are applied in their order in the batch. ' +
      'A malformed body (not an array, empty, more than 500 items, a missing key or an unknown field) is refused whole with 400 naming the JSON path, and nothing is written. ' +
      'A server failure (503 / 500) fails the whole request: retry it with the same keys. ' +
      'The request body is limited by the http.bodyLimit setting (HTTP_BODY_LIMIT, 2mb by default; 413 above it). No ?wait: poll GET /api/cases/{id}/events/{eventId} for outcomes.',
  })
  @ApiBody({ schema: z.toJSONSchema(SubmitEventBatchBody, { io: 'input' }) as object })
  @ApiOkResponse({
    description:
      '`{ results: [{ index, status, receipt?, error?: { code, message, path?, details } }], accepted, refused }`',
  })
  async submitBatch(@Body() body: unknown, @CurrentActor() actor: Actor) {
    const { events } = parseRequest(SubmitEventBatchBody, body, 'body');
    const outcomes = await this.acceptance.acceptMany(
      events.map(({ caseId, ...event }) => ({ caseId, body: event, actor })),
    );
    // A lost database or Redis (or a bug) is not an item's fault: the whole request fails, and the
    // caller retries it with the same keys (whatever was recorded is then replayed).
    const serverFailure = outcomes.find(
      (o): o is Extract<AcceptOutcome, { ok: false }> => !o.ok && failureAnswer(o.error).status >= 500,
    );
    if (serverFailure) throw serverFailure.error;
    const results = outcomes.map((o, index): BatchItemResult => {
      if (o.ok) return { index, status: receiptStatus(o.receipt), receipt: o.receipt };
      const { status, error } = failureAnswer(o.error);
      const details = error.details as { field?: unknown; fields?: { field?: unknown }[] };
      const field =
        typeof details.field === 'string'
          ? details.field
          : typeof details.fields?.[0]?.field === 'string'
            ? details.fields[0].field
            : ERROR_FIELD[error.code];
      return {
        index,
        status,
        error: {
          code: error.code,
          message: error.message,
          ...(field ? { path: `events.${index}.${field}` } : {}),
          details: error.details,
        },
      };
    });
    const accepted = results.filter((r) => r.receipt).length;
    return { results, accepted, refused: results.length - accepted };
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
