import type { EntityManager } from '@mikro-orm/postgresql';
import { MigrateCasesBody, type Actor } from '@rasoat/contracts';
import { startCase, type CaseSnapshot } from '@rasoat/workflow-core';
import { AuthException } from '../auth';
import { CampaignNotFoundException } from '../campaigns';
import type { DeadlineCalculator, DeadlineScheduler, TimersProducer } from '../deadlines';
import type { DefinitionRegistry } from '../definitions';
import { ManualClock } from '../infrastructure';
import type { CaseChanges } from './case-changes';
import type { CaseEffectWriter } from './case-effect-writer';
import type { CaseMigrationRepository, MigrationCaseRow } from './case-migration.repository';
import { CaseMigrationService } from './case-migration.service';
import { CaseMigrationInvalidException } from './cases.exception';
import { compileYaml, FIXTURE_KEY, FIXTURE_YAML, fixtureReview } from './review-definition.fixture';

const NOW = new Date('2026-09-15T02:00:00Z');
const CAMPAIGN = '00000000-0000-4000-8000-000000000099';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const admin: Actor = { sub: 'admin@T1', role: 'province_admin', unit: 'T1' };
const TARGET_KEY = 'fixture-review@2';
// Version 2 renames the meeting step.
const target = compileYaml(
  FIXTURE_YAML.replace('version: 1', 'version: 2').replace(/\bmeeting\b(?!-)/g, 'village_meeting'),
);
const other = compileYaml(FIXTURE_YAML.replace('id: fixture-review', 'id: other-review'));

const started = startCase(fixtureReview, NOW).snapshot;
const at = (step: string, status: CaseSnapshot['status'] = 'active'): CaseSnapshot => ({ ...started, step, status });
const caseRow = (n: number, snapshot: CaseSnapshot, fields: Partial<MigrationCaseRow> = {}): MigrationCaseRow => ({
  id: id(n),
  village_code: `T1C1V${n}`,
  commune_code: 'T1C1',
  unit_path: `/T1/T1C1/T1C1V${n}/`,
  definition_key: FIXTURE_KEY,
  step: snapshot.step,
  status: snapshot.status,
  max_stage: 2,
  snapshot,
  accepted_seq: 3,
  applied_seq: 3,
  ...fields,
});

/** The service over a mocked repository and writer; `rows` are the campaign's cases. */
function setup(rows: MigrationCaseRow[]) {
  const written: CaseChanges[] = [];
  const migrations: jest.Mocked<Pick<CaseMigrationRepository, keyof CaseMigrationRepository>> = {
    findCampaign: jest.fn().mockResolvedValue({
      id: CAMPAIGN,
      province_code: 'T1',
      definition_id: 'fixture-review',
      definition_key: FIXTURE_KEY,
      window_start: '2026-09-01',
      window_end: '2026-11-30',
      path: '/T1/',
    }),
    casesOf: jest.fn().mockResolvedValue(rows),
    lockCase: jest.fn(
      async (_tx: EntityManager, caseId: string) => rows.find((r) => r.id === caseId) as MigrationCaseRow,
    ),
    openDeadlines: jest.fn().mockResolvedValue([]),
    moveDeadline: jest.fn().mockResolvedValue(undefined),
    saveMigratedCase: jest.fn().mockResolvedValue(undefined),
    pinCampaign: jest.fn().mockResolvedValue(undefined),
    insertAudit: jest.fn().mockResolvedValue(undefined),
  };
  const effects = { write: jest.fn(async (_tx: EntityManager, changes: CaseChanges) => void written.push(changes)) };
  const em = {
    fork: () => em,
    transactional: jest.fn(async (work: (tx: EntityManager) => Promise<unknown>) => work({} as EntityManager)),
  };
  const registry = {
    get: jest.fn(async (key: string) =>
      key === TARGET_KEY ? target : key === 'other-review@1' ? other : fixtureReview,
    ),
  };
  const scheduler = {
    plan: jest.fn(() => ({
      dueDate: '2026-11-30',
      dueAt: new Date('2026-11-30T16:59:59.999Z'),
      alarms: [],
      firstAlarmAt: null,
    })),
  };
  const timers = { wakeAt: jest.fn().mockResolvedValue(undefined) };
  const service = new CaseMigrationService(
    em as unknown as EntityManager,
    registry as unknown as DefinitionRegistry,
    migrations as unknown as CaseMigrationRepository,
    effects as unknown as CaseEffectWriter,
    {} as DeadlineCalculator,
    scheduler as unknown as DeadlineScheduler,
    timers as unknown as TimersProducer,
    new ManualClock(NOW),
  );
  return { service, migrations, effects, em, written, registry };
}

const body = (fields: Partial<MigrateCasesBody> = {}) =>
  MigrateCasesBody.parse({ campaignId: CAMPAIGN, to: TARGET_KEY, mapping: { meeting: 'village_meeting' }, ...fields });

