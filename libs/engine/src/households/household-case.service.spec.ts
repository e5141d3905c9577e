import { CASE_ID, NOW, READ_EM, TX, actor, householdsFixture } from './households.fixture';

describe('HouseholdCaseService', () => {
  it('reads a case without its lock, on a fork of its own, and says who sees personal data', async () => {
    const { repository, cases } = householdsFixture('survey');
    const seen = await cases.read(CASE_ID, actor('village_board'), async (em, c) => ({
      em,
      personal: c.personal,
      step: c.snapshot.step,
    }));
    expect(seen).toEqual({ em: READ_EM, personal: true, step: 'survey' });
    expect(repository.findCase).toHaveBeenCalledWith(READ_EM, CASE_ID, false);
    expect(repository.transaction).not.toHaveBeenCalled();

    // A province official in scope reads the same case, masked.
    expect(await cases.read(CASE_ID, actor('province_committee', 'T1'), async (_em, c) => c.personal)).toBe(false);
  });

  it('refuses a reader outside the case’s unit (403) and an unknown case (404) before any other read', async () => {
    const { repository, cases } = householdsFixture('survey');
    const work = jest.fn();
    await expect(cases.read(CASE_ID, actor('commune_committee', 'T1C2'), work)).rejects.toMatchObject({
      kind: 'forbidden',
      code: 'AUTH_OUT_OF_SCOPE',
    });
    repository.findCase.mockResolvedValueOnce(undefined);
    await expect(cases.read(CASE_ID, actor('village_board'), work)).rejects.toMatchObject({
      kind: 'not_found',
      code: 'CASE_NOT_FOUND',
    });
    expect(work).not.toHaveBeenCalled();
  });

  it('runs a change in one transaction, on the case taken under its lock, at the clock’s time', async () => {
    const { repository, cases } = householdsFixture('survey');
    const work = jest.fn(async () => 'done');
    await expect(cases.change(CASE_ID, actor('surveyor'), 'survey', work)).resolves.toBe('done');
    expect(repository.findCase).toHaveBeenCalledWith(TX, CASE_ID, true);
    expect(work).toHaveBeenCalledWith(
      TX,
      expect.objectContaining({ row: expect.objectContaining({ id: CASE_ID }), personal: true }),
      NOW,
    );
  });

  it('refuses an operation the step does not open with a 409 naming the step and what is open, and runs nothing', async () => {
    const { cases } = householdsFixture('posting');
    const work = jest.fn();
    await expect(cases.change(CASE_ID, actor('surveyor'), 'survey', work)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'HOUSEHOLD_OPERATION_CLOSED',
      details: { operation: 'survey', steps: ['posting'], open: ['complain'] },
    });
    expect(work).not.toHaveBeenCalled();
  });

  it('refuses every change but certificates once the lists are locked, and a role that may not carry out the operation', async () => {
    const locked = householdsFixture('survey', { households_locked_at: '2026-11-01T00:00:00.000Z' });
    await expect(locked.cases.change(CASE_ID, actor('surveyor'), 'survey', jest.fn())).rejects.toMatchObject({
      kind: 'conflict',
      code: 'HOUSEHOLDS_LOCKED',
    });
    const { cases } = householdsFixture('meeting');
    await expect(cases.change(CASE_ID, actor('surveyor'), 'vote', jest.fn())).rejects.toMatchObject({
      kind: 'forbidden',
      code: 'HOUSEHOLD_ROLE_NOT_ALLOWED',
    });
  });

  it('prechecks an operation without the lock', async () => {
    const { repository, cases } = householdsFixture('survey');
    await expect(cases.precheck(CASE_ID, actor('village_board'), 'import')).rejects.toMatchObject({
      code: 'HOUSEHOLD_OPERATION_CLOSED',
    });
    expect(repository.findCase).toHaveBeenCalledWith(READ_EM, CASE_ID, false);
    await expect(cases.precheck(CASE_ID, actor('village_board'), 'edit')).resolves.toMatchObject({
      row: { id: CASE_ID },
    });
  });

  it('writes the history entry of an operation at the case’s step, which it does not move', async () => {
    const { repository, cases } = householdsFixture('survey');
    const by = actor('surveyor');
    await cases.change(CASE_ID, by, 'survey', (tx, c, now) =>
      cases.history(tx, c, now, by, 'survey', { code: 'H01', summary: 'Rà soát hộ H01' }),
    );
    expect(repository.insertHistory).toHaveBeenCalledWith(TX, {
      caseId: CASE_ID,
      at: NOW,
      eventType: 'household.survey',
      actor: by,
      step: 'survey',
      details: { operation: 'survey', code: 'H01', summary: 'Rà soát hộ H01' },
    });
  });

  it('classifies with the rule set its campaign recorded, storing the class, its explanation and the rule set', async () => {
    const { cases } = householdsFixture('survey');
    const c = await cases.precheck(CASE_ID, actor('surveyor'), 'survey');
    const stored = cases.classify(c, 'H01', {
      area: 'rural',
      incomePerCapitaMonthly: 1_100_000,
      deprivations: ['health_insurance', 'latrine', 'telecom', 'latrine'],
    });
    expect(stored).toMatchObject({
      classification: 'poor',
      ruleSet: '2022-2025',
      deprivations: ['health_insurance', 'latrine', 'telecom'],
    });
    expect(stored.explanation.explanation).toMatchObject({
      incomeLine: 1_500_000,
      income: 1_100_000,
      deprivationCount: 3,
    });
    expect(stored.explanation.reasons.length).toBeGreaterThan(0);
    // Province T1 has no lines of its own: no provincial classification beside the national one.
    expect(stored.provincial).toBeNull();
    expect(cases.rules(c)).toMatchObject({ national: { period: '2022-2025' }, provincial: undefined, listsYear: 2026 });
  });

  it('classifies the lists of 2027 by the 2026–2030 standard: 2,000,000 đồng rural with 3 deprivations is poor there, not in 2026', async () => {
    const answers = {
      area: 'rural' as const,
      incomePerCapitaMonthly: 2_000_000,
      deprivations: ['employment', 'health_insurance', 'latrine'],
    };
    const for2026 = householdsFixture('survey');
    const c2026 = await for2026.cases.precheck(CASE_ID, actor('surveyor'), 'survey');
    expect(for2026.cases.classify(c2026, 'H01', answers)).toMatchObject({
      classification: 'average',
      ruleSet: '2022-2025',
    });
    const for2027 = householdsFixture('survey', { lists_year: 2027, rule_set_period: '2026-2030' });
    const c2027 = await for2027.cases.precheck(CASE_ID, actor('surveyor'), 'survey');
    expect(for2027.cases.classify(c2027, 'H01', answers)).toMatchObject({
      classification: 'poor',
      ruleSet: '2026-2030',
    });
  });

  it('keeps the province’s own classification beside the national one for the years of its lines (Bắc Ninh, lists of 2025)', async () => {
    const { cases } = householdsFixture('survey', { province_code: '24', lists_year: 2025 });
    const c = await cases.precheck(CASE_ID, actor('surveyor'), 'survey');
    const stored = cases.classify(c, 'H01', {
      area: 'rural',
      incomePerCapitaMonthly: 1_600_000,
      deprivations: ['employment', 'nutrition', 'latrine'],
    });
    expect(stored).toMatchObject({
      classification: 'average',
      ruleSet: '2022-2025',
      provincial: { classification: 'poor', ruleSet: '2022-2025+24' },
    });
    expect(stored.provincial?.explanation.explanation).toMatchObject({ province: '24', incomeLine: 1_750_000 });
    // The lists of 2026 are outside the years of Bắc Ninh's 2025 lines: national only.
    const later = householdsFixture('survey', { province_code: '24', lists_year: 2026 });
    const c2026 = await later.cases.precheck(CASE_ID, actor('surveyor'), 'survey');
    expect(
      later.cases.classify(c2026, 'H01', { area: 'rural', incomePerCapitaMonthly: 1_600_000, deprivations: [] })
        .provincial,
    ).toBeNull();
  });

  it('refuses to classify (409) for a campaign that recorded no standard, naming the reason', async () => {
    const { cases } = householdsFixture('survey', { lists_year: null, rule_set_period: null });
    const c = await cases.precheck(CASE_ID, actor('surveyor'), 'survey');
    expect(() => cases.classify(c, 'H01', { area: 'rural', incomePerCapitaMonthly: 1, deprivations: [] })).toThrow(
      expect.objectContaining({ kind: 'conflict', code: 'RULE_SET_UNAVAILABLE' }),
    );
    expect(cases.rulesIfAvailable(c)).toBeUndefined();
  });

  it('bounds the count of low-income workers by the household’s members', async () => {
    const { cases } = householdsFixture('survey');
    const c = await cases.precheck(CASE_ID, actor('surveyor'), 'survey');
    const answers = {
      area: 'rural' as const,
      incomePerCapitaMonthly: 1_100_000,
      deprivations: [],
      lowIncomeWorkers: 2,
    };
    expect(cases.classify(c, 'H01', answers, '', 4)).toMatchObject({
      lowIncomeWorkers: 2,
      explanation: { explanation: { lowIncomeWorkers: { count: 2, incomeLine: 3_000_000 } } },
    });
    expect(() => cases.classify(c, 'H01', { ...answers, lowIncomeWorkers: 5 }, '', 4)).toThrow(
      expect.objectContaining({
        code: 'HOUSEHOLD_INVALID',
        details: { fields: [expect.objectContaining({ field: 'lowIncomeWorkers' })] },
      }),
    );
  });

  it('names each bad answer by its field (after the prefix) and refuses an unknown household (404)', async () => {
    const { cases } = householdsFixture('survey');
    const c = await cases.precheck(CASE_ID, actor('surveyor'), 'survey');
    expect(() =>
      cases.classify(c, 'H01', { area: 'rural', incomePerCapitaMonthly: 1, deprivations: ['car'] }, 'survey.'),
    ).toThrow(
      expect.objectContaining({
        code: 'HOUSEHOLD_INVALID',
        details: { fields: [expect.objectContaining({ field: 'survey.deprivations[0]' })] },
      }),
    );
    await expect(cases.household(TX, CASE_ID, 'H99')).rejects.toMatchObject({
      kind: 'not_found',
      code: 'HOUSEHOLD_NOT_FOUND',
      details: { caseId: CASE_ID, code: 'H99' },
    });
  });
});
