import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import type { ResolvedDeadline } from '@rasoat/workflow-core';
import type { Alarm } from './alarm-plan';
import type { CalendarAdjustment } from './deadline-calculator';

/** A ringing deadline to resolve again, with its case's milestones and its campaign's window and province. */
export interface RecomputeRow {
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

/**
 * A recomputed deadline: `keep` leaves its due date and alarms as they are (only its calendar
 * version and status are written); otherwise the new due date and alarm plan, rung from the first.
 */
export interface RecomputedDeadline {
  id: string;
  due_date: string;
  due_at: string | null;
  alarms: Alarm[] | null;
  status: string;
  next_alarm_at: string | null;
  keep: boolean;
}

/** A history entry for a case whose deadline moved. */
export interface DeadlineMoveEntry {
  case_id: string;
  step: string;
  details: Record<string, unknown>;
}

// The ringing deadlines matching `where`, with what resolving them needs, locked in id order.
const RINGING = (
  where: string,
) => `select d.id, d.case_id, d.step, d.due_date::text as due_date, d.status, d.spec, d.alarms, d.next_alarm,
                c.snapshot -> 'context' -> 'milestones' as milestones, k.window_start::text as window_start, k.window_end::text as window_end, k.province_code
         from deadline d join review_case c on c.id = d.case_id join campaign k on k.id = c.campaign_id
         where d.next_alarm_at is not null and ${where}
         order by d.id limit ? for update of d skip locked`;

/**
 * The SQL of the deadlines context: the calendar adjustments admins added, the ringing deadlines
 * to recompute and their new rows (one statement per batch), and the seconds at which alarms
 * ring soon. The `tx` methods run in the transaction of `transaction`.
 */
@Injectable()
export class DeadlineRepository {
  constructor(private readonly em: EntityManager) {}

  /** Runs `work` in one transaction. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(work);
  }

  /** The newest calendar adjustment's id (0 without any): the calendar's version. */
  async calendarVersion(): Promise<number> {
    const [{ version }] = await this.em
      .fork()
      .execute<{ version: number }[]>('select coalesce(max(id), 0)::int as version from calendar_adjustment');
    return version;
  }

  /** Every calendar adjustment, oldest first. */
  calendarAdjustments(): Promise<CalendarAdjustment[]> {
    return this.em
      .fork()
      .execute<CalendarAdjustment[]>(
        `select province_code as "provinceCode", date::text as date, kind, name from calendar_adjustment order by id`,
      );
  }

  /** Locks up to `limit` ringing deadlines computed on a calendar older than `version`, skipping rows locked elsewhere. */
  lockOutdated(tx: EntityManager, version: number, limit: number): Promise<RecomputeRow[]> {
    return tx.execute<RecomputeRow[]>(RINGING('d.calendar_version < ?'), [version, limit]);
  }

  /** Locks up to `limit` ringing deadlines of a campaign's cases with an id after `after`, skipping rows locked elsewhere. */
  lockOfCampaign(tx: EntityManager, campaignId: string, after: string, limit: number): Promise<RecomputeRow[]> {
    return tx.execute<RecomputeRow[]>(RINGING('c.campaign_id = ? and d.id > ?'), [campaignId, after, limit]);
  }

  /** Writes the recomputed deadlines in one statement, all marked as computed on calendar `version`. */
  async writeRecomputed(tx: EntityManager, version: number, updates: readonly RecomputedDeadline[]): Promise<void> {
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
      [version, JSON.stringify(updates)],
      'run',
    );
  }

  /** Writes a `deadline` history entry by the system at `now` for each moved deadline, in one statement. */
  async recordMoves(tx: EntityManager, now: Date, entries: readonly DeadlineMoveEntry[]): Promise<void> {
    await tx.execute(
      `insert into case_history (case_id, at, kind, actor, from_step, to_step, details)
           select x.case_id, ?, 'deadline', ?::jsonb, x.step, x.step, x.details from jsonb_to_recordset(?::jsonb) as x(case_id uuid, step text, details jsonb)`,
      [now, JSON.stringify(SYSTEM_ACTOR), JSON.stringify(entries)],
      'run',
    );
  }

  /** The distinct seconds (epoch, rounded up) at which up to `limit` alarms ring after `after` and at the latest at `until`. */
  async alarmSeconds(after: Date, until: Date, limit: number): Promise<number[]> {
    const rows = await this.em
      .fork()
      .execute<{ second: string }[]>(
        `select distinct ceil(extract(epoch from next_alarm_at))::bigint as second from deadline where next_alarm_at > ? and next_alarm_at <= ? limit ?`,
        [after, until, limit],
      );
    return rows.map((r) => Number(r.second));
  }
}
