import type { UnitFileColumns, UnitFileRow } from './unit-file';
import { planUnitImport, type ExistingUnit, type UnitImportRules } from './unit-import-plan';

const COLUMNS: UnitFileColumns = {
  code: 'Mã đơn vị',
  name: 'Tên',
  type: 'Loại',
  parent: 'Mã đơn vị cấp trên',
  mergedInto: 'Sáp nhập vào',
};

const unit = (code: string, fields: Partial<ExistingUnit> & Pick<ExistingUnit, 'level' | 'path'>): ExistingUnit => ({
  code,
  name: `Đơn vị ${code}`,
  parentCode: null,
  provinceCode: fields.path.split('/')[1] as string,
  unitType: null,
  source: null,
  retiredAt: null,
  mergedInto: null,
  ...fields,
});

/** Bắc Ninh (24) with two communes of the official list and two villages of an earlier import; Lạng Sơn (20) with one commune. */
const EXISTING = new Map(
  [
    unit('24', { level: 'province', path: '/24/', name: 'Tỉnh Bắc Ninh', unitType: 'Tỉnh', source: 'vn-2026' }),
    unit('07210', {
      level: 'commune',
      path: '/24/07210/',
      parentCode: '24',
      name: 'Phường Bắc Giang',
      unitType: 'Phường',
      source: 'vn-2026',
    }),
    unit('07228', {
      level: 'commune',
      path: '/24/07228/',
      parentCode: '24',
      name: 'Phường Đa Mai',
      unitType: 'Phường',
      source: 'vn-2026',
    }),
    unit('07210001', {
      level: 'village',
      path: '/24/07210/07210001/',
      parentCode: '07210',
      name: 'Tổ dân phố số 1',
      unitType: 'Tổ dân phố',
      source: 'import',
    }),
    unit('07210002', {
      level: 'village',
      path: '/24/07210/07210002/',
      parentCode: '07210',
      name: 'Tổ dân phố số 2',
      unitType: 'Tổ dân phố',
      source: 'import',
    }),
    unit('07228001', {
      level: 'village',
      path: '/24/07228/07228001/',
      parentCode: '07228',
      name: 'Tổ dân phố Đông',
      unitType: 'Tổ dân phố',
      source: 'import',
    }),
    unit('07210009', {
      level: 'village',
      path: '/24/07210/07210009/',
      parentCode: '07210',
      name: 'Tổ dân phố số 9',
      unitType: 'Tổ dân phố',
      source: 'import',
      retiredAt: '2026-11-02T03:00:00.000Z',
      mergedInto: '07210001',
    }),
    unit('20', { level: 'province', path: '/20/', name: 'Tỉnh Lạng Sơn', unitType: 'Tỉnh', source: 'vn-2026' }),
    unit('06325', {
      level: 'commune',
      path: '/20/06325/',
      parentCode: '20',
      name: 'Xã Bắc Sơn',
      unitType: 'Xã',
      source: 'vn-2026',
    }),
  ].map((u) => [u.code, u]),
);

let nextRow = 2;
const village = (code: string, name: string, parentCode: string, fields: Partial<UnitFileRow> = {}): UnitFileRow => ({
  row: nextRow++,
  code,
  name,
  level: 'village',
  unitType: name.startsWith('Thôn') ? 'Thôn' : 'Tổ dân phố',
  parentCode,
  mergedInto: null,
  ...fields,
});

const provinceAdmin24: UnitImportRules = {
  villagesOnly: true,
  inScope: (path) => path.includes('/24/'),
  runningCases: new Map(),
};

