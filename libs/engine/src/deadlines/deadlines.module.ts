import { Module } from '@nestjs/common';
import { CalendarAdminService } from './calendar-admin.service';
import { DeadlineCalculator } from './deadline-calculator';
import { DeadlineRecomputeService } from './deadline-recompute.service';
import { DeadlineScheduler } from './deadline-scheduler';
import { TimersProducer } from './timers.producer';

/** Deadline arithmetic on the legal calendar, alarm plans, recomputation, and the delayed wake-ups that go with them. */
@Module({
  providers: [DeadlineCalculator, DeadlineScheduler, DeadlineRecomputeService, CalendarAdminService, TimersProducer],
  exports: [DeadlineCalculator, DeadlineScheduler, DeadlineRecomputeService, CalendarAdminService, TimersProducer],
})
export class DeadlinesModule {}
