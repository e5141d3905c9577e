import type { Actor } from '@rasoat/contracts';
import { loadCatalog } from '@rasoat/definition-catalog';
import { emptyCaseContext, type CaseSnapshot } from '@rasoat/workflow-core';
import { assertHouseholdOperation, openOperations } from './household-access';
import {
  HouseholdOperationClosedException,
  HouseholdRoleNotAllowedException,
  HouseholdsLockedException,
} from './households.exception';

const compiled = loadCatalog().get('periodic-review@2')!.compiled;
const at = (step: string, lockedAt: Date | null = null) => ({
  compiled,
  lockedAt,
  snapshot: { step, status: 'active', context: emptyCaseContext() } as CaseSnapshot,
});
const actor = (role: string): Actor => ({ sub: role, role: role as Actor['role'], unit: 'T1C1V1' });

describe('household operations per step (periodic-review@2)', () => {
  it.each([
    ['listing', ['import', 'edit'], false],
    ['survey', ['survey', 'edit'], false],
    ['meeting', ['vote'], false],
    ['posting', ['complain'], false],
    ['recheck', ['recheck', 'survey'], false],
    ['commune_report', [], false],
    ['recognition', [], false],
    ['reporting', ['certify'], true],
    ['completed', [], true],
  ])('%s opens %j (locked: %s)', (step, operations, locked) => {
    expect(openOperations(at(step))).toEqual({ operations, locked });
  });

  it('keeps the lists locked once recognised, whatever the step says', () => {
    expect(openOperations(at('survey', new Date()))).toEqual({ operations: [], locked: true });
  });

  it('lets an open operation through for a role that may do it', () => {
    expect(() => assertHouseholdOperation(at('survey'), 'survey', actor('surveyor'))).not.toThrow();
    expect(() => assertHouseholdOperation(at('reporting'), 'certify', actor('commune_chairman'))).not.toThrow();
  });

  it('names the step and what is open when the step does not allow the operation', () => {
    let error: unknown;
    try {
      assertHouseholdOperation(at('posting'), 'survey', actor('surveyor'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HouseholdOperationClosedException);
    expect((error as Error).message).toBe(
      "Bước 'Bước 4: Niêm yết công khai' không cho phép 'survey' (ghi kết quả rà soát (chấm điểm)); đang mở: complain / the step posting does not allow survey; open: complain",
    );
    expect((error as HouseholdOperationClosedException).kind).toBe('conflict');
  });

  it('refuses every change but certificates once locked, with the regular-review message', () => {
    expect(() => assertHouseholdOperation(at('reporting'), 'edit', actor('village_board'))).toThrow(
      HouseholdsLockedException,
    );
    expect(() => assertHouseholdOperation(at('reporting'), 'vote', actor('village_board'))).toThrow(
      /lists recognised and locked; changes go through the regular in-year review/,
    );
    expect(() => assertHouseholdOperation(at('completed'), 'certify', actor('commune_committee'))).toThrow(
      HouseholdOperationClosedException,
    );
  });

  it('refuses a role that may not carry out the operation (403), before looking at the step', () => {
    expect(() => assertHouseholdOperation(at('meeting'), 'vote', actor('surveyor'))).toThrow(
      HouseholdRoleNotAllowedException,
    );
    expect(() => assertHouseholdOperation(at('listing'), 'import', actor('province_committee'))).toThrow(
      /role province_committee may not import/,
    );
  });
});
