import { HouseholdCertificatesService } from './household-certificates.service';
import { CASE_ID, NOW, TX, actor, findAmong, householdRow, householdsFixture } from './households.fixture';

function setup() {
  const fixture = householdsFixture('reporting', { households_locked_at: '2026-11-20T03:00:00.000Z' });
  return { ...fixture, service: new HouseholdCertificatesService(fixture.households, fixture.cases) };
}

describe('HouseholdCertificatesService', () => {
  it('records the number of a poor household once the lists are locked', async () => {
    const { service, repository, history } = setup();
    findAmong(repository, householdRow('H01', { classification: 'poor' }));
    expect(
      (await service.certify(CASE_ID, 'H01', actor('commune_chairman', 'T1C1'), { number: 'GCN-01' })).changed,
    ).toBe(true);
    expect(repository.certificateHolder).toHaveBeenCalledWith(TX, CASE_ID, 'GCN-01', 'id-H01');
    expect(repository.writeCertificate).toHaveBeenCalledWith(TX, 'id-H01', 'GCN-01', NOW);
    expect(history()).toEqual([
      {
        operation: 'certify',
        code: 'H01',
        classification: 'poor',
        replaced: false,
        summary: 'Ghi giấy chứng nhận hộ nghèo cho hộ H01',
      },
    ]);
  });

  it('records a replaced number of a near-poor household', async () => {
    const { service, repository, history } = setup();
    findAmong(repository, householdRow('H02', { classification: 'near_poor', certificate_number: 'GCN-01' }));
    await service.certify(CASE_ID, 'H02', actor('commune_committee', 'T1C1'), { number: 'GCN-02' });
    expect(history()).toEqual([
      {
        operation: 'certify',
        code: 'H02',
        classification: 'near_poor',
        replaced: true,
        summary: 'Ghi giấy chứng nhận hộ cận nghèo cho hộ H02',
      },
    ]);
  });

  it('changes nothing when the same number comes again', async () => {
    const { service, repository } = setup();
    findAmong(repository, householdRow('H01', { classification: 'poor', certificate_number: 'GCN-01' }));
    expect(
      await service.certify(CASE_ID, 'H01', actor('commune_committee', 'T1C1'), { number: 'GCN-01' }),
    ).toMatchObject({ changed: false, household: { certificateNumber: 'GCN-01' } });
    expect(repository.writeCertificate).not.toHaveBeenCalled();
    expect(repository.insertHistory).not.toHaveBeenCalled();
  });

  it.each([['average'], ['not_poor'], [null]])(
    'refuses a certificate for a household classified %s',
    async (classification) => {
      const { service, repository } = setup();
      findAmong(repository, householdRow('H03', { classification: classification as 'average' | null }));
      await expect(
        service.certify(CASE_ID, 'H03', actor('commune_committee', 'T1C1'), { number: 'GCN-03' }),
      ).rejects.toMatchObject({
        kind: 'conflict',
        code: 'HOUSEHOLD_NOT_CERTIFIABLE',
        details: { code: 'H03', classification },
      });
      expect(repository.writeCertificate).not.toHaveBeenCalled();
    },
  );

  it('refuses a number another household of the case holds', async () => {
    const { service, repository } = setup();
    findAmong(repository, householdRow('H01', { classification: 'poor' }));
    repository.certificateHolder.mockResolvedValue('H02');
    await expect(
      service.certify(CASE_ID, 'H01', actor('commune_committee', 'T1C1'), { number: 'GCN-02' }),
    ).rejects.toMatchObject({ kind: 'conflict', code: 'CERTIFICATE_NUMBER_USED', details: { code: 'H02' } });
    expect(repository.writeCertificate).not.toHaveBeenCalled();
  });

  it('refuses a certificate before recognition, naming the step', async () => {
    const fixture = householdsFixture('posting');
    const service = new HouseholdCertificatesService(fixture.households, fixture.cases);
    await expect(
      service.certify(CASE_ID, 'H01', actor('commune_committee', 'T1C1'), { number: 'GCN-01' }),
    ).rejects.toMatchObject({
      code: 'HOUSEHOLD_OPERATION_CLOSED',
      details: { operation: 'certify', steps: ['posting'] },
    });
  });
});
