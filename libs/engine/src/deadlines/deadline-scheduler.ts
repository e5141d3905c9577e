import { Injectable } from '@nestjs/common';
import type { ResolvedDeadline } from '@rasoat/workflow-core';
import { planAlarms, type Alarm } from './alarm-plan';
import { DeadlineCalculator } from './deadline-calculator';

export interface ArmRequest {
  step: string;
  spec: ResolvedDeadline;
  milestones: Record<string, string>;
  window: { start: string; end: string };
  provinceCode: string;
  now: Date;
}

export interface ArmedDeadline {
  dueDate: string;
  dueAt: Date;
  alarms: Alarm[];
  /** When the first alarm rings (the wake-up to schedule after commit). */
  firstAlarmAt: Date | null;
}

/** Plans deadlines: due date and alarms of a step's rule for a case (CaseChanges writes the rows). */
@Injectable()
export class DeadlineScheduler {
  constructor(private readonly calculator: DeadlineCalculator) {}

  /** The calendar version new deadlines are computed with. */
  get calendarVersion(): number {
    return this.calculator.version;
  }

  /** The due date and alarm plan of a deadline rule for a case, without writing anything. */
  plan(req: ArmRequest): ArmedDeadline {
    const due = this.calculator.resolve(req.spec.due, {
      milestones: req.milestones,
      step: req.step,
      window: req.window,
      provinceCode: req.provinceCode,
    });
    const alarms = planAlarms(req.spec, due, this.calculator.calendarFor(req.provinceCode), req.now);
    return { dueDate: due.dueDate, dueAt: due.dueAt, alarms, firstAlarmAt: alarms[0] ? new Date(alarms[0].at) : null };
  }
}
