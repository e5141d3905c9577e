import { Module } from '@nestjs/common';
import { AlarmWakeUpService } from './alarm-wake-up.service';
import { CalendarAdminService } from './calendar-admin.service';
import { DeadlineCalculator } from './deadline-calculator';
import { DeadlineRecomputeService } from './deadline-recompute.service';
import { DeadlineScheduler } from './deadline-scheduler';
import { DeadlineRepository } from './deadline.repository';
import { TimersProducer } from './timers.producer';

/** Deadline arithmetic on the legal calendar, alarm plans, recomputation, and the delayed wake-ups that go with them. */
@Module({
  providers: [
    DeadlineCalculator,
    DeadlineScheduler,
    DeadlineRecomputeService,
    CalendarAdminService,
    TimersProducer,
    DeadlineRepository,
    AlarmWakeUpService,
  ],
  exports: [
    DeadlineCalculator,
    DeadlineScheduler,
    DeadlineRecomputeService,
    CalendarAdminService,
    TimersProducer,
    AlarmWakeUpService,
  ],
})
export class DeadlinesModule {}
