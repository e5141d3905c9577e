import { HouseholdComplaintsService } from './household-complaints.service';
import {
  CASE_ID,
  NOW,
  READ_EM,
  TX,
  actor,
  complaintRow,
  findAmong,
  householdRow,
  householdsFixture,
} from './households.fixture';

const THREE = ['health_insurance', 'latrine', 'telecom'];

function setup(step: string) {
  const fixture = householdsFixture(step);
  return { ...fixture, service: new HouseholdComplaintsService(fixture.households, fixture.cases) };
}

describe('HouseholdComplaintsService', () => {
  describe('reading', () => {
    it('lists the case’s complaints in full for the commune, without free text for an outsider', async () => {
      const resolved = complaintRow('H01', {
        status: 'resolved',
        resolution: { outcome: 'dismissed', note: 'Ông An có xe', survey: undefined },
        resolved_by: actor('commune_committee', 'T1C1'),
        resolved_at: NOW,
      });
      const { service, repository } = setup('recheck');
      repository.complaints.mockResolvedValue([resolved]);
      const [full] = await service.complaints(CASE_ID, actor('commune_committee', 'T1C1'));
      expect(full).toMatchObject({
        householdCode: 'H01',
        summary: resolved.summary,
        status: 'resolved',
        resolution: { outcome: 'dismissed', note: 'Ông An có xe', resurveyed: false },
        resolvedBy: { role: 'commune_committee', unit: 'T1C1' },
      });
      expect(repository.complaints).toHaveBeenCalledWith(READ_EM, CASE_ID);
      const [masked] = await service.complaints(CASE_ID, actor('province_committee', 'T1'));
      expect(masked).toMatchObject({
        summary: null,
        resolution: { note: null },
        filedBy: { role: 'village_board', unit: 'T1C1V1' },
      });
      expect(JSON.stringify(masked)).not.toContain('sub');
    });
  });

  describe('complain', () => {
    it('opens a complaint about the household and records it', async () => {
      const { service, repository, history } = setup('posting');
      findAmong(repository, householdRow('H01'));
      repository.insertComplaint.mockResolvedValue('k1');
      repository.findComplaint.mockResolvedValue(complaintRow('H01', { id: 'k1' }));
      const by = actor('village_board');
      const result = await service.complain(CASE_ID, 'h01', by, { summary: 'Sai thu nhập' });
      expect(result).toMatchObject({ created: true, complaint: { id: 'k1', householdCode: 'H01', status: 'open' } });
      expect(repository.insertComplaint).toHaveBeenCalledWith(TX, CASE_ID, 'H01', 'Sai thu nhập', by, NOW);
      expect(history()).toEqual([
        { operation: 'complain', complaintId: 'k1', code: 'H01', summary: 'Tiếp nhận khiếu nại về hộ H01' },
      ]);
    });

    it('returns the same open complaint instead of a duplicate', async () => {
      const { service, repository } = setup('posting');
      findAmong(repository, householdRow('H01'));
      repository.findOpenComplaint.mockResolvedValue(complaintRow('H01', { id: 'k1', summary: 'Sai thu nhập' }));
      expect(await service.complain(CASE_ID, 'H01', actor('village_board'), { summary: 'Sai thu nhập' })).toMatchObject(
        { created: false, complaint: { id: 'k1' } },
      );
      expect(repository.findOpenComplaint).toHaveBeenCalledWith(TX, CASE_ID, 'H01', 'Sai thu nhập');
      expect(repository.insertComplaint).not.toHaveBeenCalled();
      expect(repository.insertHistory).not.toHaveBeenCalled();
    });

    it('refuses a complaint outside posting and about a household not on the list', async () => {
      await expect(
        setup('meeting').service.complain(CASE_ID, 'H01', actor('village_board'), { summary: 'x' }),
      ).rejects.toMatchObject({ code: 'HOUSEHOLD_OPERATION_CLOSED' });
      await expect(
        setup('posting').service.complain(CASE_ID, 'H09', actor('village_board'), { summary: 'x' }),
      ).rejects.toMatchObject({ code: 'HOUSEHOLD_NOT_FOUND' });
    });
  });

  describe('recheck', () => {
    const commune = actor('commune_committee', 'T1C1');
    const listed = householdRow('H01', {
      surveyed_at: NOW,
      income_per_capita_monthly: '1800000',
      deprivations: THREE,
      classification: 'average',
      explanation: { reasons: ['r'], explanation: {} },
      rule_set: '2022-2025',
    });

    it('resolves with a re-survey: re-classifies the household and keeps the replaced classification with the complaint', async () => {
      const { service, repository, history } = setup('recheck');
      findAmong(repository, listed);
      repository.findComplaint.mockResolvedValue(complaintRow('H01', { id: 'k1' }));
      const result = await service.recheck(CASE_ID, 'k1', commune, {
        outcome: 'upheld',
        note: 'Thu nhập thấp hơn',
        survey: { incomePerCapitaMonthly: 1_000_000, deprivations: [...THREE, 'telecom'] },
      });
      expect(result.changed).toBe(true);
      const [[, id, answers, stored]] = repository.writeSurvey.mock.calls;
      expect([id, answers.deprivations, stored.classification]).toEqual(['id-H01', THREE, 'poor']);
      expect(repository.resolveComplaint).toHaveBeenCalledWith(
        TX,
        'k1',
        {
          outcome: 'upheld',
          note: 'Thu nhập thấp hơn',
          survey: { area: 'rural', incomePerCapitaMonthly: 1_000_000, deprivations: THREE },
          from: 'average',
          to: 'poor',
          previous: {
            classification: 'average',
            explanation: listed.explanation,
            ruleSet: '2022-2025',
            provincial: null,
          },
        },
        commune,
        NOW,
      );
      expect(history()).toEqual([
        {
          operation: 'recheck',
          complaintId: 'k1',
          code: 'H01',
          outcome: 'upheld',
          from: 'average',
          to: 'poor',
          ruleSet: '2022-2025',
          summary: 'Phúc tra khiếu nại về hộ H01: có cơ sở — average → poor',
        },
      ]);
    });

    it('resolves without a survey, leaving the household as it is', async () => {
      const { service, repository, history } = setup('recheck');
      findAmong(repository, listed);
      repository.findComplaint.mockResolvedValue(complaintRow('H01', { id: 'k1' }));
      await service.recheck(CASE_ID, 'k1', commune, { outcome: 'dismissed', note: 'Đúng kết quả' });
      expect(repository.writeSurvey).not.toHaveBeenCalled();
      expect(repository.resolveComplaint).toHaveBeenCalledWith(
        TX,
        'k1',
        { outcome: 'dismissed', note: 'Đúng kết quả' },
        commune,
        NOW,
      );
      expect(history()).toEqual([
        {
          operation: 'recheck',
          complaintId: 'k1',
          code: 'H01',
          outcome: 'dismissed',
          summary: 'Phúc tra khiếu nại về hộ H01: không có cơ sở',
        },
      ]);
    });

    it('returns the same resolution unchanged, and refuses another one for a resolved complaint', async () => {
      const { service, repository } = setup('recheck');
      findAmong(repository, listed);
      repository.findComplaint.mockResolvedValue(
        complaintRow('H01', {
          id: 'k1',
          status: 'resolved',
          resolution: { outcome: 'dismissed', note: 'Đúng kết quả' },
          resolved_by: commune,
          resolved_at: NOW,
        }),
      );
      expect(
        await service.recheck(CASE_ID, 'k1', commune, { outcome: 'dismissed', note: 'Đúng kết quả' }),
      ).toMatchObject({ changed: false, complaint: { status: 'resolved' } });
      await expect(
        service.recheck(CASE_ID, 'k1', commune, { outcome: 'upheld', note: 'Đúng kết quả' }),
      ).rejects.toMatchObject({
        kind: 'conflict',
        code: 'COMPLAINT_ALREADY_RESOLVED',
        details: { complaintId: 'k1', outcome: 'dismissed' },
      });
      expect(repository.resolveComplaint).not.toHaveBeenCalled();
      expect(repository.insertHistory).not.toHaveBeenCalled();
    });

    it('refuses an unknown complaint (404) and a re-check by the village board (403)', async () => {
      await expect(
        setup('recheck').service.recheck(CASE_ID, 'k9', commune, { outcome: 'dismissed', note: 'x' }),
      ).rejects.toMatchObject({ kind: 'not_found', code: 'COMPLAINT_NOT_FOUND' });
      await expect(
        setup('recheck').service.recheck(CASE_ID, 'k1', actor('village_board'), { outcome: 'dismissed', note: 'x' }),
      ).rejects.toMatchObject({ kind: 'forbidden', code: 'HOUSEHOLD_ROLE_NOT_ALLOWED' });
    });
  });
});
