import { Injectable } from '@nestjs/common';
import { CaseSweep, type SweepRun } from './case-sweep.service';
import { AlarmRinger, OnDueEventSender, type AlarmRun, type FireOutcome } from './cases';

/**
 * What time does to cases, in one place for its callers (the timers queue's processor, the
 * simulator, the tests): ring the alarms due (`AlarmRinger`), send onDue events
 * (`OnDueEventSender`), sweep (`CaseSweep`). It only delegates.
 */
@Injectable()
export class CaseDeadlinesService {
  constructor(
    private readonly ringer: AlarmRinger,
    private readonly onDue: OnDueEventSender,
    private readonly sweeper: CaseSweep,
  ) {}

  /** Rings every alarm due now and sends the onDue events due (`AlarmRinger.fireDue`). */
  fireDue(): Promise<AlarmRun> {
    return this.ringer.fireDue();
  }

  /** Sends the onDue events of up to EVENT_BATCH deadlines in one transaction (`OnDueEventSender.fireEvents`). */
  fireEvents(deadlineIds: readonly string[]): Promise<FireOutcome[]> {
    return this.onDue.fireEvents(deadlineIds);
  }

  /** Sends one deadline's onDue event (`OnDueEventSender.fireEvent`). */
  fireEvent(deadlineId: string): Promise<FireOutcome> {
    return this.onDue.fireEvent(deadlineId);
  }

  /** The periodic safety net (`CaseSweep.sweep`). */
  sweep(staleEventSeconds: number, limit?: number): Promise<SweepRun> {
    return this.sweeper.sweep(staleEventSeconds, limit);
  }
}
