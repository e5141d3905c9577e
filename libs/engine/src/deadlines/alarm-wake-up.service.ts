import { Injectable } from '@nestjs/common';
import { DeadlineRepository } from './deadline.repository';
import { TimersProducer } from './timers.producer';

/** How far ahead the wake-ups are re-armed from PostgreSQL. */
const HORIZON_MS = 3_600_000;

/**
 * Re-arms alarm wake-ups from the deadline rows, the truth: a Redis restarted empty has lost its
 * delayed jobs, and the periodic sweep calls this often enough that no alarm of the next hour is
 * left without one (a wake-up already there keeps its job id and is not added twice).
 */
@Injectable()
export class AlarmWakeUpService {
  constructor(
    private readonly deadlines: DeadlineRepository,
    private readonly timers: TimersProducer,
  ) {}

  /** Schedules a wake-up at each distinct second at which an alarm rings within the hour after `now` (at most `limit` seconds); how many. */
  async rearmNextHour(now: Date, limit: number): Promise<number> {
    const seconds = await this.deadlines.alarmSeconds(now, new Date(now.getTime() + HORIZON_MS), limit);
    await this.timers.wakeAt(
      seconds.map((second) => new Date(second * 1000)),
      now,
    );
    return seconds.length;
  }
}
