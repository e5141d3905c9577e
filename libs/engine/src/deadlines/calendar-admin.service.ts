import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CalendarError, WorkingDayCalendar } from '@rasoat/calendar';
import type { Actor, AddCalendarDayBody } from '@rasoat/contracts';
import { CalendarAdjustmentRow } from '@rasoat/persistence';
import { AuthErrorCode, AuthException, NATION } from '../auth';
import { CLOCK, type Clock, DomainException } from '../infrastructure';
import { DeadlineCalculator, mergeAdjustments } from './deadline-calculator';
import { DeadlineRecomputeService } from './deadline-recompute.service';

export class CalendarInvalidException extends DomainException {
  constructor(field: string, message: string) {
    super('invalid', 'CALENDAR_INVALID', `${field}: ${message}`, { field });
  }
}

/**
 * The working-day calendar as admins see and change it during a season: list a year's days
 * off; add a national day off or worked Saturday (national admin) or a province's extra day off
 * (that province's admin). Deadlines already armed are then recomputed, with a history entry on
 * each case whose due date moved.
 */
@Injectable()
export class CalendarAdminService {
  constructor(
    private readonly em: EntityManager,
    private readonly calculator: DeadlineCalculator,
    private readonly recompute: DeadlineRecomputeService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async year(year: number, province?: string) {
    await this.recompute.syncCalendar();
    const calendar = this.calculator.calendarFor(province ?? '');
    return {
      year,
      province: province ?? null,
      daysOff: calendar.holidays(year),
      workedWeekendDays: calendar.workedWeekendDays(year),
      version: this.calculator.version,
    };
  }

  async add(body: AddCalendarDayBody, actor: Actor): Promise<{ id: number; recomputed: number; moved: number }> {
    const national = actor.role === 'national_admin' && actor.unit === NATION;
    if (!national) {
      if (actor.role !== 'province_admin')
        throw new AuthException(
          'forbidden',
          AuthErrorCode.RoleNotAllowed,
          'Chỉ quản trị được sửa lịch / only admins change the calendar',
        );
      if (body.province !== actor.unit)
        throw new AuthException(
          'forbidden',
          AuthErrorCode.OutOfScope,
          `Chỉ sửa lịch của tỉnh ${actor.unit} / a province admin adds days to their own province only`,
        );
    }
    if (body.province && body.kind === 'working_day')
      throw new CalendarInvalidException('kind', 'a province adds days off only; worked weekend days are national');
    await this.recompute.syncCalendar();
    const em = this.em.fork();
    const existing = await em.find(CalendarAdjustmentRow, {}, { orderBy: { id: 'asc' } });
    const candidate = { provinceCode: body.province ?? null, date: body.date, kind: body.kind, name: body.name };
    try {
      // Build the year as it would be, so that a clash (a worked day that is a holiday) is refused before anything is written.
      const data = mergeAdjustments(this.calculator.files, [
        ...existing.map((e) => ({ provinceCode: e.provinceCode ?? null, date: e.date, kind: e.kind, name: e.name })),
        candidate,
      ]);
      new WorkingDayCalendar({ data, province: body.province }).holidays(Number(body.date.slice(0, 4)));
    } catch (error) {
      if (error instanceof CalendarError)
        throw new CalendarInvalidException('date', [error.message, ...error.issues].join('; '));
      throw error;
    }
    if (existing.some((e) => e.date === body.date && (e.provinceCode ?? null) === (body.province ?? null))) {
      throw new CalendarInvalidException(
        'date',
        `${body.date} is already adjusted for ${body.province ?? 'the country'}`,
      );
    }
    const row = em.create(CalendarAdjustmentRow, {
      provinceCode: body.province ?? null,
      date: body.date,
      kind: body.kind,
      name: body.name,
      source: body.source,
      createdBy: actor.sub,
      createdAt: this.clock.now(),
    });
    await em.flush();
    // Recompute now, in batches; anything left (a very large province) is finished by the sweeper.
    let recomputed = 0;
    let moved = 0;
    for (let i = 0; i < 20; i++) {
      const run = await this.recompute.recomputeOutdated(5000);
      recomputed += run.checked;
      moved += run.moved;
      if (run.checked < 5000) break;
    }
    return { id: row.id, recomputed, moved };
  }
}
