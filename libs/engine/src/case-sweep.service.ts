import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { civilDateOf } from '@rasoat/calendar';
import { snapshotStageCounters } from './campaigns';
import { AlarmRinger, CaseRewakeService, type AlarmRun } from './cases';
import { AlarmWakeUpService, DeadlineRecomputeService } from './deadlines';
import { CLOCK, type Clock } from './infrastructure';

/** What one sweep did: the alarm pass, and what it woke and re-armed. */
export interface SweepRun extends AlarmRun {
  /** Alarms rung and onDue events sent. */
  fired: number;
  /** Cases re-woken because their events waited too long. */
  woken: number;
  /** Wake-up seconds re-armed for the next hour. */
  rearmed: number;
}

/**
 * The safety net, run every few seconds by a job scheduler (`worker.sweepIntervalSeconds`). It
 * spans contexts and does none of their work: re-wakes cases whose accepted events have waited
 * too long (cases), recomputes deadlines computed on an older calendar (deadlines), rings every
 * alarm that is due whatever happened to its wake-up job (cases), copies the stage counters for
 * progress over time once an hour and at each new civil day (campaigns), and re-arms the
 * wake-ups of the next hour, which Redis may have lost (deadlines).
 */
@Injectable()
export class CaseSweep {
  private readonly logger = new Logger(CaseSweep.name);
  /** When this process last copied the stage counters. */
  private snapshotAt = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly cases: CaseRewakeService,
    private readonly recompute: DeadlineRecomputeService,
    private readonly alarms: AlarmRinger,
    private readonly wakeUps: AlarmWakeUpService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One sweep: cases with events waiting longer than `staleEventSeconds` are re-woken; `limit` bounds the re-woken cases and re-armed seconds. */
  async sweep(staleEventSeconds: number, limit = 5000): Promise<SweepRun> {
    const now = this.clock.now();
    const woken = await this.cases.rewakeWaiting(now, staleEventSeconds, limit);
    await this.recompute.recomputeOutdated();
    const run = await this.alarms.fireDue();
    if (now.getTime() - this.snapshotAt >= 3_600_000 || civilDateOf(now) !== civilDateOf(new Date(this.snapshotAt))) {
      await snapshotStageCounters(this.em.fork(), now);
      this.snapshotAt = now.getTime();
    }
    const rearmed = await this.wakeUps.rearmNextHour(now, limit);
    if (woken > 0) this.logger.log(`sweep: re-woke ${woken} cases`);
    return { ...run, fired: run.rung + run.events, woken, rearmed };
  }
}
