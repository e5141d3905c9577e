import { Workbook, type CellValue, type Worksheet } from 'exceljs';
import { parseHouseholdFile, type ImportResult } from './household-import';
import type { SheetCell, SheetRow } from './sheet';
import { DEFAULT_HOUSEHOLD_FILE_LIMITS } from './upload-limits';
import { readXlsxRows, WorksheetReader } from './xlsx';
import { xmlReader } from './xlsx-package';

const HEADER = [
  'Mã hộ',
  'Họ và tên chủ hộ',
  'Số CCCD',
  'Địa chỉ',
  'Số nhân khẩu',
  'Khu vực',
  'Nguồn',
  'Thu nhập bình quân (đồng/người/tháng)',
  'Các chỉ số thiếu hụt',
  'Ghi chú',
];

/** Builds an XLSX in memory, the way a user's spreadsheet would hold it. */
async function xlsx(build: (workbook: Workbook) => void, useSharedStrings = true): Promise<Buffer> {
  const workbook = new Workbook();
  build(workbook);
  const written: unknown = await workbook.xlsx.writeBuffer({ useSharedStrings });
  return Buffer.from(written as Uint8Array);
}

async function importXlsx(content: Buffer | string): Promise<ImportResult> {
  return parseHouseholdFile({ format: 'xlsx', content, fileName: 'thon-dong.xlsx' });
}

