import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CLOCK, type Clock } from '../infrastructure';
import { planAlarms } from './alarm-plan';
import { DeadlineCalculator } from './deadline-calculator';
import {
  DeadlineRepository,
  type DeadlineMoveEntry,
  type RecomputedDeadline,
  type RecomputeRow,
} from './deadline.repository';
import { TimersProducer } from './timers.producer';

export interface RecomputeRun {
  checked: number;
  /** Deadlines whose due date moved (each with a history entry on its case). */
  moved: number;
}

/**
 * Keeps armed deadlines true to the calendar and the campaign window. When an admin adds a day
 * off (or a worked Saturday) or changes a campaign's window, every deadline still ringing is
 * resolved again from its rule and its case's milestones; a moved due date gets a new alarm
 * plan (alarms already rung are not rung again) and a history entry on the case.
 */
@Injectable()
export class DeadlineRecomputeService {
  private readonly logger = new Logger(DeadlineRecomputeService.name);

  constructor(
    private readonly deadlines: DeadlineRepository,
    private readonly calculator: DeadlineCalculator,
    private readonly timers: TimersProducer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private syncedAt = 0;

  /**
   * Brings this process's calendar up to the newest adjustment in PostgreSQL (at most once per
   * `maxAgeMs`); true when it changed. Deadlines armed on a stale calendar meanwhile carry the
   * older version and are recomputed by the sweeper.
   */
  async syncCalendar(maxAgeMs = 0): Promise<boolean> {
    if (maxAgeMs > 0 && Date.now() - this.syncedAt < maxAgeMs) return false;
    this.syncedAt = Date.now();
    const version = await this.deadlines.calendarVersion();
    if (version === this.calculator.version) return false;
    this.calculator.apply(await this.deadlines.calendarAdjustments(), version);
    return true;
  }

  /** Deadlines computed on an older calendar than the newest adjustment (the sweeper calls this). */
  async recomputeOutdated(limit = 5000): Promise<RecomputeRun> {
    await this.syncCalendar();
    const version = this.calculator.version;
    return this.recompute(
      (tx) => this.deadlines.lockOutdated(tx, version, limit),
      'lịch làm việc thay đổi / the working-day calendar changed',
    );
  }

  /** Every ringing deadline of a campaign (its window changed). */
  async recomputeCampaign(campaignId: string, reason: string): Promise<RecomputeRun> {
    await this.syncCalendar();
    const total: RecomputeRun = { checked: 0, moved: 0 };
    // Batches by id order until none is left: each batch is one transaction.
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const run = await this.recompute(
        (tx) => this.deadlines.lockOfCampaign(tx, campaignId, after, 2000),
        reason,
        (last) => (after = last),
      );
      total.checked += run.checked;
      total.moved += run.moved;
      if (run.checked < 2000) return total;
    }
  }

  /** One batch in one transaction: the deadlines `lock` returns, resolved again and written back. */
  private async recompute(
    lock: (tx: EntityManager) => Promise<RecomputeRow[]>,
    reason: string,
    onLast?: (id: string) => void,
  ): Promise<RecomputeRun> {
    const now = this.clock.now();
    const wake: Date[] = [];
    const run = await this.deadlines.transaction(async (tx) => {
      const rows = await lock(tx);
      if (rows.length > 0) onLast?.(rows[rows.length - 1].id);
      const updates: RecomputedDeadline[] = [];
      const history: DeadlineMoveEntry[] = [];
      for (const row of rows) {
        const due = this.calculator.resolve(row.spec.due, {
          milestones: row.milestones,
          step: row.step,
          window: { start: row.window_start, end: row.window_end },
          provinceCode: row.province_code,
        });
        // Re-plan on the new calendar (reminders and escalations count working days too); what already rang does not ring again.
        const rung = new Set(row.alarms.slice(0, row.next_alarm).map((a) => `${a.kind}:${a.level}`));
        const alarms = planAlarms(row.spec, due, this.calculator.calendarFor(row.province_code), now).filter(
          (a) => !rung.has(`${a.kind}:${a.level}`),
        );
        const unchanged =
          due.dueDate === row.due_date &&
          JSON.stringify(alarms) ===
            JSON.stringify(
              row.alarms
                .slice(row.next_alarm)
                .filter((a) => new Date(a.at).getTime() > now.getTime() || a.kind !== 'reminder'),
            );
        if (unchanged) {
          updates.push({
            id: row.id,
            due_date: row.due_date,
            due_at: null,
            alarms: null,
            status: row.status,
            next_alarm_at: null,
            keep: true,
          });
          continue;
        }
        const first = alarms[0] ? new Date(alarms[0].at) : null;
        if (first) wake.push(first);
        updates.push({
          id: row.id,
          due_date: due.dueDate,
          due_at: due.dueAt.toISOString(),
          alarms,
          status: due.dueAt.getTime() > now.getTime() ? 'armed' : row.status,
          next_alarm_at: first?.toISOString() ?? null,
          keep: false,
        });
        if (due.dueDate === row.due_date) continue;
        history.push({
          case_id: row.case_id,
          step: row.step,
          details: { deadlineId: row.id, recomputed: { from: row.due_date, to: due.dueDate }, reason },
        });
      }
      if (updates.length > 0) await this.deadlines.writeRecomputed(tx, this.calculator.version, updates);
      if (history.length > 0) await this.deadlines.recordMoves(tx, now, history);
      return { checked: rows.length, moved: history.length };
    });
    if (wake.length > 0) await this.timers.wakeAt(wake, now);
    if (run.moved > 0) this.logger.log(`recomputed ${run.checked} deadlines, ${run.moved} moved (${reason})`);
    return run;
  }
}