describe('planUnitImport', () => {
  beforeEach(() => {
    nextRow = 2;
  });

  it('creates new villages under existing communes, with their paths; a row equal to the database changes nothing', () => {
    const result = planUnitImport(
      [village('07210003', 'Tổ dân phố số 3', '07210'), village('07210001', 'Tổ dân phố số 1', '07210')],
      COLUMNS,
      EXISTING,
      provinceAdmin24,
    );
    expect(result).toEqual({
      ok: true,
      plan: {
        create: [
          {
            code: '07210003',
            name: 'Tổ dân phố số 3',
            level: 'village',
            parentCode: '07210',
            unitType: 'Tổ dân phố',
            path: '/24/07210/07210003/',
            provinceCode: '24',
          },
        ],
        rename: [],
        merge: [],
        unchanged: 1,
      },
    });
  });

  it('renames a village whose name or type differ (a generic type keeps the stored one), and merges one into another of its commune', () => {
    const result = planUnitImport(
      [
        village('07210001', 'Tổ dân phố Trần Phú', '07210'),
        village('07228001', 'Thôn Đông', '07228'),
        village('07210002', 'Tổ dân phố số 2', '07210', { mergedInto: '07210001' }),
      ],
      COLUMNS,
      EXISTING,
      provinceAdmin24,
    );
    expect(result).toEqual({
      ok: true,
      plan: {
        create: [],
        rename: [
          {
            code: '07210001',
            provinceCode: '24',
            before: { name: 'Tổ dân phố số 1', unitType: 'Tổ dân phố' },
            after: { name: 'Tổ dân phố Trần Phú', unitType: 'Tổ dân phố' },
          },
          {
            code: '07228001',
            provinceCode: '24',
            before: { name: 'Tổ dân phố Đông', unitType: 'Tổ dân phố' },
            after: { name: 'Thôn Đông', unitType: 'Thôn' },
          },
        ],
        merge: [
          {
            code: '07210002',
            provinceCode: '24',
            before: { name: 'Tổ dân phố số 2', unitType: 'Tổ dân phố' },
            mergedInto: '07210001',
          },
        ],
        unchanged: 0,
      },
    });
    const generic = planUnitImport(
      [village('07210002', 'Tổ dân phố số 2', '07210', { unitType: null })],
      COLUMNS,
      EXISTING,
      provinceAdmin24,
    );
    expect(generic).toMatchObject({ ok: true, plan: { rename: [], unchanged: 1 } });
  });

  it('takes a merged village named again with the same target as unchanged (a re-import), and refuses its code for anything else', () => {
    expect(
      planUnitImport(
        [village('07210009', 'Tổ dân phố số 9', '07210', { mergedInto: '07210001' })],
        COLUMNS,
        EXISTING,
        provinceAdmin24,
      ),
    ).toMatchObject({ ok: true, plan: { merge: [], unchanged: 1 } });
    expect(
      planUnitImport([village('07210009', 'Tổ dân phố số 9', '07210', { row: 2 })], COLUMNS, EXISTING, provinceAdmin24),
    ).toEqual({
      ok: false,
      outOfScope: false,
      errors: [
        {
          row: 2,
          column: 'Mã đơn vị',
          message:
            '"Tổ dân phố số 9" (07210009) đã sáp nhập vào 07210001 ngày 2026-11-02; không dùng lại mã này / "Tổ dân phố số 9" (07210009) was merged into 07210001 on 2026-11-02; its code cannot be used again',
        },
      ],
    });
  });

  it('refuses, naming row and column: an unknown commune, a parent of the wrong level, a unit that moves, a code of another level', () => {
    const result = planUnitImport(
      [
        village('07299001', 'Thôn Mới', '07299'),
        village('07210005', 'Tổ dân phố số 5', '07210001'),
        village('07228001', 'Tổ dân phố Đông', '07210'),
        village('07228', 'Thôn Đa Mai', '07210'),
      ],
      COLUMNS,
      EXISTING,
      provinceAdmin24,
    );
    expect(result).toEqual({
      ok: false,
      outOfScope: false,
      errors: [
        {
          row: 2,
          column: 'Mã đơn vị cấp trên',
          message: 'không có đơn vị mã "07299" (xã chưa có trong danh mục) / no unit has code "07299"',
        },
        {
          row: 3,
          column: 'Mã đơn vị cấp trên',
          message:
            '"07210001" là đơn vị cấp thôn; thôn phải thuộc cấp xã / "07210001" is a village; a village belongs to a commune',
        },
        {
          row: 4,
          column: 'Mã đơn vị cấp trên',
          message: expect.stringMatching(
            /^"Tổ dân phố Đông" \(07228001\) thuộc 07228, không thuộc 07210; chưa hỗ trợ chuyển/,
          ),
        },
        {
          row: 5,
          column: 'Mã đơn vị',
          message: 'mã "07228" đã là xã "Phường Đa Mai" / code "07228" is already the commune "Phường Đa Mai"',
        },
      ],
    });
  });

  it('refuses a village under a commune of another province than the uploader’s, as out of scope', () => {
    expect(planUnitImport([village('06325001', 'Thôn Nà Lầu', '06325')], COLUMNS, EXISTING, provinceAdmin24)).toEqual({
      ok: false,
      outOfScope: true,
      errors: [
        {
          row: 2,
          column: 'Mã đơn vị cấp trên',
          message: '06325 thuộc tỉnh 20, ngoài đơn vị của bạn / 06325 is in province 20, outside your unit',
        },
      ],
    });
  });

  it('refuses merges: of a village that does not exist, into one that does not exist, is retired, is merged by the same file or is in another commune, and of a village with a running case', () => {
    const result = planUnitImport(
      [
        village('07210077', 'Tổ dân phố số 77', '07210', { mergedInto: '07210001' }),
        village('07210001', 'Tổ dân phố số 1', '07210', { mergedInto: '07210088' }),
        village('07210002', 'Tổ dân phố số 2', '07210', { mergedInto: '07210009' }),
        village('07228001', 'Tổ dân phố Đông', '07228', { mergedInto: '07210002' }),
      ],
      COLUMNS,
      EXISTING,
      provinceAdmin24,
    );
    expect(result.ok === false && result.errors.map((e) => [e.row, e.column, e.message.split(' / ')[1]])).toEqual([
      [2, 'Sáp nhập vào', 'village "07210077" does not exist, so it cannot merge'],
      [3, 'Sáp nhập vào', 'no village has code "07210088"'],
      [4, 'Sáp nhập vào', '"07210009" was itself merged into 07210001; merge into a village in use'],
      [5, 'Sáp nhập vào', '"07210002" is merged by this file too (row 4)'],
    ]);
    const otherCommune = planUnitImport(
      [village('07228001', 'Tổ dân phố Đông', '07228', { mergedInto: '07210002' })],
      COLUMNS,
      EXISTING,
      provinceAdmin24,
    );
    expect(otherCommune.ok === false && otherCommune.errors[0]?.message).toMatch(
      /^"07210002" thuộc xã 07210, còn "Tổ dân phố Đông" thuộc xã 07228; chỉ sáp nhập thôn trong cùng một xã/,
    );
    const running = planUnitImport(
      [village('07210002', 'Tổ dân phố số 2', '07210', { row: 2, mergedInto: '07210001' })],
      COLUMNS,
      EXISTING,
      { ...provinceAdmin24, runningCases: new Map([['07210002', 2026]]) },
    );
    expect(running).toEqual({
      ok: false,
      outOfScope: false,
      errors: [
        {
          row: 2,
          column: 'Sáp nhập vào',
          message:
            '"Tổ dân phố số 2" (07210002) còn hồ sơ rà soát năm 2026 chưa kết thúc; sáp nhập sau khi hồ sơ kết thúc / "Tổ dân phố số 2" (07210002) has a case of the 2026 review still running; merge it once that case is done',
        },
      ],
    });
  });

  it('merges into a village the same file creates', () => {
    const result = planUnitImport(
      [
        village('07210002', 'Tổ dân phố số 2', '07210', { mergedInto: '07210010' }),
        village('07210010', 'Tổ dân phố Hòa Bình', '07210'),
      ],
      COLUMNS,
      EXISTING,
      provinceAdmin24,
    );
    expect(result).toMatchObject({
      ok: true,
      plan: { create: [{ code: '07210010' }], merge: [{ code: '07210002', mergedInto: '07210010' }] },
    });
  });

  it('takes villages only through the API, and any level from the operator; the national list’s units are never changed', () => {
    const commune: UnitFileRow = {
      row: 2,
      code: '07999',
      name: 'Xã Mới',
      level: 'commune',
      unitType: 'Xã',
      parentCode: '24',
      mergedInto: null,
    };
    expect(planUnitImport([commune], COLUMNS, EXISTING, provinceAdmin24)).toMatchObject({
      ok: false,
      errors: [{ row: 2, column: 'Loại', message: expect.stringMatching(/^chỉ nhập được thôn, tổ dân phố, bản, ấp/) }],
    });
    const operator: UnitImportRules = { villagesOnly: false, inScope: () => true, runningCases: new Map() };
    const official = { ...commune, code: '07210', name: 'Bắc Giang', unitType: 'Phường' };
    expect(planUnitImport([commune, official], COLUMNS, EXISTING, operator)).toMatchObject({
      ok: true,
      plan: { create: [{ code: '07999', path: '/24/07999/' }], rename: [], unchanged: 1 },
    });
  });

  it('creates a pre-2025 tree with a district for the operator: province, district, commune and village in one file', () => {
    const operator: UnitImportRules = { villagesOnly: false, inScope: () => true, runningCases: new Map() };
    const rows: UnitFileRow[] = [
      {
        row: 2,
        code: 'H9',
        name: 'Tỉnh Lịch Sử',
        level: 'province',
        unitType: 'Tỉnh',
        parentCode: null,
        mergedInto: null,
      },
      {
        row: 3,
        code: 'H9D1',
        name: 'Huyện Một',
        level: 'district',
        unitType: 'Huyện',
        parentCode: 'H9',
        mergedInto: null,
      },
      {
        row: 4,
        code: 'H9C1',
        name: 'Thị trấn Một',
        level: 'commune',
        unitType: 'Thị trấn',
        parentCode: 'H9D1',
        mergedInto: null,
      },
      {
        row: 5,
        code: 'H9C1V1',
        name: 'Khu phố 1',
        level: 'village',
        unitType: 'Khu phố',
        parentCode: 'H9C1',
        mergedInto: null,
      },
    ];
    const result = planUnitImport(rows, COLUMNS, EXISTING, operator);
    expect(result.ok && result.plan.create.map((u) => u.path)).toEqual([
      '/H9/',
      '/H9/H9D1/',
      '/H9/H9D1/H9C1/',
      '/H9/H9D1/H9C1/H9C1V1/',
    ]);
    // A province admin may not create a province, nor anything outside theirs.
    expect(planUnitImport(rows.slice(3), COLUMNS, EXISTING, provinceAdmin24)).toMatchObject({
      ok: false,
      errors: [{ row: 5, column: 'Mã đơn vị cấp trên', message: expect.stringMatching(/^không có đơn vị mã "H9C1"/) }],
    });
  });
});