describe('readXlsxRows: cell values', () => {
  it.each<[string, CellValue, SheetCell | undefined]>([
    ['an empty cell', null, undefined],
    ['text', 'Nguyễn Văn An', { text: 'Nguyễn Văn An' }],
    ['a 12-digit number, in full', 123456789012, { text: '123456789012', number: 123456789012 }],
    ['a decimal', 2.5, { text: '2.5', number: 2.5 }],
    ['a boolean', true, { text: 'TRUE' }],
    ['a date', new Date(Date.UTC(2024, 8, 1)), { text: '2024-09-01' }],
    ['a date and time', new Date(Date.UTC(2024, 8, 1, 7, 30)), { text: '2024-09-01T07:30:00.000Z' }],
    [
      'rich text',
      { richText: [{ text: 'Nguyễn ', font: { bold: true } }, { text: 'Văn An' }] },
      { text: 'Nguyễn Văn An' },
    ],
    ['a hyperlink', { text: 'Thôn Đông', hyperlink: 'https://example.org' }, { text: 'Thôn Đông' }],
    [
      'a formula, by its result',
      { formula: 'SUM(1000000,500000)', result: 1_500_000 },
      { text: '1500000', number: 1_500_000 },
    ],
    ['a formula without result', { formula: 'A1' } as CellValue, { text: '', error: 'formula without result' }],
    ['a formula that failed', { formula: '1/0', result: { error: '#DIV/0!' } }, { text: '#DIV/0!', error: '#DIV/0!' }],
    ['an error value', { error: '#N/A' }, { text: '#N/A', error: '#N/A' }],
  ])('reads %s as a spreadsheet shows it', async (_name, value, expected) => {
    for (const useSharedStrings of [true, false]) {
      const content = await xlsx((workbook) => {
        const sheet = workbook.addWorksheet('A');
        sheet.getCell('A1').value = 'x';
        sheet.getCell('B1').value = value;
      }, useSharedStrings);
      expect((await readXlsxRows(content))?.[0]?.cells[1]).toEqual(expected);
    }
  });

  it('reads a shared formula by its result, and dates in the 1904 system', async () => {
    const content = await xlsx((workbook) => {
      workbook.properties.date1904 = true;
      const sheet = workbook.addWorksheet('A');
      sheet.getCell('A1').value = {
        formula: 'LOWER("NÔNG THÔN")',
        result: 'nông thôn',
        shareType: 'shared',
        ref: 'A1:A2',
      } as CellValue;
      sheet.getCell('A2').value = { sharedFormula: 'A1', result: 'Nông thôn' } as CellValue;
      sheet.getCell('A3').value = new Date(Date.UTC(2024, 8, 1));
    });
    expect(await readXlsxRows(content)).toEqual([
      { row: 1, cells: [{ text: 'nông thôn' }] },
      { row: 2, cells: [{ text: 'Nông thôn' }] },
      { row: 3, cells: [{ text: '2024-09-01' }] },
    ]);
  });

  it('reads every cell of a merged range as its top-left cell', async () => {
    const content = await xlsx((workbook) => {
      const sheet = workbook.addWorksheet('A');
      sheet.getCell('A1').value = 'Khu vực';
      sheet.getCell('A2').value = 'Nông thôn';
      sheet.getCell('B3').value = 'x';
      sheet.mergeCells('A2:A4');
      sheet.getCell('C6').value = 'Tổ 5';
      sheet.mergeCells('C6:D6');
    });
    expect(await readXlsxRows(content)).toEqual([
      { row: 1, cells: [{ text: 'Khu vực' }] },
      { row: 2, cells: [{ text: 'Nông thôn' }] },
      { row: 3, cells: [{ text: 'Nông thôn' }, { text: 'x' }] },
      { row: 4, cells: [{ text: 'Nông thôn' }] },
      { row: 6, cells: [{ text: '' }, { text: '' }, { text: 'Tổ 5' }, { text: 'Tổ 5' }] },
    ]);
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
      sheet.addRow([
        'H001',
        'Nguyễn Văn An',
        '001090012345',
        'Thôn Đông',
        4,
        'Nông thôn',
        'Hộ nghèo năm trước',
        1_200_000,
        'health_insurance; latrine',
        null,
      ]);
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
        {
          householdCode: 'H003',
          headName: 'Lê Văn Cường',
          idNumber: '079185000123',
          memberCount: 2,
          area: 'rural',
          source: 'newly_arising',
          incomePerCapitaMonthly: 0,
        },
        {
          householdCode: 'H004',
          headName: 'Đỗ Văn Lâm',
          idNumber: '123456789012',
          memberCount: 1,
          area: 'rural',
          source: 'newly_arising',
        },
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
        {
          row: 4,
          column: 'Họ và tên chủ hộ',
          message: 'Ô có lỗi công thức (#N/A) / The cell holds a formula error (#N/A)',
        },
        {
          row: 4,
          column: 'Số CCCD',
          message: expect.stringMatching(/^Số CCCD\/định danh phải gồm đúng 12 chữ số, nhận được "12345678"/),
        },
        { row: 4, column: 'Số nhân khẩu', message: '"2024-01-02" không phải là số / "2024-01-02" is not a number' },
        {
          row: 4,
          column: 'Nguồn',
          message:
            'Ô có lỗi công thức (formula without result) / The cell holds a formula error (formula without result)',
        },
        {
          row: 4,
          column: 'Thu nhập bình quân (đồng/người/tháng)',
          message: 'Phải là số nguyên (đồng) / Must be a whole number of đồng',
        },
      ],
    });
  });

  it('reports headers and emptiness as for CSV', async () => {
    const headerOnly = await xlsx((workbook) => workbook.addWorksheet('A').addRow(HEADER));
    expect(await importXlsx(headerOnly)).toEqual({
      ok: false,
      errors: [{ row: 2, message: expect.stringMatching(/^Tệp chỉ có dòng tiêu đề/) }],
    });
    const empty = await xlsx((workbook) => workbook.addWorksheet('A'));
    expect(await importXlsx(empty)).toEqual({
      ok: false,
      errors: [{ row: 1, message: expect.stringMatching(/^Tệp trống/) }],
    });
    const unknown = await xlsx((workbook) => {
      const sheet = workbook.addWorksheet('A');
      sheet.addRow(['MÃ HỘ', 'Chủ hộ', 'Nhân khẩu', 'khu vuc', 'nguon', 'Dân tộc']);
      sheet.addRow(['H1', 'Nguyễn Văn An', 4, 'nông thôn', 'phát sinh mới', 'Kinh']);
    });
    expect(await importXlsx(unknown)).toEqual({
      ok: false,
      errors: [{ row: 1, column: 'Dân tộc', message: expect.stringMatching(/^Không nhận ra cột "Dân tộc"/) }],
    });
  });

  it('rejects what is not an XLSX file', async () => {
    expect(await importXlsx('Mã hộ,Họ và tên chủ hộ')).toEqual({
      ok: false,
      errors: [
        { row: 1, message: 'Tệp "thon-dong.xlsx" không phải là tệp XLSX / File "thon-dong.xlsx" is not an XLSX file' },
      ],
    });
    expect(await importXlsx(Buffer.from('Mã hộ,Họ và tên chủ hộ'))).toEqual({
      ok: false,
      errors: [{ row: 1, message: expect.stringMatching(/không phải là tệp XLSX/) }],
    });
    const corrupt = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 1)]);
    expect(await importXlsx(corrupt)).toEqual({
      ok: false,
      errors: [
        {
          row: 1,
          message: expect.stringMatching(/^Không đọc được tệp XLSX "thon-dong.xlsx": .+ \/ Cannot read XLSX file/),
        },
      ],
    });
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    expect(await importXlsx(xls)).toEqual({
      ok: false,
      errors: [
        { row: 1, message: expect.stringMatching(/^Tệp "thon-dong.xlsx" là định dạng Excel 97–2003 \(\.xls\)/) },
      ],
    });
  });
});

