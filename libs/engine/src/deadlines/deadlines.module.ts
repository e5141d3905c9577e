import { Module } from '@nestjs/common';
import { DeadlineCalculator } from './deadline-calculator';
import { TimersProducer } from './timers.producer';

/** Deadline arithmetic on the legal calendar, and the delayed wake-ups that go with it. */
@Module({ providers: [DeadlineCalculator, TimersProducer], exports: [DeadlineCalculator, TimersProducer] })
export class DeadlinesModule {}
