import type { AppConfig } from '@rasoat/config';
import type { HouseholdFacts } from '@rasoat/workflow-core';
import { HouseholdListService } from './household-list.service';
import { CASE_ID, NOW, READ_EM, TX, actor, findAmong, householdRow, householdsFixture } from './households.fixture';

const HEADER =
  'Mã hộ,Họ và tên chủ hộ,Số CCCD/định danh,Địa chỉ,Số nhân khẩu,Khu vực,Nguồn,Thu nhập bình quân (đồng/người/tháng),Các chỉ số thiếu hụt,Ghi chú';
const H01 = 'H01,Nguyễn Văn An,001090012345,Thôn Đông,4,Nông thôn,Hộ nghèo năm trước,,,';
// Surveyed when the list was made: classified on import.
const H02 = 'H02,Vũ Thị Phương,,,1,Nông thôn,Hộ nghèo năm trước,1.100.000,Bảo hiểm y tế; latrine; telecom,';
const csv = (...rows: string[]) => Buffer.from([HEADER, ...rows].join('\r\n'), 'utf8');
const config = { uploads: { householdFile: { maxRows: 10_000, maxExpandedBytes: 50 * 1024 * 1024 } } } as AppConfig;
const FACTS: HouseholdFacts = {
  total: 1,
  surveyed: 0,
  unsurveyed: 1,
  poor: 0,
  nearPoor: 0,
  voted: 0,
  minAgreement: 1,
  belowHalfAgreement: 0,
  complaints: 0,
  openComplaints: 0,
};

function setup(step: string, communeType: string | null = null) {
  const fixture = householdsFixture(step, { commune_type: communeType });
  return { ...fixture, service: new HouseholdListService(fixture.households, fixture.cases, config) };
}