/** `content` with the uncompressed size of ZIP entry `part` replaced by `size` in both of its headers: a file that lies. */
function withDeclaredSize(content: Buffer, part: string, size: number): Buffer {
  const patched = Buffer.from(content);
  const end = patched.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let offset = patched.readUInt32LE(end + 16);
  for (let i = 0; i < patched.readUInt16LE(end + 10); i++) {
    const nameLength = patched.readUInt16LE(offset + 28);
    const name = patched.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (name === part) {
      patched.writeUInt32LE(size, offset + 24);
      patched.writeUInt32LE(size, patched.readUInt32LE(offset + 42) + 22);
      return patched;
    }
    offset += 46 + nameLength + patched.readUInt16LE(offset + 30) + patched.readUInt16LE(offset + 32);
  }
  throw new Error(`no ${part} in the archive`);
}

/** The compressed size of ZIP entry `part`. */
function compressedSize(content: Buffer, part: string): number {
  const end = content.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let offset = content.readUInt32LE(end + 16);
  for (;;) {
    const nameLength = content.readUInt16LE(offset + 28);
    if (content.toString('utf8', offset + 46, offset + 46 + nameLength) === part)
      return content.readUInt32LE(offset + 20);
    offset += 46 + nameLength + content.readUInt16LE(offset + 30) + content.readUInt16LE(offset + 32);
  }
}

