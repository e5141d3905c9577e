// Test fixture of the households services' unit tests: the use cases over a mocked
// HouseholdsRepository (every statement a jest.fn), the real access rules, definition
// (periodic-review@2) and poverty rules (the campaign's lists apply in 2026: 2022–2025 standard),
// and a fixed clock.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import { loadCatalog } from '@rasoat/definition-catalog';
import { emptyCaseContext } from '@rasoat/workflow-core';
import type { DefinitionRegistry } from '../definitions';
import { PovertyStandards } from '../standards';
import { UnitAreas } from '../units';
import { HouseholdCaseService } from './household-case.service';
import type { HouseholdRow } from './household-view';
import type { ComplaintRow, HouseholdCaseRow, HouseholdsRepository } from './households.repository';

export const CASE_ID = '00000000-0000-4000-8000-0000000000c1';
export const NOW = new Date('2026-10-05T03:00:00Z');
/** What `fork()` and `transaction()` hand the use case: the statements are mocked, so only its identity matters. */
export const READ_EM = { name: 'read' } as unknown as EntityManager;
export const TX = { name: 'tx' } as unknown as EntityManager;

/** periodic-review@2, compiled once per test file; the poverty rules read once. */
export const compiled = loadCatalog().get('periodic-review@2')!.compiled;
export const standards = new PovertyStandards();

export const actor = (role: string, unit = 'T1C1V1'): Actor => ({
  sub: `${role}@${unit}`,
  role: role as Actor['role'],
  unit,
});

/** Case T1C1V1 of periodic-review@2 at `step`. */
export function caseRow(step: string, fields: Partial<HouseholdCaseRow> = {}): HouseholdCaseRow {
  return {
    id: CASE_ID,
    unit_path: '/T1/T1C1/T1C1V1/',
    village_code: 'T1C1V1',
    commune_code: 'T1C1',
    definition_key: 'periodic-review@2',
    snapshot: { step, status: 'active', context: emptyCaseContext() },
    households_locked_at: null,
    province_code: 'T1',
    commune_type: null,
    lists_year: 2026,
    rule_set_period: '2022-2025',
    ...fields,
  };
}

/** A listed household, not surveyed, voted or certified. */
export function householdRow(code: string, fields: Partial<HouseholdRow> = {}): HouseholdRow {
  return {
    id: `id-${code}`,
    case_id: CASE_ID,
    code,
    head_name: 'Nguyễn Văn An',
    id_number: '001090012345',
    address: 'Thôn Đông',
    member_count: 4,
    area: 'rural',
    source: 'previous_poor',
    note: null,
    income_per_capita_monthly: null,
    deprivations: null,
    surveyed_at: null,
    surveyed_by: null,
    classification: null,
    explanation: null,
    rule_set: null,
    provincial_classification: null,
    provincial_explanation: null,
    provincial_rule_set: null,
    low_income_workers: null,
    agree_votes: null,
    present_votes: null,
    voted_at: null,
    certificate_number: null,
    created_at: '2026-09-10T03:00:00.000Z',
    updated_at: '2026-09-10T03:00:00.000Z',
    complaints_total: 0,
    complaints_open: 0,
    ...fields,
  };
}

export function complaintRow(code: string, fields: Partial<ComplaintRow> = {}): ComplaintRow {
  return {
    id: `complaint-${code}`,
    case_id: CASE_ID,
    household_code: code,
    summary: 'Gia đình Nguyễn Văn An khó khăn hơn kết quả',
    filed_by: actor('village_board'),
    filed_at: '2026-10-01T03:00:00.000Z',
    status: 'open',
    resolution: null,
    resolved_by: null,
    resolved_at: null,
    ...fields,
  };
}

export type MockHouseholdsRepository = jest.Mocked<Pick<HouseholdsRepository, keyof HouseholdsRepository>>;

/**
 * The repository with every statement mocked (reads answer nothing, writes do nothing), the case
 * at `step`, and the HouseholdCaseService every use case runs through.
 */
export function householdsFixture(step: string, fields: Partial<HouseholdCaseRow> = {}) {
  const repository: MockHouseholdsRepository = {
    fork: jest.fn(() => READ_EM),
    transaction: jest.fn(async (work: (tx: EntityManager) => Promise<unknown>) =>
      work(TX),
    ) as MockHouseholdsRepository['transaction'],
    findCase: jest.fn().mockResolvedValue(caseRow(step, fields)),
    facts: jest.fn(),
    households: jest.fn().mockResolvedValue([]),
    findHousehold: jest.fn().mockResolvedValue(undefined),
    replaceHouseholds: jest.fn(),
    insertHouseholds: jest.fn(),
    updateIdentity: jest.fn(),
    writeSurvey: jest.fn(),
    writeSurveys: jest.fn(),
    writeVotesMany: jest.fn(),
    certificateHolder: jest.fn().mockResolvedValue(undefined),
    writeCertificate: jest.fn(),
    complaints: jest.fn().mockResolvedValue([]),
    findComplaint: jest.fn().mockResolvedValue(undefined),
    findOpenComplaint: jest.fn().mockResolvedValue(undefined),
    insertComplaint: jest.fn(),
    resolveComplaint: jest.fn(),
    insertHistory: jest.fn(),
  };
  const registry = { get: jest.fn(async () => compiled) } as unknown as DefinitionRegistry;
  const cases = new HouseholdCaseService(
    repository as unknown as HouseholdsRepository,
    registry,
    standards,
    { now: () => NOW },
    new UnitAreas(),
  );
  /** The `details` of the history entries written, in order. */
  const history = () => repository.insertHistory.mock.calls.map(([, entry]) => entry.details);
  return { repository, households: repository as unknown as HouseholdsRepository, cases, registry, history };
}

/** The household `findHousehold` returns for its code (case-insensitive), from `rows`. */
export function findAmong(repository: MockHouseholdsRepository, ...rows: HouseholdRow[]): void {
  repository.findHousehold.mockImplementation(async (_em, _caseId, code) =>
    rows.find((row) => row.code.toLowerCase() === code.trim().toLowerCase()),
  );
}
