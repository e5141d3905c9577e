import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CreateSubscriptionBody, type Actor } from '@rasoat/contracts';
import { DeliveryService, NotificationInboxService, SubscriptionsService } from '@rasoat/engine';
import { CurrentActor, Roles } from './auth.guard';
import { parseRequest } from './request-validation';

const IdParams = z.object({ id: z.uuid('must be an id (UUID)') });
const Recipient = {
  unit: z.string().min(1).max(40).optional(),
  role: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'must be a role such as commune_committee')
    .optional(),
};
const InboxQuery = z.object({
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z
    .union([z.uuid(), z.iso.datetime({ offset: true })], 'must be a notification id or an ISO instant')
    .optional(),
  ...Recipient,
});
const ReadAllQuery = z.object(Recipient);
const SubscriptionsQuery = z.object({ unit: z.string().min(1).max(40).optional() });
const DeliveriesQuery = z.object({
  status: z.enum(['pending', 'sent', 'dead']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The in-app inbox of the caller's unit and role. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly inbox: NotificationInboxService) {}

  @Get()
  @ApiOperation({
    summary:
      'Thông báo gửi cho đơn vị và vai trò của bạn, mới nhất trước / your unit and role’s notifications, newest first',
    description:
      'Query: unread=true, limit (≤ 200), before (a notification id or an ISO instant, for the next page). A national admin may pass unit= and role=.',
  })
  list(@Query() query: unknown, @CurrentActor() actor: Actor) {
    return this.inbox.list(actor, parseRequest(InboxQuery, query, 'query'));
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Đánh dấu đã đọc tất cả / mark every notification read' })
  readAll(@Query() query: unknown, @CurrentActor() actor: Actor) {
    return this.inbox.markAllRead(actor, parseRequest(ReadAllQuery, query, 'query'));
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Đánh dấu một thông báo đã đọc / mark one notification read' })
  read(@Param() params: unknown, @CurrentActor() actor: Actor) {
    return this.inbox.markRead(actor, parseRequest(IdParams, params, 'params').id);
  }
}

/** Subscriptions (e-mail, signed webhooks) and the deliveries made to them, with the dead letters. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin')
@Roles('province_admin', 'national_admin')
export class NotificationsAdminController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly deliveries: DeliveryService,
  ) {}

  @Get('subscriptions')
  @ApiOperation({
    summary: 'Đăng ký nhận thông báo qua thư điện tử, webhook / e-mail and webhook subscriptions in scope',
  })
  listSubscriptions(@Query() query: unknown, @CurrentActor() actor: Actor) {
    return this.subscriptions.list(actor, parseRequest(SubscriptionsQuery, query, 'query'));
  }

  @Post('subscriptions')
  @ApiOperation({
    summary:
      'Đăng ký nhận bản tổng hợp hằng ngày (webhook: khóa bí mật trả về một lần) / subscribe a unit and role; a webhook’s secret is returned once',
  })
  @ApiBody({ schema: z.toJSONSchema(CreateSubscriptionBody, { io: 'input' }) as object })
  createSubscription(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.subscriptions.create(actor, parseRequest(CreateSubscriptionBody, body, 'body'));
  }

  @Delete('subscriptions/:id')
  @ApiOperation({ summary: 'Hủy đăng ký / deactivate a subscription' })
  deleteSubscription(@Param() params: unknown, @CurrentActor() actor: Actor) {
    return this.subscriptions.deactivate(actor, parseRequest(IdParams, params, 'params').id);
  }

  @Get('deliveries')
  @ApiOperation({
    summary: 'Các lần gửi; status=dead: thư gửi hỏng sau mọi lần thử / deliveries; status=dead lists the dead letters',
  })
  listDeliveries(@Query() query: unknown, @CurrentActor() actor: Actor) {
    return this.deliveries.list(actor, parseRequest(DeliveriesQuery, query, 'query'));
  }

  @Post('deliveries/:id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Gửi lại một thư đã hỏng / put a dead delivery back in the queue' })
  retryDelivery(@Param() params: unknown, @CurrentActor() actor: Actor) {
    return this.deliveries.retry(actor, parseRequest(IdParams, params, 'params').id);
  }
}
