import type { Actor, UserRole } from '@rasoat/contracts';
import {
  activeStepIds,
  householdAccess,
  stepIndex,
  vi,
  type CaseSnapshot,
  type CompiledDefinition,
  type HouseholdOperation,
} from '@rasoat/workflow-core';
import {
  HouseholdOperationClosedException,
  HouseholdRoleNotAllowedException,
  HouseholdsLockedException,
} from './households.exception';

/**
 * Who may carry out each household operation (besides being in the case's scope and the step
 * having it open). The village board keeps the list and holds the meeting; surveyors record
 * answers; the commune committee receives complaints and re-checks (phúc tra); certificates are
 * issued by the commune after recognition.
 */
export const HOUSEHOLD_OPERATION_ROLES: Readonly<Record<HouseholdOperation, readonly UserRole[]>> = Object.freeze({
  import: ['village_board', 'commune_committee'],
  edit: ['village_board', 'commune_committee'],
  survey: ['surveyor', 'village_board', 'commune_committee'],
  vote: ['village_board'],
  complain: ['village_board', 'commune_committee'],
  recheck: ['commune_committee'],
  certify: ['commune_committee', 'commune_chairman'],
});

/** What the access check needs to know about a case. */
export interface CaseAccessState {
  compiled: CompiledDefinition;
  snapshot: CaseSnapshot;
  /** `review_case.households_locked_at`: set once the case entered a step that locks the lists. */
  lockedAt: Date | string | null;
}

/** The household operations open now and whether the lists are locked (by the step or by an earlier recognition). */
export function openOperations(state: CaseAccessState): { operations: HouseholdOperation[]; locked: boolean } {
  const access = householdAccess(state.compiled, state.snapshot);
  const locked = access.locked || state.lockedAt !== null;
  const operations = [...access.operations].filter((op) => !locked || op === 'certify') as HouseholdOperation[];
  return { operations, locked };
}

/**
 * Refuses an operation the actor's role may not carry out (403), one the lists' lock forbids
 * (409, "changes go through the regular review"), or one the case's current step does not open
 * (409, naming the step and what is open). Scope is checked by the caller first.
 */
export function assertHouseholdOperation(state: CaseAccessState, operation: HouseholdOperation, actor: Actor): void {
  const roles = HOUSEHOLD_OPERATION_ROLES[operation];
  if (!(roles as readonly string[]).includes(actor.role))
    throw new HouseholdRoleNotAllowedException(operation, actor.role, roles);
  const { operations, locked } = openOperations(state);
  if (operations.includes(operation)) return;
  if (locked && operation !== 'certify') throw new HouseholdsLockedException(operation);
  const index = stepIndex(state.compiled.definition);
  const steps = activeStepIds(state.snapshot).map((id) => ({
    id,
    label: index.get(id) ? vi(index.get(id)!.step.label) : id,
  }));
  throw new HouseholdOperationClosedException(operation, steps, operations);
}
