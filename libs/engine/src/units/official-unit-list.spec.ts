import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfficialListError, readOfficialList } from './official-unit-list';

describe('readOfficialList', () => {
  it('reads the shipped list: 34 provinces and 3,321 communes with their types, named "<type> <name>", with paths', () => {
    const { units, sha256 } = readOfficialList();
    const provinces = units.filter((u) => u.level === 'province');
    const communes = units.filter((u) => u.level === 'commune');
    expect([provinces.length, communes.length]).toEqual([34, 3321]);
    const types = (list: typeof units) =>
      Object.fromEntries(
        [...new Set(list.map((u) => u.unitType))].map((t) => [t, list.filter((u) => u.unitType === t).length]),
      );
    expect(types(communes)).toEqual({ Xã: 2611, Phường: 697, 'Đặc khu': 13 });
    expect(types(provinces)).toEqual({ 'Thành phố': 7, Tỉnh: 27 });
    expect(units.find((u) => u.code === '07210')).toEqual({
      code: '07210',
      name: 'Phường Bắc Giang',
      level: 'commune',
      parentCode: '24',
      unitType: 'Phường',
      nameEn: 'Bac Giang',
      path: '/24/07210/',
      provinceCode: '24',
    });
    // The file writes this one's full_name in lower case; the name is built from type and name.
    expect(units.find((u) => u.code === '06325')?.name).toBe('Xã Bắc Sơn');
    expect(communes.filter((u) => u.parentCode === '24')).toHaveLength(99);
    expect(sha256).toBe('7ad29c91dac6d40540c21cdac5be184b282c01aeb7ab620e5359fe80cb7f4906');
  });

  it('refuses a list that is not what it should be, naming file, line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rasoat-official-'));
    try {
      const file = join(dir, 'units.csv');
      writeFileSync(
        file,
        'code,level,unit_type,name,full_name,parent_code,name_en\n' +
          '24,province,Tỉnh,Bắc Ninh,Tỉnh Bắc Ninh,,Bac Ninh\n' +
          '0721,commune,Phường,Bắc Giang,Phường Bắc Giang,24,Bac Giang\n' +
          '07228,commune,Thị trấn,Đa Mai,Thị trấn Đa Mai,99,Da Mai\n' +
          '07228,village,Thôn,X,Thôn X,07228,X\n',
      );
      expect(() => readOfficialList(file)).toThrow(OfficialListError);
      try {
        readOfficialList(file);
      } catch (e) {
        expect((e as OfficialListError).issues).toEqual([
          `${file}:3 code: "0721" is not a commune code`,
          `${file}:4 unit_type: "Thị trấn" is not a commune type (Xã, Phường, Đặc khu)`,
          `${file}:4 parent_code: "99" is no province listed above`,
          `${file}:5 level: "village" is neither province nor commune`,
        ]);
      }
      writeFileSync(file, 'ma,cap\n');
      expect(() => readOfficialList(file)).toThrow(
        /:1 the header must be code,level,unit_type,name,full_name,parent_code,name_en/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
