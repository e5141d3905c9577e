import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { activeStepIds, stepIndex, vi, type CaseSnapshot, type ResolvedDeadline } from '@rasoat/workflow-core';
import { CaseAcceptanceService } from './case-acceptance.service';
import { CaseEffectWriter } from './case-effect-writer';
import { CaseEventsProducer } from './case-events.producer';
import { DefinitionRegistry } from '../definitions/definition-registry.service';
import { CLOCK, type Clock } from '../infrastructure/clock';

export type FireOutcome = 'fired' | 'not-due' | 'stale' | 'already-closed' | 'unknown';

interface DeadlineRow {
  id: string;
  case_id: string;
  step: string;
  due_date: string;
  due_at: Date;
  spec: ResolvedDeadline;
  status: string;
}

/**
 * Fires deadlines: marks the row, records it in the case history, sends the step's `onDue`
 * event to the case (e.g. the end of a posting period) or tells the responsible role and
 * the parent unit's committee that the step is overdue. Idempotent by row status.
 */
@Injectable()
export class CaseDeadlinesService {
  private readonly logger = new Logger(CaseDeadlinesService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly inbox: CaseAcceptanceService,
    private readonly effects: CaseEffectWriter,
    private readonly producer: CaseEventsProducer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async fire(deadlineId: string): Promise<FireOutcome> {
    let wake: { caseId: string; seq: number } | undefined;
    const outcome = await this.em.fork().transactional(async (tx): Promise<FireOutcome> => {
      const [ref] = await tx.execute<{ case_id: string }[]>('select case_id from deadline where id = ?', [deadlineId]);
      if (!ref) return 'unknown';
      // Same lock order as the case engine (case, then its deadlines), so the two cannot deadlock.
      const [c] = await tx.execute<{ id: string; step: string; status: string; definition_key: string; unit_path: string; village_code: string; snapshot: CaseSnapshot }[]>(
        'select id, step, status, definition_key, unit_path, village_code, snapshot from review_case where id = ? for update',
        [ref.case_id],
      );
      const [d] = await tx.execute<DeadlineRow[]>('select id, case_id, step, due_date::text as due_date, due_at, spec, status from deadline where id = ? for update', [deadlineId]);
      if (d.status !== 'armed') return 'already-closed';
      const now = this.clock.now();
      if (new Date(d.due_at).getTime() > now.getTime()) return 'not-due';
      if (c.status === 'done' || !activeStepIds(c.snapshot).includes(d.step)) {
        await tx.execute(`update deadline set status = 'cancelled', closed_at = ? where id = ?`, [now, d.id], 'run');
        return 'stale';
      }
      await tx.execute(`update deadline set status = 'fired', closed_at = ? where id = ?`, [now, d.id], 'run');
      await this.effects.history(tx, c.id, now, { kind: 'deadline', actor: SYSTEM_ACTOR, fromStep: d.step, toStep: d.step, details: { deadlineId: d.id, dueDate: d.due_date, onDue: d.spec.onDue ?? null } });

      const compiled = await this.registry.get(c.definition_key);
      if (d.spec.onDue) {
        const receipt = await this.inbox.insert(tx, c.id, d.spec.onDue, {}, SYSTEM_ACTOR, `deadline:${d.id}`);
        wake = { caseId: c.id, seq: receipt.seq };
        return 'fired';
      }
      const step = stepIndex(compiled.definition).get(d.step)?.step ?? compiled.definition.steps[c.step];
      const role = step.role ? compiled.definition.roles[step.role] : undefined;
      const units = await tx.execute<{ code: string; name: string; level: string; depth: number }[]>(
        `select code, name, level, length(path) - length(replace(path, '/', '')) as depth from admin_unit where ? like '%/' || code || '/%' order by depth`,
        [c.unit_path],
      );
      const responsible = units.find((u) => u.level === role?.level) ?? units[units.length - 1];
      const label = vi(step.label);
      await this.effects.notify(tx, {
        dedupeKey: `deadline:${d.id}:overdue`,
        unitCode: responsible.code,
        role: step.role ?? 'village_board',
        template: 'step-overdue',
        title: `Quá hạn: ${label}`,
        body: `Thôn ${c.village_code}: bước "${label}" đã quá hạn ngày ${d.due_date}.`,
        caseId: c.id,
        at: now,
      });
      if (d.spec.escalation) {
        const parent = units[units.indexOf(responsible) - 1];
        if (parent) {
          await this.effects.notify(tx, {
            dedupeKey: `deadline:${d.id}:escalation:1`,
            unitCode: parent.code,
            role: `${parent.level}_committee`,
            template: 'step-escalated',
            title: `Cảnh báo quá hạn: ${label}`,
            body: `${responsible.name}: thôn ${c.village_code} chưa hoàn thành bước "${label}" (hạn ${d.due_date}).`,
            caseId: c.id,
            at: now,
          });
        }
      }
      return 'fired';
    });
    if (wake) await this.producer.wake(wake.caseId, wake.seq);
    return outcome;
  }

  /**
   * The safety net: fires every armed deadline that is due (whatever happened to its queue
   * job) and re-wakes cases whose accepted events have waited too long.
   */
  async sweep(staleEventSeconds: number, limit = 5000): Promise<{ fired: number; woken: number }> {
    const em = this.em.fork();
    const now = this.clock.now();
    const stale = await em.execute<{ case_id: string; seq: number }[]>(
      `select case_id, max(seq) as seq from case_event where status = 'pending' and received_at < ? group by case_id limit ?`,
      [new Date(now.getTime() - staleEventSeconds * 1000), limit],
    );
    await this.producer.wakeMany(stale.map((r) => ({ caseId: r.case_id, seq: Number(r.seq) })));
    const due = await em.execute<{ id: string }[]>(`select id from deadline where status = 'armed' and due_at <= ? order by due_at limit ?`, [now, limit]);
    let fired = 0;
    for (const { id } of due) if ((await this.fire(id)) === 'fired') fired++;
    if (fired > 0 || stale.length > 0) this.logger.log(`sweep: fired ${fired} deadlines, re-woke ${stale.length} cases`);
    return { fired, woken: stale.length };
  }
}
