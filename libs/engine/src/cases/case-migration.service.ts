import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, MigrateCasesBody } from '@rasoat/contracts';
import {
  activeStepIds,
  CaseSnapshotSchema,
  stageOf,
  stepIndex,
  type CaseSnapshot,
  type CompiledDefinition,
  type ResolvedDeadline,
} from '@rasoat/workflow-core';
import { assertInScope, AuthErrorCode, AuthException } from '../auth';
import { CampaignNotFoundException, outsidePeriod } from '../campaigns';
import { DeadlineCalculator, DeadlineScheduler, planAlarms, TimersProducer } from '../deadlines';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { CaseChanges } from './case-changes';
import { CaseEffectWriter } from './case-effect-writer';
import {
  CaseMigrationRepository,
  type MigrationCampaignRow,
  type MigrationCaseRow,
  type OpenDeadlineRow,
} from './case-migration.repository';
import { CaseMigrationInvalidException } from './cases.exception';

/** One case in a migration: where it is, where it would go, or why it cannot move. */
export interface CaseMigrationLine {
  caseId: string;
  villageCode: string;
  fromKey: string;
  fromStep: string;
  toStep: string | null;
  outcome: 'would-move' | 'moved' | 'blocked' | 'already-there';
  reason: string | null;
}

export interface MigrationReport {
  campaignId: string;
  to: string;
  dryRun: boolean;
  deadlines: 'preserve' | 'recompute';
  totals: Record<CaseMigrationLine['outcome'], number>;
  cases: CaseMigrationLine[];
}

/**
 * Moves a campaign's in-flight cases to another version of their definition: an explicit state
 * mapping, a dry run that says per case from → to or why not, then an apply that moves each
 * case atomically under its row lock with a history entry. Remaining deadline time is kept
 * (`preserve`: same due instant) or recomputed from the new version's rule (`recompute`).
 */
