import { Workbook } from 'exceljs';
import { parseHouseholdFile, type ImportResult } from './household-import';
import { readXlsxRows, toSheetCell } from './xlsx';

const HEADER = ['Mã hộ', 'Họ và tên chủ hộ', 'Số CCCD', 'Địa chỉ', 'Số nhân khẩu', 'Khu vực', 'Nguồn', 'Thu nhập bình quân (đồng/người/tháng)', 'Các chỉ số thiếu hụt', 'Ghi chú'];

/** Builds an XLSX in memory, the way a user's spreadsheet would hold it. */
async function xlsx(build: (workbook: Workbook) => void): Promise<Buffer> {
  const workbook = new Workbook();
  build(workbook);
  const written: unknown = await workbook.xlsx.writeBuffer();
  return Buffer.from(written as Uint8Array);
}

async function importXlsx(content: Buffer | string): Promise<ImportResult> {
  return parseHouseholdFile({ format: 'xlsx', content, fileName: 'thon-dong.xlsx' });
}

describe('toSheetCell', () => {
  it.each<[string, Parameters<typeof toSheetCell>[0], ReturnType<typeof toSheetCell>]>([
    ['an empty cell', null, { text: '' }],
    ['text', 'Nguyễn Văn An', { text: 'Nguyễn Văn An' }],
    ['a 12-digit number, in full', 123456789012, { text: '123456789012', number: 123456789012 }],
    ['a decimal', 2.5, { text: '2.5', number: 2.5 }],
    ['a boolean', true, { text: 'TRUE' }],
    ['a date', new Date(Date.UTC(2024, 8, 1)), { text: '2024-09-01' }],
    ['rich text', { richText: [{ text: 'Nguyễn ', font: { bold: true } }, { text: 'Văn An' }] }, { text: 'Nguyễn Văn An' }],
    ['a hyperlink', { text: 'Thôn Đông', hyperlink: 'https://example.org' }, { text: 'Thôn Đông' }],
    ['a formula, by its result', { formula: 'SUM(1000000,500000)', result: 1_500_000 }, { text: '1500000', number: 1_500_000 }],
    ['a shared formula, by its result', { sharedFormula: 'H2', result: 'Nông thôn' }, { text: 'Nông thôn' }],
    ['a formula without result', { formula: 'A1' }, { text: '', error: 'formula without result' }],
    ['a formula that failed', { formula: '1/0', result: { error: '#DIV/0!' } }, { text: '#DIV/0!', error: '#DIV/0!' }],
    ['an error value', { error: '#N/A' }, { text: '#N/A', error: '#N/A' }],
  ])('reads %s', (_name, value, expected) => {
    expect(toSheetCell(value)).toEqual(expected);
  });
});

describe('readXlsxRows', () => {
  it('reads the first worksheet in tab order, numbering rows as Excel does', async () => {
    const content = await xlsx((workbook) => {
      const first = workbook.addWorksheet('Danh sách');
      first.getCell('A1').value = 'Mã hộ';
      first.getCell('A4').value = 'H1';
      first.getCell('C4').value = 4;
      workbook.addWorksheet('Khác').getCell('A1').value = 'không đọc';
    });
    expect(await readXlsxRows(content)).toEqual([
      { row: 1, cells: [{ text: 'Mã hộ' }] },
      { row: 4, cells: [{ text: 'H1' }, { text: '' }, { text: '4', number: 4 }] },
    ]);
  });
});

