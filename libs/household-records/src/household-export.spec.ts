import { Workbook } from 'exceljs';
import { writeHouseholdFile } from './household-export';
import { parseHouseholdFile } from './household-import';
import { HouseholdRecordsError } from './household-records-error';
import type { HouseholdRecord } from './household.schema';

const HOUSEHOLDS: HouseholdRecord[] = [
  {
    householdCode: 'H001',
    headName: 'Nguyễn Văn An',
    idNumber: '001090012345',
    address: 'Thôn Đông, xã Tân Mỹ',
    memberCount: 4,
    area: 'rural',
    source: 'previous_poor',
    incomePerCapitaMonthly: 1_200_000,
    deprivations: ['health_insurance', 'latrine', 'telecom'],
    note: 'Đề nghị "rà soát" lại;\nđã họp dân',
  },
  { householdCode: '0042', headName: 'Trần Thị Bình', memberCount: 3, area: 'urban', source: 'request' },
  {
    householdCode: 'H003',
    headName: 'Lê Văn Cường',
    memberCount: 1,
    area: 'rural',
    source: 'newly_arising',
    incomePerCapitaMonthly: 0,
    deprivations: [],
  },
  {
    householdCode: 'H004',
    headName: 'Phạm Thị Dung',
    memberCount: 6,
    area: 'urban',
    source: 'previous_near_poor',
    note: '=HYPERLINK("http://x")',
  },
  {
    householdCode: '-5',
    headName: "'-Đặng Văn Em",
    memberCount: 2,
    area: 'rural',
    source: 'newly_arising',
    note: '+84 912 345 678',
  },
];

describe('writeHouseholdFile', () => {
  it.each(['csv', 'xlsx'] as const)('writes %s that parseHouseholdFile reads back identically', async (format) => {
    const content = await writeHouseholdFile(HOUSEHOLDS, format);
    expect(await parseHouseholdFile({ format, content })).toEqual({ ok: true, households: HOUSEHOLDS });
  });

  it('reads back CSV written with ";"', async () => {
    const content = await writeHouseholdFile(HOUSEHOLDS, 'csv', { csvDelimiter: ';' });
    expect(content.toString('utf8').split('\r\n')[0]).toContain('Mã hộ;Họ và tên chủ hộ;');
    expect(await parseHouseholdFile({ format: 'csv', content })).toEqual({ ok: true, households: HOUSEHOLDS });
  });

  it('writes CSV as UTF-8 with a BOM, CRLF, Vietnamese headers and labels, and formulas guarded', async () => {
    const text = (await writeHouseholdFile(HOUSEHOLDS, 'csv')).toString('utf8');
    const lines = text.split('\r\n');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(lines[0]).toBe(
      '\uFEFFMã hộ,Họ và tên chủ hộ,Số CCCD/định danh,Địa chỉ,Số nhân khẩu,Khu vực,Nguồn,Thu nhập bình quân (đồng/người/tháng),Các chỉ số thiếu hụt,Ghi chú',
    );
    expect(lines[1]).toBe(
      'H001,Nguyễn Văn An,001090012345,"Thôn Đông, xã Tân Mỹ",4,Nông thôn,Hộ nghèo năm trước,1200000,health_insurance; latrine; telecom,"Đề nghị ""rà soát"" lại;\nđã họp dân"',
    );
    expect(lines[3]).toBe('H003,Lê Văn Cường,,,1,Nông thôn,Phát sinh mới,0,Không,');
    expect(lines[4]).toBe(`H004,Phạm Thị Dung,,,6,Thành thị,Hộ cận nghèo năm trước,,,"'=HYPERLINK(""http://x"")"`);
    expect(lines[5]).toBe(`'-5,''-Đặng Văn Em,,,2,Nông thôn,Phát sinh mới,,,'+84 912 345 678`);
    expect(lines).toHaveLength(HOUSEHOLDS.length + 2);
  });

  it('writes XLSX with text ID numbers and codes, numeric counts and incomes, and a bold frozen header', async () => {
    const workbook = new Workbook();
    await workbook.xlsx.load((await writeHouseholdFile(HOUSEHOLDS, 'xlsx')) as never);
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('Danh sách hộ');
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getCell('A3').value).toBe('0042');
    expect(sheet.getCell('C2').value).toBe('001090012345');
    expect(sheet.getCell('E2').value).toBe(4);
    expect(sheet.getCell('H2').value).toBe(1_200_000);
    expect(sheet.getCell('F3').value).toBe('Thành thị');
    expect(sheet.getCell('J5').value).toBe('=HYPERLINK("http://x")'); // a string cell is never run as a formula
  });

  it('normalises what it writes: trimmed, NFC, each deprivation once', async () => {
    const content = await writeHouseholdFile(
      [
        {
          householdCode: ' H1 ',
          headName: 'Nguyễn Văn An'.normalize('NFD'),
          memberCount: 1,
          area: 'rural',
          source: 'request',
          deprivations: ['telecom', 'telecom'],
          note: ' ',
        },
      ],
      'csv',
    );
    expect(await parseHouseholdFile({ format: 'csv', content })).toEqual({
      ok: true,
      households: [
        {
          householdCode: 'H1',
          headName: 'Nguyễn Văn An',
          memberCount: 1,
          area: 'rural',
          source: 'request',
          deprivations: ['telecom'],
        },
      ],
    });
  });

  it('throws on invalid households, listing every problem by index and field', async () => {
    const invalid = [
      HOUSEHOLDS[0],
      { ...HOUSEHOLDS[1], memberCount: 0, idNumber: '123' },
      { ...HOUSEHOLDS[2], householdCode: 'h001' },
    ];
    const write = writeHouseholdFile(invalid, 'xlsx');
    await expect(write).rejects.toThrow(HouseholdRecordsError);
    await expect(writeHouseholdFile(invalid, 'xlsx')).rejects.toMatchObject({
      code: 'HOUSEHOLD_RECORDS_INVALID_HOUSEHOLDS',
      issues: [
        expect.stringMatching(/^households\[1\]\.idNumber: Số CCCD\/định danh phải gồm đúng 12 chữ số/),
        expect.stringMatching(/^households\[1\]\.memberCount: Phải từ 1 trở lên/),
        'households[2].householdCode: Mã hộ "h001" trùng với households[0] / Household code "h001" repeats households[0]',
      ],
    });
  });

  it.each(['csv', 'xlsx'] as const)('writes an empty %s template that imports as "no household"', async (format) => {
    const content = await writeHouseholdFile([], format);
    expect(await parseHouseholdFile({ format, content })).toEqual({
      ok: false,
      errors: [{ row: 2, message: expect.stringMatching(/^Tệp chỉ có dòng tiêu đề/) }],
    });
  });
});