describe('CaseMigrationService', () => {
  it('plans each case in a dry run, writing nothing: moves, where it is already, or why it is blocked', async () => {
    const { service, em, migrations } = setup([
      caseRow(1, at('meeting')),
      caseRow(2, at('listing')),
      caseRow(3, at('done', 'done')),
      caseRow(4, at('meeting'), { accepted_seq: 5 }),
      caseRow(5, at('meeting'), { definition_key: TARGET_KEY }),
    ]);

    const report = await service.migrate(body(), admin);

    expect(report.cases.map((c) => [c.villageCode, c.outcome, c.toStep])).toEqual([
      ['T1C1V1', 'would-move', 'village_meeting'],
      ['T1C1V2', 'would-move', 'listing'],
      ['T1C1V3', 'blocked', null],
      ['T1C1V4', 'blocked', null],
      ['T1C1V5', 'already-there', 'meeting'],
    ]);
    expect(report.cases[3].reason).toContain('2 sự kiện chờ xử lý');
    expect(report.totals).toEqual({ 'would-move': 2, moved: 0, blocked: 2, 'already-there': 1 });
    expect(em.transactional).not.toHaveBeenCalled();
    expect(migrations.insertAudit).not.toHaveBeenCalled();
  });

  it('blocks a step with no mapping that the target lacks, and a mapping into a final step', async () => {
    const { service } = setup([caseRow(1, at('meeting')), caseRow(2, at('listing'))]);
    const report = await service.migrate(body({ mapping: { listing: 'done' } }), admin);
    expect(report.cases.map((c) => [c.outcome, c.toStep])).toEqual([
      ['blocked', null],
      ['blocked', 'done'],
    ]);
  });

  it('refuses what cannot be planned: an unknown campaign (404), a non-admin or another province (403), another process or a mapping into nothing (400)', async () => {
    const { service, migrations } = setup([]);
    await expect(service.migrate(body(), { ...admin, role: 'province_committee' })).rejects.toBeInstanceOf(
      AuthException,
    );
    await expect(service.migrate(body(), { ...admin, unit: 'T2' })).rejects.toBeInstanceOf(AuthException);
    await expect(service.migrate(body({ to: 'other-review@1' }), admin)).rejects.toMatchObject({
      code: 'MIGRATION_INVALID',
      details: { field: 'to' },
    });
    await expect(service.migrate(body({ mapping: { meeting: 'nowhere' } }), admin)).rejects.toBeInstanceOf(
      CaseMigrationInvalidException,
    );
    migrations.findCampaign.mockResolvedValueOnce(undefined);
    await expect(service.migrate(body(), admin)).rejects.toBeInstanceOf(CampaignNotFoundException);
  });

  it('refuses (400, field "to") a target version the campaign could not start on: moving re-pins the campaign', async () => {
    const ended = compileYaml(
      FIXTURE_YAML.replace('version: 1', 'version: 3\neffectiveTo: 2025-06-30').replace(
        /\bmeeting\b(?!-)/g,
        'village_meeting',
      ),
    );
    const { service, migrations, em, registry } = setup([caseRow(1, at('meeting'))]);
    registry.get.mockImplementation(async (key: string) => (key === 'fixture-review@3' ? ended : fixtureReview));
    const refused = service.migrate(body({ to: 'fixture-review@3', dryRun: false }), admin);
    await expect(refused).rejects.toMatchObject({ code: 'MIGRATION_INVALID', details: { field: 'to' } });
    await expect(refused).rejects.toThrow(
      'to: fixture-review@3 chỉ áp dụng cho đợt rà soát bắt đầu đến hết ngày 30/06/2025; đợt này bắt đầu ngày 01/09/2026',
    );
    expect(em.transactional).not.toHaveBeenCalled();
    expect(migrations.casesOf).not.toHaveBeenCalled();
  });

  it('moves each case in its own transaction under its lock: mapped snapshot, a `migrated` history entry, counters; then re-pins the campaign and audits', async () => {
    const { service, migrations, written } = setup([caseRow(1, at('meeting'))]);

    const report = await service.migrate(body({ dryRun: false, deadlines: 'recompute' }), admin);

    expect(report.cases.map((c) => c.outcome)).toEqual(['moved']);
    expect(migrations.lockCase).toHaveBeenCalledWith(expect.anything(), id(1));
    expect(migrations.saveMigratedCase).toHaveBeenCalledWith(expect.anything(), id(1), {
      definitionKey: TARGET_KEY,
      snapshot: expect.objectContaining({
        step: 'village_meeting',
        status: 'active',
        context: expect.objectContaining({
          milestones: expect.objectContaining({ village_meeting: expect.any(String) }),
        }),
      }),
      step: 'village_meeting',
      maxStage: 2,
      now: NOW,
    });
    const [changes] = written;
    expect(changes.history).toEqual([
      expect.objectContaining({
        caseId: id(1),
        kind: 'migrated',
        actor: admin,
        fromStep: 'meeting',
        toStep: 'village_meeting',
        details: expect.objectContaining({ from: FIXTURE_KEY, to: TARGET_KEY }),
      }),
    ]);
    expect(changes.deadlines).toEqual([expect.objectContaining({ step: 'village_meeting', status: 'armed' })]);
    expect(changes.counters).toEqual(
      new Map([
        [`${CAMPAIGN}|T1C1|meeting`, -1],
        [`${CAMPAIGN}|T1C1|village_meeting`, 1],
      ]),
    );
    expect(migrations.pinCampaign).toHaveBeenCalledWith(expect.anything(), CAMPAIGN, TARGET_KEY);
    expect(migrations.insertAudit).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({
        action: 'migrate',
        version: 2,
        provinceCode: 'T1',
        details: expect.objectContaining({ totals: report.totals }),
      }),
    );
  });

  it('re-plans under the lock and leaves a case that moved meanwhile; the campaign keeps its version while any case is blocked', async () => {
    const row = caseRow(1, at('meeting'));
    const { service, migrations } = setup([row]);
    migrations.lockCase.mockResolvedValueOnce({ ...row, accepted_seq: 4 });

    const report = await service.migrate(body({ dryRun: false }), admin);

    expect(report.cases.map((c) => c.outcome)).toEqual(['blocked']);
    expect(migrations.saveMigratedCase).not.toHaveBeenCalled();
    expect(migrations.pinCampaign).not.toHaveBeenCalled();
    expect(migrations.insertAudit).toHaveBeenCalledTimes(1);
  });
});