describe('parseHouseholdFile (XLSX): limits enforced while reading', () => {
  const SHEET = 'xl/worksheets/sheet1.xml';
  const households = (count: number, extra: (sheet: Worksheet) => void = () => undefined) =>
    xlsx((workbook) => {
      const sheet = workbook.addWorksheet('Danh sách hộ');
      sheet.addRow(HEADER);
      for (let i = 1; i <= count; i++)
        sheet.addRow([
          `H${i}`,
          `Nguyễn Văn ${i}`,
          null,
          `Thôn ${i % 7}`,
          1 + (i % 5),
          'Nông thôn',
          'Phát sinh mới',
          null,
          null,
          null,
        ]);
      extra(sheet);
    });

  it('stops at the first row past the limit, naming it', async () => {
    const content = await households(6);
    expect(await parseHouseholdFile({ format: 'xlsx', content, limits: { maxRows: 5 } })).toEqual({
      ok: false,
      errors: [
        { row: 7, message: expect.stringMatching(/^Tệp có hơn 5 hộ \(hộ thứ 6 ở dòng 7\); mỗi tệp tối đa 5 hộ \/ /) },
      ],
      limit: { code: 'HOUSEHOLD_FILE_TOO_MANY_ROWS', limit: 5, unit: 'rows', found: 6, row: 7 },
    });
    expect(await parseHouseholdFile({ format: 'xlsx', content, limits: { maxRows: 6 } })).toMatchObject({ ok: true });
  });

  it('counts rows a merged range fills', async () => {
    const content = await households(4, (sheet) => sheet.mergeCells('A5:J7'));
    expect(await parseHouseholdFile({ format: 'xlsx', content, limits: { maxRows: 5 } })).toMatchObject({
      ok: false,
      limit: { code: 'HOUSEHOLD_FILE_TOO_MANY_ROWS', row: 7 },
    });
  });

  it('refuses a value past the last column allowed, and a cell longer than the limit, naming row and column', async () => {
    const wide = await households(3, (sheet) => (sheet.getCell('AY3').value = 'x'));
    expect(await parseHouseholdFile({ format: 'xlsx', content: wide })).toMatchObject({
      ok: false,
      errors: [
        {
          row: 3,
          column: 'AY',
          message: expect.stringMatching(
            /^Dòng 3: có dữ liệu ở cột AY \(cột thứ 51\); tệp chỉ được dùng tối đa 50 cột/,
          ),
        },
      ],
      limit: { code: 'UPLOAD_TOO_MANY_COLUMNS', limit: 50, found: 51 },
    });
    const long = await households(3, (sheet) => (sheet.getCell('J4').value = 'ghi chú '.repeat(5_000)));
    expect(
      await parseHouseholdFile({ format: 'xlsx', content: long, limits: { maxCellLength: 32_767 } }),
    ).toMatchObject({
      ok: false,
      errors: [
        {
          row: 4,
          column: 'J',
          message: expect.stringMatching(/^Dòng 4, cột J: ô dài 40000 ký tự, quá giới hạn 32767 ký tự/),
        },
      ],
      limit: { code: 'UPLOAD_CELL_TOO_LONG', limit: 32_767, found: 40_000 },
    });
  });

  it('refuses a part that declares more than the inflated bytes allowed, before inflating it', async () => {
    const content = withDeclaredSize(await households(3), SHEET, 60 * 1024 * 1024);
    expect(await parseHouseholdFile({ format: 'xlsx', content })).toEqual({
      ok: false,
      errors: [
        {
          row: 1,
          message:
            'Tệp XLSX giải nén ra quá lớn: phần "xl/worksheets/sheet1.xml" khai báo 60 MB, vượt quá giới hạn 50 MB cho cả tệp / The XLSX file expands too much: part "xl/worksheets/sheet1.xml" declares 60 MB, more than the limit of 50 MB for the whole file',
        },
      ],
      limit: {
        code: 'UPLOAD_EXPANDS_TOO_MUCH',
        limit: 50 * 1024 * 1024,
        unit: 'bytes',
        found: 60 * 1024 * 1024,
        part: SHEET,
      },
    });
  });

  it('counts the inflated bytes of every part against one budget', async () => {
    const content = await households(2_000);
    const result = await parseHouseholdFile({ format: 'xlsx', content, limits: { maxExpandedBytes: 150_000 } });
    expect(result).toMatchObject({
      ok: false,
      limit: { code: 'UPLOAD_EXPANDS_TOO_MUCH', unit: 'bytes', limit: 150_000 },
    });
  });

  it('refuses a part that inflates more than 100 times its compressed size', async () => {
    const content = await households(2_000);
    const compressed = compressedSize(content, SHEET);
    expect(compressed * 100).toBeGreaterThan(1024 * 1024); // past the floor below which the ratio is not checked
    const result = await parseHouseholdFile({
      format: 'xlsx',
      content: withDeclaredSize(content, SHEET, compressed * 101),
    });
    expect(result).toMatchObject({
      ok: false,
      errors: [
        {
          row: 1,
          message: expect.stringMatching(
            /^Tệp XLSX giải nén ra quá lớn: phần "xl\/worksheets\/sheet1.xml" nén .* MB nhưng giải nén ra .* MB \(gấp 101 lần\), vượt quá giới hạn 100 lần/,
          ),
        },
      ],
      limit: { code: 'UPLOAD_EXPANDS_TOO_MUCH', unit: 'ratio', limit: 100, found: 101, part: SHEET },
    });
  });

  it('stops inflating a part at the first byte past the size it declares', async () => {
    const content = withDeclaredSize(await households(50), SHEET, 1_000);
    expect(await parseHouseholdFile({ format: 'xlsx', content })).toMatchObject({
      ok: false,
      errors: [
        {
          row: 1,
          message: expect.stringMatching(
            /^Tệp XLSX không hợp lệ: phần "xl\/worksheets\/sheet1.xml" giải nén ra nhiều hơn kích thước khai báo \(1000 byte\)/,
          ),
        },
      ],
      limit: { code: 'UPLOAD_EXPANDS_TOO_MUCH', part: SHEET },
    });
  });
});