describe('parseHouseholdFile (XLSX)', () => {
  it('reads a good file with numbers, rich text, hyperlinks and formulas', async () => {
    const content = await xlsx((workbook) => {
      const sheet = workbook.addWorksheet('Danh sách hộ');
      sheet.addRow(HEADER);
      sheet.addRow(['H001', 'Nguyễn Văn An', '001090012345', 'Thôn Đông', 4, 'Nông thôn', 'Hộ nghèo năm trước', 1_200_000, 'health_insurance; latrine', null]);
      sheet.addRow([
        101,
        { richText: [{ text: 'Trần Thị ', font: { bold: true } }, { text: 'Bình' }] },
        1_090_012_345, // 001090012345 stored as a number: two leading zeros lost
        { text: 'Tổ 5', hyperlink: 'https://example.org' },
        { formula: '1+2', result: 3 },
        'Thành thị',
        'Có giấy đề nghị',
        { formula: 'SUM(1000000,500000)', result: 1_500_000 },
        'Không',
        'dòng 1\ndòng 2',
      ]);
      sheet.addRow(['H003', 'Lê Văn Cường', 79_185_000_123, null, 2, 'Nông thôn', 'Phát sinh mới', 0, null, null]); // one zero lost
      sheet.addRow(['H004', 'Đỗ Văn Lâm', 123_456_789_012, null, 1, 'Nông thôn', 'Phát sinh mới', null, null, null]); // 12 digits, nothing lost
    });
    expect(await importXlsx(content)).toEqual({
      ok: true,
      households: [
        {
          householdCode: 'H001',
          headName: 'Nguyễn Văn An',
          idNumber: '001090012345',
          address: 'Thôn Đông',
          memberCount: 4,
          area: 'rural',
          source: 'previous_poor',
          incomePerCapitaMonthly: 1_200_000,
          deprivations: ['health_insurance', 'latrine'],
        },
        {
          householdCode: '101',
          headName: 'Trần Thị Bình',
          idNumber: '001090012345',
          address: 'Tổ 5',
          memberCount: 3,
          area: 'urban',
          source: 'request',
          incomePerCapitaMonthly: 1_500_000,
          deprivations: [],
          note: 'dòng 1\ndòng 2',
        },
        { householdCode: 'H003', headName: 'Lê Văn Cường', idNumber: '079185000123', memberCount: 2, area: 'rural', source: 'newly_arising', incomePerCapitaMonthly: 0 },
        { householdCode: 'H004', headName: 'Đỗ Văn Lâm', idNumber: '123456789012', memberCount: 1, area: 'rural', source: 'newly_arising' },
      ],
    });
  });

  it('imports nothing when one row is bad and names every bad cell', async () => {
    const content = await xlsx((workbook) => {
      const sheet = workbook.addWorksheet('Danh sách hộ');
      sheet.addRow(HEADER);
      sheet.addRow(['H1', 'Nguyễn Văn An', null, null, 4, 'Nông thôn', 'Phát sinh mới', 1_500_000, null, null]);
      sheet.addRow([]);
      sheet.addRow([
        'H2',
        { formula: 'VLOOKUP(A4,B:B,1,0)', result: { error: '#N/A' } },
        12_345_678, // too short to be a CCCD that lost its zeros
        null,
        new Date(Date.UTC(2024, 0, 2)), // "2/1" turned into a date by Excel
        'Nông thôn',
        { formula: 'X1' },
        1_500_000.5,
        null,
        null,
      ]);
    });
    expect(await importXlsx(content)).toEqual({
      ok: false,
      errors: [
        { row: 4, column: 'Họ và tên chủ hộ', message: 'Ô có lỗi công thức (#N/A) / The cell holds a formula error (#N/A)' },
        { row: 4, column: 'Số CCCD', message: expect.stringMatching(/^Số CCCD\/định danh phải gồm đúng 12 chữ số, nhận được "12345678"/) },
        { row: 4, column: 'Số nhân khẩu', message: '"2024-01-02" không phải là số / "2024-01-02" is not a number' },
        { row: 4, column: 'Nguồn', message: 'Ô có lỗi công thức (formula without result) / The cell holds a formula error (formula without result)' },
        { row: 4, column: 'Thu nhập bình quân (đồng/người/tháng)', message: 'Phải là số nguyên (đồng) / Must be a whole number of đồng' },
      ],
    });
  });

  it('reports headers and emptiness as for CSV', async () => {
    const headerOnly = await xlsx((workbook) => workbook.addWorksheet('A').addRow(HEADER));
    expect(await importXlsx(headerOnly)).toEqual({ ok: false, errors: [{ row: 2, message: expect.stringMatching(/^Tệp chỉ có dòng tiêu đề/) }] });
    const empty = await xlsx((workbook) => workbook.addWorksheet('A'));
    expect(await importXlsx(empty)).toEqual({ ok: false, errors: [{ row: 1, message: expect.stringMatching(/^Tệp trống/) }] });
    const unknown = await xlsx((workbook) => {
      const sheet = workbook.addWorksheet('A');
      sheet.addRow(['MÃ HỘ', 'Chủ hộ', 'Nhân khẩu', 'khu vuc', 'nguon', 'Dân tộc']);
      sheet.addRow(['H1', 'Nguyễn Văn An', 4, 'nông thôn', 'phát sinh mới', 'Kinh']);
    });
    expect(await importXlsx(unknown)).toEqual({ ok: false, errors: [{ row: 1, column: 'Dân tộc', message: expect.stringMatching(/^Không nhận ra cột "Dân tộc"/) }] });
  });

  it('rejects what is not an XLSX file', async () => {
    expect(await importXlsx('Mã hộ,Họ và tên chủ hộ')).toEqual({ ok: false, errors: [{ row: 1, message: 'Tệp "thon-dong.xlsx" không phải là tệp XLSX / File "thon-dong.xlsx" is not an XLSX file' }] });
    expect(await importXlsx(Buffer.from('Mã hộ,Họ và tên chủ hộ'))).toEqual({ ok: false, errors: [{ row: 1, message: expect.stringMatching(/không phải là tệp XLSX/) }] });
    const corrupt = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 1)]);
    expect(await importXlsx(corrupt)).toEqual({ ok: false, errors: [{ row: 1, message: expect.stringMatching(/^Không đọc được tệp XLSX "thon-dong.xlsx": .+ \/ Cannot read XLSX file/) }] });
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    expect(await importXlsx(xls)).toEqual({ ok: false, errors: [{ row: 1, message: expect.stringMatching(/^Tệp "thon-dong.xlsx" là định dạng Excel 97–2003 \(\.xls\)/) }] });
  });
});
