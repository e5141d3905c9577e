import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ResolvedDeadline } from '@rasoat/workflow-core';
import { planAlarms, type Alarm } from './alarm-plan';
import { DeadlineCalculator } from './deadline-calculator';

export interface ArmRequest {
  caseId: string;
  step: string;
  spec: ResolvedDeadline;
  milestones: Record<string, string>;
  window: { start: string; end: string };
  provinceCode: string;
  now: Date;
}

export interface ArmedDeadline {
  id: string;
  dueDate: string;
  dueAt: Date;
  alarms: Alarm[];
  /** When the first alarm rings (the wake-up to schedule after commit). */
  firstAlarmAt: Date | null;
}

/** Arms and closes deadline rows inside the caller's transaction; wake-ups are the caller's post-commit work. */
@Injectable()
export class DeadlineScheduler {
  constructor(private readonly calculator: DeadlineCalculator) {}

  /** The calendar version new deadlines are computed with. */
  get calendarVersion(): number {
    return this.calculator.version;
  }

  /** The due date and alarm plan of a deadline rule for a case, without writing anything. */
  plan(req: Omit<ArmRequest, 'caseId'>): Omit<ArmedDeadline, 'id'> {
    const due = this.calculator.resolve(req.spec.due, { milestones: req.milestones, step: req.step, window: req.window, provinceCode: req.provinceCode });
    const alarms = planAlarms(req.spec, due, this.calculator.calendarFor(req.provinceCode), req.now);
    return { dueDate: due.dueDate, dueAt: due.dueAt, alarms, firstAlarmAt: alarms[0] ? new Date(alarms[0].at) : null };
  }

  async arm(tx: EntityManager, req: ArmRequest): Promise<ArmedDeadline> {
    const planned = this.plan(req);
    const id = randomUUID();
    await tx.execute(
      `insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at, alarms, next_alarm, next_alarm_at, calendar_version)
       values (?, ?, ?, ?, ?, ?::jsonb, 'armed', ?, ?::jsonb, 0, ?, ?)`,
      [id, req.caseId, req.step, planned.dueDate, planned.dueAt, JSON.stringify(req.spec), req.now, JSON.stringify(planned.alarms), planned.firstAlarmAt, this.calculator.version],
      'run',
    );
    return { id, ...planned };
  }

  /** The step was left: an armed deadline is cancelled, an overdue one closed (met late); no alarm rings any more. */
  async close(tx: EntityManager, caseId: string, step: string, now: Date): Promise<void> {
    await tx.execute(
      `update deadline set status = case when status = 'overdue' then 'closed' else 'cancelled' end, closed_at = ?, next_alarm_at = null
       where case_id = ? and step = ? and status in ('armed', 'overdue')`,
      [now, caseId, step],
      'run',
    );
  }
}