@Injectable()
export class CaseMigrationService {
  private readonly logger = new Logger(CaseMigrationService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly migrations: CaseMigrationRepository,
    private readonly effects: CaseEffectWriter,
    private readonly calculator: DeadlineCalculator,
    private readonly scheduler: DeadlineScheduler,
    private readonly timers: TimersProducer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async migrate(body: MigrateCasesBody, actor: Actor): Promise<MigrationReport> {
    const em = this.em.fork();
    const campaign = await this.migrations.findCampaign(em, body.campaignId);
    if (!campaign) throw new CampaignNotFoundException(body.campaignId);
    if (!(actor.role === 'province_admin' || actor.role === 'national_admin')) {
      throw new AuthException(
        'forbidden',
        AuthErrorCode.RoleNotAllowed,
        'Chỉ quản trị tỉnh được chuyển phiên bản / only an admin migrates cases',
      );
    }
    assertInScope(actor, campaign.path, `đợt rà soát của tỉnh ${campaign.province_code}`);
    const target = await this.registry.get(body.to);
    if (target.definition.id !== campaign.definition_id) {
      throw new CaseMigrationInvalidException(
        'to',
        `${body.to} is not a version of "${campaign.definition_id}", the campaign's process`,
      );
    }
    // Moving a campaign re-pins it: the target must be one a campaign starting on its window may pin.
    const outside = outsidePeriod(body.to, target.definition, campaign.window_start);
    if (outside) throw new CaseMigrationInvalidException('to', outside);
    const targetSteps = stepIndex(target.definition);
    for (const [from, to] of Object.entries(body.mapping)) {
      if (!target.definition.steps[to])
        throw new CaseMigrationInvalidException(`mapping.${from}`, `"${to}" is not a top-level step of ${body.to}`);
    }

    const rows = await this.migrations.casesOf(em, campaign.id);
    const sources = new Map<string, CompiledDefinition>();
    for (const key of new Set(rows.map((r) => r.definition_key))) sources.set(key, await this.registry.get(key));

    const lines: CaseMigrationLine[] = [];
    for (const row of rows) {
      const plan = this.plan(row, body, target, targetSteps);
      if (body.dryRun || plan.outcome !== 'would-move') {
        lines.push(plan);
        continue;
      }
      lines.push(
        await this.applyOne(
          row.id,
          plan,
          body,
          target,
          sources.get(row.definition_key) as CompiledDefinition,
          campaign,
          actor,
        ),
      );
    }

    const totals = { 'would-move': 0, moved: 0, blocked: 0, 'already-there': 0 };
    for (const l of lines) totals[l.outcome]++;
    if (!body.dryRun) {
      await em.transactional(async (tx) => {
        if (totals.blocked === 0) await this.migrations.pinCampaign(tx, campaign.id, body.to);
        await this.migrations.insertAudit(tx, {
          at: this.clock.now(),
          action: 'migrate',
          definitionId: target.definition.id,
          version: target.definition.version,
          provinceCode: campaign.province_code,
          actor: { ...actor },
          diff: '',
          details: { campaignId: campaign.id, to: body.to, mapping: body.mapping, deadlines: body.deadlines, totals },
        });
      });
      this.logger.log(
        `campaign ${campaign.id} → ${body.to}: ${totals.moved} moved, ${totals.blocked} blocked, ${totals['already-there']} already there`,
      );
    }
    return {
      campaignId: campaign.id,
      to: body.to,
      dryRun: body.dryRun,
      deadlines: body.deadlines,
      totals,
      cases: lines,
    };
  }

  private plan(
    row: MigrationCaseRow,
    body: MigrateCasesBody,
    target: CompiledDefinition,
    targetSteps: ReturnType<typeof stepIndex>,
  ): CaseMigrationLine {
    const line = { caseId: row.id, villageCode: row.village_code, fromKey: row.definition_key, fromStep: row.step };
    if (row.definition_key === body.to) return { ...line, toStep: row.step, outcome: 'already-there', reason: null };
    if (row.status === 'done')
      return { ...line, toStep: null, outcome: 'blocked', reason: 'hồ sơ đã hoàn thành / the case is completed' };
    if (row.accepted_seq > row.applied_seq) {
      return {
        ...line,
        toStep: null,
        outcome: 'blocked',
        reason: `còn ${row.accepted_seq - row.applied_seq} sự kiện chờ xử lý / events still pending: try again when the queue has drained`,
      };
    }
    const toStep = body.mapping[row.step] ?? (target.definition.steps[row.step] ? row.step : null);
    if (!toStep) {
      return {
        ...line,
        toStep: null,
        outcome: 'blocked',
        reason: `bước "${row.step}" không có trong ${body.to} và chưa được ánh xạ / step "${row.step}" has no mapping and does not exist in ${body.to}`,
      };
    }
    if (!targetSteps.has(toStep) || target.definition.steps[toStep].type === 'final') {
      return {
        ...line,
        toStep,
        outcome: 'blocked',
        reason: `không thể chuyển vào bước kết thúc "${toStep}" / cannot map into a final step`,
      };
    }
    return { ...line, toStep, outcome: 'would-move', reason: null };
  }

  private async applyOne(
    caseId: string,
    plan: CaseMigrationLine,
    body: MigrateCasesBody,
    target: CompiledDefinition,
    source: CompiledDefinition,
    campaign: Pick<MigrationCampaignRow, 'id' | 'province_code' | 'window_start' | 'window_end'>,
    actor: Actor,
  ): Promise<CaseMigrationLine> {
    const wake: Date[] = [];
    const now = this.clock.now();
    const result = await this.em.fork().transactional(async (tx): Promise<CaseMigrationLine> => {
      const row = await this.migrations.lockCase(tx, caseId);
      // Re-plan under the lock: an event may have moved the case since the dry run.
      const again = this.plan(row, body, target, stepIndex(target.definition));
      if (again.outcome !== 'would-move' || again.toStep !== plan.toStep)
        return again.outcome === 'would-move'
          ? { ...again, outcome: 'blocked', reason: 'hồ sơ vừa thay đổi / the case moved meanwhile; run again' }
          : again;
      const toStep = again.toStep as string;
      const current = CaseSnapshotSchema.parse(row.snapshot);
      const next = this.mapSnapshot(current, toStep, target, now);

      // Deadlines: each active step of the new snapshot that has a deadline gets one; the remaining
      // time of the step it came from is kept (preserve) or the new rule is applied (recompute).
      const armed = await this.migrations.openDeadlines(tx, caseId);
      const carried = new Map<string, OpenDeadlineRow>();
      for (const d of armed) carried.set(d.step === current.step ? toStep : d.step, d);
      const deadlineChanges: Record<string, unknown>[] = [];
      const changes = new CaseChanges(now);
      const window = { start: campaign.window_start, end: campaign.window_end };
      for (const stepId of activeStepIds(next)) {
        const spec: ResolvedDeadline | undefined = target.deadlines[stepId];
        const old = carried.get(stepId);
        if (!spec) continue;
        carried.delete(stepId);
        if (old && body.deadlines === 'preserve') {
          // Same due instant; the new version's reminders and escalations, minus what already rang.
          const due = { dueDate: old.due_date, dueAt: new Date(old.due_at) };
          const alarms = planAlarms(spec, due, this.calculator.calendarFor(campaign.province_code), now).filter(
            (a) =>
              new Date(a.at).getTime() > now.getTime() ||
              (old.status === 'armed' && (a.kind === 'due' || a.kind === 'event')),
          );
          const first = alarms[0] ? new Date(alarms[0].at) : null;
          await this.migrations.moveDeadline(tx, old.id, { step: stepId, spec, alarms, nextAlarmAt: first });
          if (first) wake.push(first);
          deadlineChanges.push({ step: stepId, dueDate: old.due_date, mode: 'preserved' });
          continue;
        }
        if (old) changes.close(caseId, old.step);
        const planned = this.scheduler.plan({
          step: stepId,
          spec,
          milestones: next.context.milestones,
          window,
          provinceCode: campaign.province_code,
          now,
        });
        changes.arm(caseId, stepId, spec, planned);
        deadlineChanges.push({
          step: stepId,
          dueDate: planned.dueDate,
          mode: old ? 'recomputed' : 'armed',
          ...(old ? { previousDueDate: old.due_date } : {}),
        });
      }
      for (const d of carried.values()) {
        changes.close(caseId, d.step);
        deadlineChanges.push({ step: d.step, mode: 'closed' });
      }

      const maxStage = Math.max(row.max_stage, stageOf(target, toStep));
      await this.migrations.saveMigratedCase(tx, caseId, {
        definitionKey: body.to,
        snapshot: next,
        step: toStep,
        maxStage,
        now,
      });
      changes.move(campaign.id, row.commune_code, row.step, toStep, row.max_stage, maxStage);
      changes.record(caseId, {
        kind: 'migrated',
        actor,
        fromStep: row.step,
        toStep,
        details: {
          from: row.definition_key,
          to: body.to,
          sourceVersion: source.definition.version,
          deadlines: deadlineChanges,
        },
      });
      await this.effects.write(tx, changes);
      wake.push(...changes.wakeUps());
      return { ...again, outcome: 'moved' };
    });
    if (wake.length > 0) await this.timers.wakeAt(wake, now);
    return result;
  }

  /** The snapshot on the new version: same data, counters and milestones; the mapped step (and its regions). */
  private mapSnapshot(current: CaseSnapshot, toStep: string, target: CompiledDefinition, now: Date): CaseSnapshot {
    const spec = target.definition.steps[toStep];
    const milestones = { ...current.context.milestones };
    milestones[toStep] ??= current.context.milestones[current.step] ?? now.toISOString();
    let regions: Record<string, string> | undefined;
    if (spec.type === 'parallel' && spec.regions) {
      regions = {};
      for (const [region, r] of Object.entries(spec.regions)) {
        const kept = current.regions?.[region];
        regions[region] = kept && r.steps[kept] ? kept : r.initial;
        milestones[regions[region]] ??= now.toISOString();
      }
    }
    return {
      step: toStep,
      ...(regions ? { regions } : {}),
      status: 'active',
      context: { ...current.context, milestones },
    };
  }
}
