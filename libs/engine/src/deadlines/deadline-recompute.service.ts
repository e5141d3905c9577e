import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import type { ResolvedDeadline } from '@rasoat/workflow-core';
import { CLOCK, type Clock } from '../infrastructure';
import { planAlarms, type Alarm } from './alarm-plan';
import { DeadlineCalculator, type CalendarAdjustment } from './deadline-calculator';
import { TimersProducer } from './timers.producer';

interface Row {
  id: string;
  case_id: string;
  step: string;
  due_date: string;
  status: string;
  spec: ResolvedDeadline;
  alarms: Alarm[];
  next_alarm: number;
  milestones: Record<string, string>;
  window_start: string;
  window_end: string;
  province_code: string;
}

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
    private readonly em: EntityManager,
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
    const em = this.em.fork();
    const [{ version }] = await em.execute<{ version: number }[]>('select coalesce(max(id), 0)::int as version from calendar_adjustment');
    if (version === this.calculator.version) return false;
    const rows = await em.execute<CalendarAdjustment[]>(
      `select province_code as "provinceCode", date::text as date, kind, name from calendar_adjustment order by id`,
    );
    this.calculator.apply(rows, version);
    return true;
  }

  /** Deadlines computed on an older calendar than the newest adjustment (the sweeper calls this). */
  async recomputeOutdated(limit = 5000): Promise<RecomputeRun> {
    await this.syncCalendar();
    return this.recompute('d.calendar_version < ?', [this.calculator.version], 'lịch làm việc thay đổi / the working-day calendar changed', limit);
  }

  /** Every ringing deadline of a campaign (its window changed). */
  async recomputeCampaign(campaignId: string, reason: string): Promise<RecomputeRun> {
    await this.syncCalendar();
    const total: RecomputeRun = { checked: 0, moved: 0 };
    // Batches by id order until none is left: each batch is one transaction.
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const run = await this.recompute('c.campaign_id = ? and d.id > ?', [campaignId, after], reason, 2000, (last) => (after = last));
      total.checked += run.checked;
      total.moved += run.moved;
      if (run.checked < 2000) return total;
    }
  }

  private async recompute(where: string, params: unknown[], reason: string, limit: number, onLast?: (id: string) => void): Promise<RecomputeRun> {
    const now = this.clock.now();
    const wake: Date[] = [];
    const run = await this.em.fork().transactional(async (tx) => {
      const rows = await tx.execute<Row[]>(
        `select d.id, d.case_id, d.step, d.due_date::text as due_date, d.status, d.spec, d.alarms, d.next_alarm,
                c.snapshot -> 'context' -> 'milestones' as milestones, k.window_start::text as window_start, k.window_end::text as window_end, k.province_code
         from deadline d join review_case c on c.id = d.case_id join campaign k on k.id = c.campaign_id
         where d.next_alarm_at is not null and ${where}
         order by d.id limit ? for update of d skip locked`,
        [...params, limit],
      );
      if (rows.length > 0) onLast?.(rows[rows.length - 1].id);
      const updates: Record<string, unknown>[] = [];
      const history: Record<string, unknown>[] = [];
      for (const row of rows) {
        const due = this.calculator.resolve(row.spec.due, { milestones: row.milestones, step: row.step, window: { start: row.window_start, end: row.window_end }, provinceCode: row.province_code });
        // Re-plan on the new calendar (reminders and escalations count working days too); what already rang does not ring again.
        const rung = new Set(row.alarms.slice(0, row.next_alarm).map((a) => `${a.kind}:${a.level}`));
        const alarms = planAlarms(row.spec, due, this.calculator.calendarFor(row.province_code), now).filter((a) => !rung.has(`${a.kind}:${a.level}`));
        const unchanged = due.dueDate === row.due_date && JSON.stringify(alarms) === JSON.stringify(row.alarms.slice(row.next_alarm).filter((a) => new Date(a.at).getTime() > now.getTime() || a.kind !== 'reminder'));
        if (unchanged) {
          updates.push({ id: row.id, due_date: row.due_date, due_at: null, alarms: null, status: row.status, next_alarm_at: null, keep: true });
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
        history.push({ case_id: row.case_id, step: row.step, details: { deadlineId: row.id, recomputed: { from: row.due_date, to: due.dueDate }, reason } });
      }
      if (updates.length > 0) {
        await tx.execute(
          `update deadline d set calendar_version = ?,
             due_date = case when x.keep then d.due_date else x.due_date::date end,
             due_at = case when x.keep then d.due_at else x.due_at end,
             alarms = case when x.keep then d.alarms else x.alarms end,
             next_alarm = case when x.keep then d.next_alarm else 0 end,
             next_alarm_at = case when x.keep then d.next_alarm_at else x.next_alarm_at end,
             status = x.status
           from jsonb_to_recordset(?::jsonb) as x(id uuid, due_date text, due_at timestamptz, alarms jsonb, status text, next_alarm_at timestamptz, keep boolean)
           where d.id = x.id`,
          [this.calculator.version, JSON.stringify(updates)],
          'run',
        );
      }
      if (history.length > 0) {
        await tx.execute(
          `insert into case_history (case_id, at, kind, actor, from_step, to_step, details)
           select x.case_id, ?, 'deadline', ?::jsonb, x.step, x.step, x.details from jsonb_to_recordset(?::jsonb) as x(case_id uuid, step text, details jsonb)`,
          [now, JSON.stringify(SYSTEM_ACTOR), JSON.stringify(history)],
          'run',
        );
      }
      return { checked: rows.length, moved: history.length };
    });
    if (wake.length > 0) await this.timers.wakeAt(wake, now);
    if (run.moved > 0) this.logger.log(`recomputed ${run.checked} deadlines, ${run.moved} moved (${reason})`);
    return run;
  }
}
