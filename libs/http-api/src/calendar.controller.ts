import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AddCalendarDayBody, type Actor } from '@rasoat/contracts';
import { CalendarAdminService } from '@rasoat/engine';
import { CurrentActor, Roles } from './auth.guard';
import { parseRequest } from './request-validation';

const YearParams = z.object({ year: z.coerce.number().int().min(2000).max(2100) });
const ProvinceQuery = z.object({
  province: z
    .string()
    .regex(/^[0-9A-Z]{2,8}$/)
    .optional(),
});

/** The working-day calendar: read by everyone, changed by admins during a season. */
@ApiTags('calendar')
@ApiBearerAuth()
@Controller('api')
export class CalendarController {
  constructor(private readonly calendar: CalendarAdminService) {}

  @Get('calendar/:year')
  @ApiOperation({ summary: 'Ngày nghỉ và ngày làm bù của một năm / days off and worked weekend days of a year' })
  year(@Param() params: unknown, @Query() query: unknown) {
    return this.calendar.year(
      parseRequest(YearParams, params, 'params').year,
      parseRequest(ProvinceQuery, query, 'query').province,
    );
  }

  @Post('admin/calendar/days')
  @Roles('province_admin', 'national_admin')
  @ApiOperation({
    summary:
      'Thêm ngày nghỉ / ngày làm bù; tính lại các thời hạn đang chạy / add a day off or worked day; armed deadlines are recomputed',
  })
  @ApiBody({ schema: z.toJSONSchema(AddCalendarDayBody, { io: 'input' }) as object })
  add(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.calendar.add(parseRequest(AddCalendarDayBody, body, 'body'), actor);
  }
}
