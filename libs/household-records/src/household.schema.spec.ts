import {
  AREA_LABELS,
  HOUSEHOLD_COLUMNS,
  HOUSEHOLD_SOURCE_LABELS,
  HouseholdRecordSchema,
  HouseholdSourceSchema,
  headerLookup,
  labelLookup,
} from './household.schema';
import { foldText } from './text';

const valid = {
  householdCode: 'H1',
  headName: 'Nguyễn Văn An',
  memberCount: 4,
  area: 'rural',
  source: 'previous_poor',
};

function messagesOf(value: unknown): Record<string, string> {
  const result = HouseholdRecordSchema.safeParse(value);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
}

describe('HOUSEHOLD_COLUMNS', () => {
  it('has one column per schema field, in the schema order', () => {
    expect(HOUSEHOLD_COLUMNS.map((column) => column.key)).toEqual(Object.keys(HouseholdRecordSchema.shape));
  });

  it('requires exactly code, head, members, area and source', () => {
    expect(HOUSEHOLD_COLUMNS.filter((column) => column.required).map((column) => column.key)).toEqual([
      'householdCode',
      'headName',
      'memberCount',
      'area',
      'source',
    ]);
  });

  it('has no two headers or labels that fold to the same text', () => {
    expect(() => headerLookup()).not.toThrow();
    expect(() => labelLookup(AREA_LABELS)).not.toThrow();
    expect(() => labelLookup(HOUSEHOLD_SOURCE_LABELS)).not.toThrow();
    expect(Object.keys(HOUSEHOLD_SOURCE_LABELS)).toEqual(HouseholdSourceSchema.options);
  });

  it('matches headers whatever their case, accents, Unicode form or units', () => {
    const lookup = headerLookup();
    expect(lookup.get('MÃ HỘ')).toBe('householdCode');
    expect(lookup.get('ma ho')).toBe('householdCode');
    expect(lookup.get('Mã hộ'.normalize('NFD'))).toBe('householdCode');
    expect(lookup.get(' Họ và tên chủ hộ * ')).toBe('headName');
    expect(lookup.get('Khu vực (Nông thôn/Thành thị)')).toBe('area');
    expect(lookup.get('householdCode')).toBe('householdCode');
    expect(lookup.get('Số nhà')).toBeUndefined();
    expect(foldText('Đường Ưng Ơn')).toBe('duong ung on');
  });
});

describe('HouseholdRecordSchema', () => {
  it('accepts a minimal and a complete record, trimming, normalising and de-duplicating', () => {
    expect(HouseholdRecordSchema.parse(valid)).toEqual(valid);
    expect(
      HouseholdRecordSchema.parse({
        ...valid,
        headName: ' Nguyễn Văn An '.normalize('NFD'),
        idNumber: '001090012345',
        address: 'Thôn Đông',
        incomePerCapitaMonthly: 0,
        deprivations: ['telecom', 'latrine', 'telecom'],
        note: '',
      }),
    ).toEqual({
      ...valid,
      idNumber: '001090012345',
      address: 'Thôn Đông',
      incomePerCapitaMonthly: 0,
      deprivations: ['telecom', 'latrine'],
      note: undefined,
    });
  });

  it.each<[string, Record<string, unknown> | null, Record<string, RegExp>]>([
    [
      'every required field missing',
      {},
      {
        householdCode: /^Bắt buộc/,
        headName: /^Bắt buộc/,
        memberCount: /^Bắt buộc/,
        area: /^Bắt buộc/,
        source: /^Bắt buộc/,
      },
    ],
    ['an empty code', { householdCode: '  ' }, { householdCode: /^Bắt buộc, không được để trống \/ Required/ }],
    ['a name on two lines', { headName: 'Nguyễn\nAn' }, { headName: /^Không được xuống dòng \/ Must be on one line$/ }],
    ['a name too long', { headName: 'a'.repeat(201) }, { headName: /^Dài quá 200 ký tự/ }],
    [
      'an 11-digit ID number',
      { idNumber: '01090012345' },
      { idNumber: /^Số CCCD\/định danh phải gồm đúng 12 chữ số, nhận được "01090012345"/ },
    ],
    ['letters in the ID number', { idNumber: '00109001234X' }, { idNumber: /12 chữ số/ }],
    [
      'no members',
      { memberCount: 0 },
      { memberCount: /^Phải từ 1 trở lên, nhận được 0 \/ Must be at least 1, got 0$/ },
    ],
    [
      'a fractional member count',
      { memberCount: 2.5 },
      { memberCount: /^Phải là số nguyên \/ Must be a whole number$/ },
    ],
    ['an unknown area', { area: 'mountain' }, { area: /^Phải là "rural" hoặc "urban"/ }],
    ['an unknown source', { source: 'transfer' }, { source: /^Phải là previous_poor/ }],
    ['a negative income', { incomePerCapitaMonthly: -1 }, { incomePerCapitaMonthly: /^Không được âm, nhận được -1/ }],
    [
      'a fractional income',
      { incomePerCapitaMonthly: 10.5 },
      { incomePerCapitaMonthly: /^Phải là số nguyên \(đồng\)/ },
    ],
    [
      'a deprivation that is not a code',
      { deprivations: ['Bảo hiểm y tế'] },
      { 'deprivations.0': /^"Bảo hiểm y tế" không phải là mã chỉ số thiếu hụt/ },
    ],
    [
      'an unknown key',
      { village: 'Thôn 3' },
      { '': /^Trường không xác định: village \/ Unknown field\(s\): village$/ },
    ],
    ['not an object', null, { '': /^Phải là một đối tượng hộ gia đình/ }],
  ])('rejects %s with a Vietnamese / English message', (_name, change, expected) => {
    const value = change === null ? null : Object.keys(change).length === 0 ? {} : { ...valid, ...change };
    const messages = messagesOf(value);
    expect(Object.keys(messages).sort()).toEqual(Object.keys(expected).sort());
    for (const [path, pattern] of Object.entries(expected)) expect(messages[path]).toMatch(pattern);
  });
});
