import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import type { Area, RuleSet } from '@rasoat/poverty-rules';
import {
  CaseSnapshotSchema,
  type CaseSnapshot,
  type CompiledDefinition,
  type HouseholdOperation,
} from '@rasoat/workflow-core';
import { assertInScope, seesPersonalData } from '../auth';
import { CaseNotFoundException } from '../cases';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { UnitAreas } from '../units';
import { assertHouseholdOperation, type CaseAccessState } from './household-access';
import { classifyAnswers, type StoredClassification, type SurveyAnswers } from './household-classification';
import { HouseholdRuleSets } from './household-rule-sets';
import type { HouseholdRow } from './household-view';
import { HouseholdInvalidException, HouseholdNotFoundException } from './households.exception';
import { HouseholdsRepository, type HouseholdCaseRow } from './households.repository';

/** A case loaded for a household operation: its definition, state and who is reading. */
export interface LoadedCase extends CaseAccessState {
  row: HouseholdCaseRow;
  /** The reader may see personal data (village or commune official of this case). */
  personal: boolean;
}

/**
 * What every household operation does around its own decisions: loads the case (under its lock
 * for a change, the same lock the engine takes to apply events, so guards read a consistent
 * list), checks scope, role and the operations the current step opens, writes the `household`
 * history entry, and classifies answers with the case's rules.
 */
@Injectable()
export class HouseholdCaseService {
  constructor(
    private readonly households: HouseholdsRepository,
    private readonly registry: DefinitionRegistry,
    private readonly ruleSets: HouseholdRuleSets,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly areas: UnitAreas,
  ) {}

  /** Loads the case without a lock (scope checked) and runs `work` on the same EntityManager. */
  async read<T>(caseId: string, actor: Actor, work: (em: EntityManager, c: LoadedCase) => Promise<T>): Promise<T> {
    const em = this.households.fork();
    return work(em, await this.load(em, caseId, actor, false));
  }

  /** Refuses early (scope, role, step), without the lock: `change` checks again under it. */
  async precheck(caseId: string, actor: Actor, operation: HouseholdOperation): Promise<LoadedCase> {
    const c = await this.load(this.households.fork(), caseId, actor, false);
    assertHouseholdOperation(c, operation, actor);
    return c;
  }

  /** Loads the case under its lock, checks scope, role and the step, and runs `work` in the same transaction. */
  change<T>(
    caseId: string,
    actor: Actor,
    operation: HouseholdOperation,
    work: (tx: EntityManager, c: LoadedCase, now: Date) => Promise<T>,
  ): Promise<T> {
    return this.households.transaction(async (tx) => {
      const c = await this.load(tx, caseId, actor, true);
      assertHouseholdOperation(c, operation, actor);
      return work(tx, c, this.clock.now());
    });
  }

  /** A `household` history entry: household codes, classes and counts only, never personal data. */
  async history(
    tx: EntityManager,
    c: LoadedCase,
    now: Date,
    actor: Actor,
    operation: HouseholdOperation,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.households.insertHistory(tx, {
      caseId: c.row.id,
      at: now,
      eventType: `household.${operation}`,
      actor,
      step: c.snapshot.step,
      details: { operation, ...details },
    });
  }

  /** The household of the case with this code (404 otherwise). */
  async household(em: EntityManager, caseId: string, code: string): Promise<HouseholdRow> {
    const row = await this.households.findHousehold(em, caseId, code);
    if (!row) throw new HouseholdNotFoundException(caseId, code);
    return row;
  }

  /**
   * The area a household of the case gets when the file, the request or the survey says none: its
   * commune's type's (phường urban, xã rural; `config/units/areas.yaml`). Undefined when the type
   * gives none (a đặc khu, a commune without a type): the area must then be given.
   */
  defaultArea(c: LoadedCase): Area | undefined {
    return this.areas.ofCommuneType(c.row.commune_type).area ?? undefined;
  }

  /** The case's rules when its definition declares a period; none otherwise. */
  ruleSetIfDeclared(c: LoadedCase): RuleSet | undefined {
    const { period } = c.compiled.definition;
    return period === undefined ? undefined : this.ruleSets.forCase(period, c.row.province_code);
  }

  /** Classifies answers with the case's rules; bad answers are a 400 naming each field (after `prefix`). */
  classify(c: LoadedCase, code: string, answers: SurveyAnswers, prefix = ''): StoredClassification {
    const ruleSet = this.ruleSets.forCase(c.compiled.definition.period, c.row.province_code);
    const result = classifyAnswers(ruleSet, code, answers, prefix);
    if (!result.ok) throw new HouseholdInvalidException(result.issues);
    return result.result;
  }

  private async load(em: EntityManager, caseId: string, actor: Actor, lock: boolean): Promise<LoadedCase> {
    const row = await this.households.findCase(em, caseId, lock);
    if (!row) throw new CaseNotFoundException(caseId);
    assertInScope(actor, row.unit_path, `hồ sơ ${caseId}`);
    const compiled: CompiledDefinition = await this.registry.get(row.definition_key, em);
    const snapshot: CaseSnapshot = CaseSnapshotSchema.parse(row.snapshot);
    return {
      row,
      compiled,
      snapshot,
      lockedAt: row.households_locked_at,
      personal: seesPersonalData(actor, { villageCode: row.village_code, communeCode: row.commune_code }),
    };
  }
}