describe('WorksheetReader on crafted XML: bounded whatever the worksheet holds', () => {
  const LIMITS = { ...DEFAULT_HOUSEHOLD_FILE_LIMITS, maxRows: 10, maxColumns: 5 };
  function read(body: string, limits = LIMITS): SheetRow[] {
    const strings = ['Mã hộ', 'H1'];
    const sheet = new WorksheetReader(limits, { get: (index) => strings[index] }, [], false);
    const xml = xmlReader(sheet, { part: 'sheet.xml', maxRun: 8 * limits.maxCellLength });
    xml.write(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${body}</worksheet>`);
    xml.close();
    return sheet.rows();
  }
  const rows = (count: number) =>
    `<sheetData>${Array.from({ length: count }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>v${i + 1}</t></is></c></row>`).join('')}</sheetData>`;

  it('reads rows and cells without r attributes, prefixed element names, inline and shared strings', () => {
    const body =
      '<x:sheetData xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:r><x:t>Nguyễn </x:t></x:r><x:r><x:t>Văn_x0020_An</x:t></x:r><x:rPh><x:t>phiên âm</x:t></x:rPh></x:is></x:c></x:row><x:row><x:c r="C2" t="s"><x:v>1</x:v></x:c></x:row></x:sheetData>';
    expect(read(body)).toEqual([
      { row: 1, cells: [{ text: 'Mã hộ' }, { text: 'Nguyễn Văn An' }] },
      { row: 2, cells: [{ text: '' }, { text: '' }, { text: 'H1' }] },
    ]);
  });

  it('refuses a cell pointing to a shared string that does not exist', () => {
    expect(() => read('<sheetData><row r="1"><c r="B1" t="s"><v>7</v></c></row></sheetData>')).toThrow(
      'cell B1 points to shared string 7, which xl/sharedStrings.xml does not have',
    );
  });

  it('fills merged ranges only within the limits: a range past the last row is the row limit', () => {
    expect(read(`${rows(3)}<mergeCells><mergeCell ref="A3:A5"/></mergeCells>`).map((row) => row.cells[0].text)).toEqual(
      ['v1', 'v2', 'v3', 'v3', 'v3'],
    );
    expect(() => read(`${rows(3)}<mergeCells><mergeCell ref="A3:A1048576"/></mergeCells>`)).toThrow(
      expect.objectContaining({ exceeded: expect.objectContaining({ code: 'HOUSEHOLD_FILE_TOO_MANY_ROWS', row: 12 }) }),
    );
    expect(() => read(`${rows(3)}<mergeCells><mergeCell ref="A3:XFD3"/></mergeCells>`)).toThrow(
      expect.objectContaining({ exceeded: expect.objectContaining({ code: 'UPLOAD_TOO_MANY_COLUMNS', column: 'F' }) }),
    );
  });

  it('costs whole-column ranges of a blank cell only the rows kept (charged per row of the range, five would be refused), and refuses ranges that overlap without end', () => {
    const blankColumns = Array.from({ length: 5 }, () => '<mergeCell ref="B1:B1048576"/>').join('');
    expect(read(`${rows(3)}<mergeCells>${blankColumns}</mergeCells>`).map((row) => row.cells[0].text)).toEqual([
      'v1',
      'v2',
      'v3',
    ]);
    // One range over the whole grid (11 rows of 5 columns) fits the work allowed; the same again does not.
    const whole = '<mergeCell ref="A1:E11"/>';
    expect(read(`${rows(11)}<mergeCells>${whole}</mergeCells>`)).toHaveLength(11);
    expect(() => read(`${rows(3)}<mergeCells>${whole.repeat(1_000)}</mergeCells>`)).toThrow(
      'merged ranges cover more than the 11 rows and 5 columns a sheet may use',
    );
  });
});