describe('HouseholdListService', () => {
  describe('list and export', () => {
    it('lists the households with the list’s facts and the operations the step opens', async () => {
      const { service, repository } = setup('listing');
      repository.households.mockResolvedValue([householdRow('H01')]);
      repository.facts.mockResolvedValue(FACTS);
      const list = await service.list(CASE_ID, actor('village_board'));
      expect(list).toMatchObject({
        caseId: CASE_ID,
        villageCode: 'T1C1V1',
        step: { id: 'listing' },
        operations: ['import', 'edit'],
        locked: false,
        personalData: 'full',
        facts: FACTS,
      });
      expect(list.households).toEqual([
        expect.objectContaining({
          code: 'H01',
          headName: 'Nguyễn Văn An',
          idNumber: '001090012345',
          address: 'Thôn Đông',
        }),
      ]);
      expect(repository.households).toHaveBeenCalledWith(READ_EM, CASE_ID);
      expect(repository.facts).toHaveBeenCalledWith(READ_EM, CASE_ID);
    });

    it('masks personal data for a reader who is not an official of the village or its commune', async () => {
      const { service, repository } = setup('listing');
      repository.households.mockResolvedValue([householdRow('H01', { note: 'Chủ hộ ốm' })]);
      const list = await service.list(CASE_ID, actor('province_committee', 'T1'));
      expect(list.personalData).toBe('masked');
      expect(list.households[0]).toMatchObject({
        headName: 'N*** V*** A',
        idNumber: '********2345',
        address: null,
        note: null,
      });
    });

    it('exports the import’s columns, without ID numbers, address and note for an outsider', async () => {
      const { service, repository } = setup('listing');
      repository.households.mockResolvedValue([householdRow('H01', { note: 'Chủ hộ ốm' })]);
      const full = await service.exportFile(CASE_ID, actor('commune_committee', 'T1C1'), 'csv');
      expect(full).toMatchObject({ contentType: 'text/csv; charset=utf-8', fileName: 'danh-sach-ho-T1C1V1.csv' });
      expect(full.content.toString('utf8')).toContain('Nguyễn Văn An,001090012345,Thôn Đông');
      const masked = (await service.exportFile(CASE_ID, actor('province_committee', 'T1'), 'csv')).content.toString(
        'utf8',
      );
      expect(masked).toContain('N*** V*** A');
      expect(masked).not.toMatch(/2345|Thôn Đông|ốm/);
    });
  });

  describe('import', () => {
    it('refuses a role that may not import before reading the file', async () => {
      const { service, repository } = setup('listing');
      await expect(
        service.importFile(CASE_ID, actor('surveyor'), { format: 'csv', content: Buffer.from('not a household file') }),
      ).rejects.toMatchObject({ code: 'HOUSEHOLD_ROLE_NOT_ALLOWED' });
      expect(repository.transaction).not.toHaveBeenCalled();
    });

    it('returns every error of a bad file with its row and column, and writes nothing', async () => {
      const { service, repository } = setup('listing');
      const outcome = await service.importFile(CASE_ID, actor('village_board'), {
        format: 'csv',
        content: csv(H01.replace(',4,', ',0,')),
      });
      expect(outcome).toEqual({
        ok: false,
        errors: [{ row: 2, column: 'Số nhân khẩu', message: expect.stringContaining('at least 1') }],
      });
      expect(repository.transaction).not.toHaveBeenCalled();
    });

    it('replaces the list, classifying the rows with survey answers, and records what was added and removed', async () => {
      const { service, repository, history } = setup('listing');
      repository.households.mockResolvedValue([householdRow('H09')]);
      const outcome = await service.importFile(CASE_ID, actor('village_board'), {
        format: 'csv',
        content: csv(H01, H02),
      });
      expect(outcome).toEqual({ ok: true, imported: 2, classified: 1, replaced: 1, unchanged: false });
      const [tx, caseId, items, by, now] = repository.replaceHouseholds.mock.calls[0];
      expect([tx, caseId, by.sub, now]).toEqual([TX, CASE_ID, 'village_board@T1C1V1', NOW]);
      expect(items.map((item) => [item.record.householdCode, item.classification?.classification ?? null])).toEqual([
        ['H01', null],
        ['H02', 'poor'],
      ]);
      expect(history()).toEqual([
        {
          operation: 'import',
          format: 'csv',
          households: 2,
          classified: 1,
          replaced: 1,
          added: ['H01', 'H02'],
          removed: ['H09'],
          summary: 'Nhập danh sách 2 hộ (1 hộ đã phân loại), thay 1 hộ trước đó',
        },
      ]);
    });

    it('changes nothing and writes no history when the file holds the stored list', async () => {
      const { service, repository } = setup('listing');
      repository.households.mockResolvedValue([householdRow('H01')]);
      const outcome = await service.importFile(CASE_ID, actor('village_board'), { format: 'csv', content: csv(H01) });
      expect(outcome).toEqual({ ok: true, imported: 1, classified: 0, replaced: 1, unchanged: true });
      expect(repository.replaceHouseholds).not.toHaveBeenCalled();
      expect(repository.insertHistory).not.toHaveBeenCalled();
    });

    it('refuses an import once the lists are locked', async () => {
      const { service } = setup('reporting');
      await expect(
        service.importFile(CASE_ID, actor('village_board'), { format: 'csv', content: csv(H01) }),
      ).rejects.toMatchObject({ kind: 'conflict', code: 'HOUSEHOLDS_LOCKED' });
    });
  });

  describe('add and edit', () => {
    const withoutArea = {
      code: 'H07',
      headName: 'Đặng Văn Giang',
      memberCount: 3,
      source: 'newly_arising' as const,
    };
    const added = { ...withoutArea, area: 'rural' as const };

    it('adds a household, classified at once when it comes with survey answers', async () => {
      const { service, repository, history } = setup('survey');
      repository.findHousehold
        .mockResolvedValueOnce(undefined)
        .mockResolvedValueOnce(householdRow('H07', { classification: 'poor' }));
      const result = await service.add(CASE_ID, actor('village_board'), {
        ...added,
        incomePerCapitaMonthly: 1_000_000,
        deprivations: ['health_insurance', 'latrine', 'telecom'],
      });
      expect(result).toMatchObject({ changed: true, household: { code: 'H07', classification: 'poor' } });
      const [[, , [item]]] = repository.insertHouseholds.mock.calls;
      expect(item.classification).toMatchObject({ classification: 'poor', ruleSet: '2022-2025' });
      expect(history()).toEqual([
        { operation: 'edit', action: 'add', code: 'H07', to: 'poor', summary: 'Thêm hộ H07 (poor)' },
      ]);
    });

    it('gives a household added without an area its commune’s (phường urban, xã rural), and says which in the list', async () => {
      for (const [type, area] of [
        ['Phường', 'urban'],
        ['Xã', 'rural'],
      ] as const) {
        const { service, repository } = setup('listing', type);
        repository.findHousehold.mockResolvedValueOnce(undefined).mockResolvedValueOnce(householdRow('H07', { area }));
        await service.add(CASE_ID, actor('village_board'), withoutArea);
        const [[, , [item]]] = repository.insertHouseholds.mock.calls;
        expect(item.record.area).toBe(area);
        expect((await service.list(CASE_ID, actor('village_board'))).defaultArea).toBe(area);
        // The request's own area wins.
        repository.findHousehold.mockResolvedValueOnce(undefined).mockResolvedValueOnce(householdRow('H08'));
        await service.add(CASE_ID, actor('village_board'), {
          ...added,
          code: 'H08',
          area: area === 'urban' ? 'rural' : 'urban',
        });
        expect(repository.insertHouseholds.mock.calls[1]?.[2][0]?.record.area).toBe(
          area === 'urban' ? 'rural' : 'urban',
        );
      }
    });

    it('refuses a household without an area in a commune whose type gives none (a đặc khu), naming the field', async () => {
      const { service, repository } = setup('listing', 'Đặc khu');
      await expect(service.add(CASE_ID, actor('village_board'), withoutArea)).rejects.toMatchObject({
        code: 'HOUSEHOLD_INVALID',
        details: {
          fields: [{ field: 'area', message: expect.stringMatching(/^bắt buộc: loại đơn vị của xã \(Đặc khu\)/) }],
        },
      });
      expect(repository.insertHouseholds).not.toHaveBeenCalled();
      expect((await service.list(CASE_ID, actor('village_board'))).defaultArea).toBeNull();
    });

    it('imports a file without "Khu vực" in a phường: every household urban', async () => {
      const { service, repository } = setup('listing', 'Phường');
      const header = HEADER.replace(',Khu vực', '');
      const outcome = await service.importFile(CASE_ID, actor('village_board'), {
        format: 'csv',
        content: Buffer.from([header, H01.replace(',Nông thôn', '')].join('\r\n'), 'utf8'),
      });
      expect(outcome).toMatchObject({ ok: true, imported: 1 });
      const [[, , rows]] = repository.replaceHouseholds.mock.calls;
      expect(rows.map((r) => r.record.area)).toEqual(['urban']);
    });

    it('returns the same household unchanged when added again, and refuses another household under its code', async () => {
      const { service, repository } = setup('listing');
      findAmong(
        repository,
        householdRow('H07', {
          head_name: added.headName,
          id_number: null,
          address: null,
          member_count: 3,
          source: 'newly_arising',
        }),
      );
      expect(await service.add(CASE_ID, actor('village_board'), added)).toMatchObject({
        changed: false,
        household: { code: 'H07' },
      });
      await expect(service.add(CASE_ID, actor('village_board'), { ...added, memberCount: 4 })).rejects.toMatchObject({
        kind: 'conflict',
        code: 'HOUSEHOLD_CODE_EXISTS',
        details: { code: 'H07' },
      });
      expect(repository.insertHouseholds).not.toHaveBeenCalled();
      expect(repository.insertHistory).not.toHaveBeenCalled();
    });

    it('changes nothing when the edit repeats the stored fields', async () => {
      const { service, repository } = setup('listing');
      findAmong(repository, householdRow('H01'));
      expect(
        await service.edit(CASE_ID, 'H01', actor('village_board'), {
          headName: 'Nguyễn Văn An',
          idNumber: undefined,
          address: undefined,
          note: undefined,
        }),
      ).toMatchObject({ changed: false });
      expect(repository.updateIdentity).not.toHaveBeenCalled();
      expect(repository.insertHistory).not.toHaveBeenCalled();
    });

    it('re-classifies a surveyed household whose area changes, naming the fields changed', async () => {
      const { service, repository, history } = setup('survey');
      const surveyed = householdRow('H01', {
        surveyed_at: NOW,
        income_per_capita_monthly: '1800000',
        deprivations: ['health_insurance', 'latrine', 'telecom'],
        classification: 'average',
      });
      findAmong(repository, surveyed);
      const result = await service.edit(CASE_ID, 'h01', actor('commune_committee', 'T1C1'), {
        area: 'urban',
        idNumber: null,
        address: undefined,
        note: undefined,
      });
      expect(result.changed).toBe(true);
      const [[tx, id, next, reclassified]] = repository.updateIdentity.mock.calls;
      expect([tx, id, next.area, next.idNumber, next.headName]).toEqual([TX, 'id-H01', 'urban', null, 'Nguyễn Văn An']);
      expect(reclassified).toMatchObject({ classification: 'poor' });
      expect(history()).toEqual([
        {
          operation: 'edit',
          action: 'edit',
          code: 'H01',
          fields: ['idNumber', 'area'],
          from: 'average',
          to: 'poor',
          summary: 'Sửa hộ H01: idNumber, area — average → poor',
        },
      ]);
    });

    it('refuses an edit of a household not on the list (404)', async () => {
      const { service } = setup('listing');
      await expect(
        service.edit(CASE_ID, 'H99', actor('village_board'), {
          memberCount: 2,
          idNumber: undefined,
          address: undefined,
          note: undefined,
        }),
      ).rejects.toMatchObject({ code: 'HOUSEHOLD_NOT_FOUND' });
    });
  });
});
