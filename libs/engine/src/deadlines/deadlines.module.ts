import { Module } from '@nestjs/common';
import { DeadlineCalculator } from './deadline-calculator';
import { DeadlineScheduler } from './deadline-scheduler';
import { TimersProducer } from './timers.producer';

/** Deadline arithmetic on the legal calendar, alarm plans, and the delayed wake-ups that go with them. */
@Module({ providers: [DeadlineCalculator, DeadlineScheduler, TimersProducer], exports: [DeadlineCalculator, DeadlineScheduler, TimersProducer] })
export class DeadlinesModule {}
