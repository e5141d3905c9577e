import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import type { Area } from '@rasoat/poverty-rules';
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
import { PovertyStandards, RuleSetUnavailableException, type CampaignRules } from '../standards';
import { UnitAreas } from '../units';
import { assertHouseholdOperation, type CaseAccessState } from './household-access';
import { classifyAnswers, type StoredClassification, type SurveyAnswers } from './household-classification';
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
 * history entry, and classifies answers with the rules of the case's campaign: the national
 * rule set it recorded and, beside it, its province's own lines for the lists year.
 */
@Injectable()
export class HouseholdCaseService {
  constructor(
    private readonly households: HouseholdsRepository,
    private readonly registry: DefinitionRegistry,
    private readonly standards: PovertyStandards,
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

  /** The rules of the case's campaign; `RuleSetUnavailableException` (409) when it recorded none. */
  rules(c: LoadedCase): CampaignRules {
    return this.standards.forCampaign({
      provinceCode: c.row.province_code,
      listsYear: c.row.lists_year,
      ruleSetPeriod: c.row.rule_set_period,
    });
  }

  /** The rules of the case's campaign, or `undefined` when it has none (a list without survey answers needs none). */
  rulesIfAvailable(c: LoadedCase): CampaignRules | undefined {
    try {
      return this.rules(c);
    } catch (error) {
      if (error instanceof RuleSetUnavailableException) return undefined;
      throw error;
    }
  }

  /**
   * Classifies answers with the case's rules (national, and provincial beside it); bad answers are
   * a 400 naming each field (after `prefix`). `memberCount` bounds the count of low-income workers.
   */
  classify(
    c: LoadedCase,
    code: string,
    answers: SurveyAnswers,
    prefix = '',
    memberCount?: number,
  ): StoredClassification {
    const result = classifyAnswers(this.rules(c), code, answers, prefix, memberCount);
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
