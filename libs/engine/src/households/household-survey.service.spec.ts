import { HouseholdSurveyService } from './household-survey.service';
import { CASE_ID, NOW, TX, actor, findAmong, householdRow, householdsFixture } from './households.fixture';

const THREE = ['health_insurance', 'latrine', 'telecom'];

function setup(step: string) {
  const fixture = householdsFixture(step);
  return { ...fixture, service: new HouseholdSurveyService(fixture.households, fixture.cases) };
}

describe('HouseholdSurveyService', () => {
  it('stores the answers with the classification and its explanation, and records the change of class', async () => {
    const { service, repository, history } = setup('survey');
    findAmong(repository, householdRow('H01'));
    const by = actor('surveyor');
    const result = await service.survey(CASE_ID, 'H01', by, {
      incomePerCapitaMonthly: 1_100_000,
      deprivations: [...THREE, 'latrine'],
    });
    expect(result.changed).toBe(true);
    const [[tx, id, answers, stored, who, now]] = repository.writeSurvey.mock.calls;
    expect([tx, id, who, now]).toEqual([TX, 'id-H01', by, NOW]);
    expect(answers).toEqual({
      area: 'rural',
      incomePerCapitaMonthly: 1_100_000,
      deprivations: [...THREE, 'latrine'],
      lowIncomeWorkers: null,
    });
    expect(stored).toMatchObject({ classification: 'poor', ruleSet: '2022-2025', deprivations: THREE });
    expect(stored.explanation.explanation).toMatchObject({
      incomeLine: 1_500_000,
      income: 1_100_000,
      deprivationCount: 3,
      threshold: 3,
    });
    expect(history()).toEqual([
      {
        operation: 'survey',
        code: 'H01',
        from: null,
        to: 'poor',
        ruleSet: '2022-2025',
        summary: 'Rà soát hộ H01: chưa phân loại → poor (chuẩn 2022-2025)',
      },
    ]);
  });

  it('changes nothing when the same answers come again (deprivations compared as a set)', async () => {
    const { service, repository } = setup('survey');
    findAmong(
      repository,
      householdRow('H01', {
        surveyed_at: NOW,
        income_per_capita_monthly: '1100000',
        deprivations: THREE,
        classification: 'poor',
      }),
    );
    const result = await service.survey(CASE_ID, 'H01', actor('surveyor'), {
      incomePerCapitaMonthly: 1_100_000,
      deprivations: ['telecom', 'latrine', 'health_insurance'],
    });
    expect(result).toMatchObject({ changed: false, household: { code: 'H01', classification: 'poor' } });
    expect(repository.writeSurvey).not.toHaveBeenCalled();
    expect(repository.insertHistory).not.toHaveBeenCalled();
  });

  it('names an unknown indicator and writes nothing', async () => {
    const { service, repository } = setup('survey');
    findAmong(repository, householdRow('H01'));
    await expect(
      service.survey(CASE_ID, 'H01', actor('surveyor'), { incomePerCapitaMonthly: 1, deprivations: ['car'] }),
    ).rejects.toMatchObject({
      kind: 'invalid',
      code: 'HOUSEHOLD_INVALID',
      details: { fields: [expect.objectContaining({ field: 'deprivations[0]' })] },
    });
    expect(repository.writeSurvey).not.toHaveBeenCalled();
  });

  it('refuses a survey in a step that does not open it, naming the step', async () => {
    const { service, repository } = setup('meeting');
    await expect(
      service.survey(CASE_ID, 'H01', actor('surveyor'), { incomePerCapitaMonthly: 1, deprivations: [] }),
    ).rejects.toMatchObject({
      code: 'HOUSEHOLD_OPERATION_CLOSED',
      details: { steps: ['meeting'], open: ['vote'] },
    });
    expect(repository.findHousehold).not.toHaveBeenCalled();
  });

  describe('many households at once (surveyMany)', () => {
    it('classifies each, writes them in one statement and records one history entry; unchanged ones are left alone', async () => {
      const { service, repository, history } = setup('survey');
      repository.households.mockResolvedValue([
        householdRow('H01'),
        householdRow('H02', {
          surveyed_at: NOW,
          income_per_capita_monthly: '2500000',
          deprivations: [],
          classification: 'not_poor',
        }),
        householdRow('H03'),
      ]);
      const by = actor('surveyor');
      const result = await service.surveyMany(CASE_ID, by, {
        surveys: [
          { code: 'h01', incomePerCapitaMonthly: 1_100_000, deprivations: THREE },
          { code: 'H02', incomePerCapitaMonthly: 2_500_000, deprivations: [] },
          { code: 'H03', incomePerCapitaMonthly: 1_200_000, deprivations: ['latrine'] },
        ],
      });
      expect(result).toEqual({ recorded: 3, changed: 2, classes: { poor: 1, not_poor: 1, near_poor: 1 } });
      expect(repository.writeSurvey).not.toHaveBeenCalled();
      expect(repository.writeSurveys).toHaveBeenCalledTimes(1);
      const [[tx, items, who, now]] = repository.writeSurveys.mock.calls;
      expect([tx, who, now]).toEqual([TX, by, NOW]);
      expect(items.map((i) => [i.householdId, i.result.classification])).toEqual([
        ['id-H01', 'poor'],
        ['id-H03', 'near_poor'],
      ]);
      expect(history()).toEqual([
        expect.objectContaining({
          operation: 'survey',
          households: [
            { code: 'H01', from: null, to: 'poor' },
            { code: 'H03', from: null, to: 'near_poor' },
          ],
        }),
      ]);
    });

    it('names unknown and repeated codes and writes nothing', async () => {
      const { service, repository } = setup('survey');
      repository.households.mockResolvedValue([householdRow('H01')]);
      await expect(
        service.surveyMany(CASE_ID, actor('surveyor'), {
          surveys: [
            { code: 'H01', incomePerCapitaMonthly: 1, deprivations: [] },
            { code: 'h01', incomePerCapitaMonthly: 1, deprivations: [] },
            { code: 'H09', incomePerCapitaMonthly: 1, deprivations: [] },
          ],
        }),
      ).rejects.toMatchObject({
        code: 'HOUSEHOLD_INVALID',
        details: {
          fields: [
            expect.objectContaining({ field: 'surveys.1.code' }),
            expect.objectContaining({ field: 'surveys.2.code' }),
          ],
        },
      });
      expect(repository.writeSurveys).not.toHaveBeenCalled();
      expect(repository.insertHistory).not.toHaveBeenCalled();
    });

    it('is the survey operation: refused outside the steps that open it', async () => {
      const { service, repository } = setup('meeting');
      await expect(
        service.surveyMany(CASE_ID, actor('surveyor'), {
          surveys: [{ code: 'H01', incomePerCapitaMonthly: 1, deprivations: [] }],
        }),
      ).rejects.toMatchObject({ code: 'HOUSEHOLD_OPERATION_CLOSED' });
      expect(repository.writeSurveys).not.toHaveBeenCalled();
    });
  });
});
