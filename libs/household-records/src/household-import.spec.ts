import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuleSet } from '@rasoat/poverty-rules';
import { parse } from 'yaml';
import { writeCsv } from './csv';
import { formatImportError, parseHouseholdFile, type ImportResult } from './household-import';
import { MAX_HOUSEHOLD_ROWS } from './upload-limits';

const rules = parseRuleSet(
  parse(readFileSync(join(__dirname, '../../../config/poverty-rules/2022-2025.yaml'), 'utf8')),
  '2022-2025.yaml',
);

/** A list as a village review board would type it: CRLF, quoted cells, Vietnamese values. */
const GOOD_CSV = [
  'Mã hộ,Họ và tên chủ hộ,Số CCCD,Địa chỉ,Số nhân khẩu,Khu vực,Nguồn,Thu nhập bình quân (đồng/người/tháng),Các chỉ số thiếu hụt,Ghi chú',
  'H001,Nguyễn Văn An,001090012345,Thôn Đông,4,Nông thôn,Hộ nghèo năm trước,1.200.000,health_insurance; latrine; telecom,',
  'H002,Trần Thị Bình,,"Tổ 5, phường Bắc",3,Thành thị,Có giấy đề nghị,,,"Đề nghị rà soát',
  'theo Mẫu số 01"',
  'H003,Lê Văn Cường,,,1,Nông thôn,Phát sinh mới,2000000,Không,',
  'H004,Phạm Thị Dung,079185000123,Thôn Tây,5,Nông thôn,Hộ cận nghèo năm trước,1500000,housing_area,',
].join('\r\n');

const GOOD_HOUSEHOLDS = [
  {
    householdCode: 'H001',
    headName: 'Nguyễn Văn An',
    idNumber: '001090012345',
    address: 'Thôn Đông',
    memberCount: 4,
    area: 'rural',
    source: 'previous_poor',
    incomePerCapitaMonthly: 1_200_000,
    deprivations: ['health_insurance', 'latrine', 'telecom'],
  },
  {
    householdCode: 'H002',
    headName: 'Trần Thị Bình',
    address: 'Tổ 5, phường Bắc',
    memberCount: 3,
    area: 'urban',
    source: 'request',
    note: 'Đề nghị rà soát\ntheo Mẫu số 01',
  },
  {
    householdCode: 'H003',
    headName: 'Lê Văn Cường',
    memberCount: 1,
    area: 'rural',
    source: 'newly_arising',
    incomePerCapitaMonthly: 2_000_000,
    deprivations: [],
  },
  {
    householdCode: 'H004',
    headName: 'Phạm Thị Dung',
    idNumber: '079185000123',
    address: 'Thôn Tây',
    memberCount: 5,
    area: 'rural',
    source: 'previous_near_poor',
    incomePerCapitaMonthly: 1_500_000,
    deprivations: ['housing_area'],
  },
];

const HEADER = [
  'Mã hộ',
  'Họ và tên chủ hộ',
  'Số CCCD',
  'Số nhân khẩu',
  'Khu vực',
  'Nguồn',
  'Thu nhập bình quân',
  'Các chỉ số thiếu hụt',
];
const ROW = ['H1', 'Nguyễn Văn An', '001090012345', '4', 'Nông thôn', 'Phát sinh mới', '1500000', 'telecom'];

/** A CSV of `HEADER` and copies of `ROW`, with some cells changed: `{ 'Số nhân khẩu': '0' }` on the first data row. */
function csvWith(changes: Record<string, string>[] = [{}], header = HEADER): string {
  const rows = changes.map((change, i) =>
    header.map((name, column) => change[name] ?? (column === 0 ? `H${i + 1}` : (ROW[column] ?? ''))),
  );
  return writeCsv([header, ...rows], { bom: false });
}

async function importCsv(
  content: string | Buffer,
  options: { indicators?: typeof rules.indicators } = {},
): Promise<ImportResult> {
  return parseHouseholdFile({ format: 'csv', content, fileName: 'thon-dong.csv', ...options });
}

async function errorsOf(content: string | Buffer, options: { indicators?: typeof rules.indicators } = {}) {
  const result = await importCsv(content, options);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.households)}`);
  return result.errors;
}

describe('parseHouseholdFile (CSV)', () => {
  it('reads a good file', async () => {
    expect(await importCsv(GOOD_CSV)).toEqual({ ok: true, households: GOOD_HOUSEHOLDS });
  });

  it('imports nothing when one row is bad, and names that row and column', async () => {
    // H003 is on text line 5 but spreadsheet row 4: H002's note spans two lines in one cell.
    const bad = GOOD_CSV.replace('H003,Lê Văn Cường,,,1,', 'H003,Lê Văn Cường,,,0,');
    expect(await importCsv(bad)).toEqual({
      ok: false,
      errors: [
        { row: 4, column: 'Số nhân khẩu', message: 'Phải từ 1 trở lên, nhận được 0 / Must be at least 1, got 0' },
      ],
    });
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    [
      'an empty household code',
      { 'Mã hộ': '' },
      'Mã hộ',
      /^Bắt buộc, không được để trống \/ Required, must not be empty$/,
    ],
    ['an empty head name', { 'Họ và tên chủ hộ': ' ' }, 'Họ và tên chủ hộ', /^Bắt buộc/],
    [
      'a head name too long',
      { 'Họ và tên chủ hộ': 'x'.repeat(201) },
      'Họ và tên chủ hộ',
      /^Dài quá 200 ký tự \/ Longer than 200 characters$/,
    ],
    [
      'an ID number of 9 digits (old CMND)',
      { 'Số CCCD': '123456789' },
      'Số CCCD',
      /^Số CCCD\/định danh phải gồm đúng 12 chữ số, nhận được "123456789"/,
    ],
    ['an ID number with letters', { 'Số CCCD': '00109001234A' }, 'Số CCCD', /12 chữ số/],
    [
      'a member count as text',
      { 'Số nhân khẩu': 'bốn' },
      'Số nhân khẩu',
      /^"bốn" không phải là số \/ "bốn" is not a number$/,
    ],
    [
      'a fractional member count',
      { 'Số nhân khẩu': '2,5' },
      'Số nhân khẩu',
      /^Phải là số nguyên \/ Must be a whole number$/,
    ],
    ['no members', { 'Số nhân khẩu': '0' }, 'Số nhân khẩu', /^Phải từ 1 trở lên/],
    ['an empty member count', { 'Số nhân khẩu': '' }, 'Số nhân khẩu', /^Bắt buộc/],
    [
      'an unknown area',
      { 'Khu vực': 'Miền núi' },
      'Khu vực',
      /^Giá trị "Miền núi" không hợp lệ; dùng "Nông thôn" hoặc "Thành thị" \/ Invalid value "Miền núi"/,
    ],
    ['an empty area', { 'Khu vực': '' }, 'Khu vực', /^Bắt buộc/],
    [
      'an unknown source',
      { Nguồn: 'Chuyển đến' },
      'Nguồn',
      /^Giá trị "Chuyển đến" không hợp lệ; dùng "Hộ nghèo năm trước", "Hộ cận nghèo năm trước", "Phát sinh mới", "Có giấy đề nghị"/,
    ],
    [
      'a negative income',
      { 'Thu nhập bình quân': '-100000' },
      'Thu nhập bình quân',
      /^Không được âm, nhận được -100000/,
    ],
    ['a fractional income', { 'Thu nhập bình quân': '1500000.5' }, 'Thu nhập bình quân', /^Phải là số nguyên \(đồng\)/],
    ['an income in words', { 'Thu nhập bình quân': 'một triệu' }, 'Thu nhập bình quân', /không phải là số/],
    [
      'a deprivation that is not a code',
      { 'Các chỉ số thiếu hụt': 'telecom; Bảo hiểm y tế' },
      'Các chỉ số thiếu hụt',
      /^"Bảo hiểm y tế" không phải là mã chỉ số thiếu hụt \(vd\. health_insurance\) \/ "Bảo hiểm y tế" is not a deprivation indicator code/,
    ],
  ])('reports %s', async (_name, change, column, message) => {
    const errors = await errorsOf(csvWith([{}, change]));
    expect(errors).toEqual([{ row: 3, column, message: expect.stringMatching(message) }]);
    expect(errors[0].message).toContain(' / ');
  });

  it('reports every bad code of a deprivations cell', async () => {
    const errors = await errorsOf(csvWith([{ 'Các chỉ số thiếu hụt': 'Bảo hiểm y tế; telecom; Nhà tiêu' }]));
    expect(errors.map((error) => error.message.split(' / ')[0])).toEqual([
      '"Bảo hiểm y tế" không phải là mã chỉ số thiếu hụt (vd. health_insurance)',
      '"Nhà tiêu" không phải là mã chỉ số thiếu hụt (vd. health_insurance)',
    ]);
  });

  it('reports every bad cell of every row, in row and column order', async () => {
    const errors = await errorsOf(
      csvWith([{ 'Khu vực': 'x', 'Số nhân khẩu': '0' }, {}, { 'Số CCCD': '1', 'Họ và tên chủ hộ': '' }]),
    );
    expect(errors.map((error) => [error.row, error.column])).toEqual([
      [2, 'Số nhân khẩu'],
      [2, 'Khu vực'],
      [4, 'Họ và tên chủ hộ'],
      [4, 'Số CCCD'],
    ]);
  });

  it('reports a duplicate household code naming both rows, ignoring case', async () => {
    const errors = await errorsOf(csvWith([{ 'Mã hộ': 'H01' }, {}, { 'Mã hộ': 'h01' }]));
    expect(errors).toEqual([
      {
        row: 4,
        column: 'Mã hộ',
        message: 'Mã hộ "h01" bị trùng: dòng 2 và dòng 4 / Duplicate household code "h01": rows 2 and 4',
      },
    ]);
  });

  it('names unknown headers', async () => {
    const errors = await errorsOf(csvWith([{}], [...HEADER, 'Số nhà', 'Dân tộc']));
    expect(errors).toEqual([
      {
        row: 1,
        column: 'Số nhà',
        message: expect.stringMatching(
          /^Không nhận ra cột "Số nhà"; các cột hợp lệ: "Mã hộ", "Họ và tên chủ hộ", .* \/ Unknown column "Số nhà"/,
        ),
      },
      { row: 1, column: 'Dân tộc', message: expect.stringMatching(/^Không nhận ra cột "Dân tộc"/) },
    ]);
  });

  it('reports each missing required column by its Vietnamese header', async () => {
    const errors = await errorsOf(csvWith([{}], ['Mã hộ', 'Họ và tên chủ hộ', 'Số CCCD']));
    expect(errors).toEqual([
      {
        row: 1,
        column: 'Số nhân khẩu',
        message: 'Thiếu cột bắt buộc "Số nhân khẩu" / Missing required column "Số nhân khẩu" (Members)',
      },
      { row: 1, column: 'Khu vực', message: expect.stringMatching(/^Thiếu cột bắt buộc "Khu vực"/) },
      { row: 1, column: 'Nguồn', message: expect.stringMatching(/^Thiếu cột bắt buộc "Nguồn"/) },
    ]);
  });

  it('gives the commune’s area to a household whose "Khu vực" is empty, or to all when the column is absent; the file still wins', async () => {
    const withColumn = await parseHouseholdFile({
      format: 'csv',
      content: csvWith([{ 'Khu vực': '' }, { 'Khu vực': 'Nông thôn' }]),
      defaultArea: 'urban',
    });
    expect(withColumn.ok && withColumn.households.map((h) => h.area)).toEqual(['urban', 'rural']);
    const header = HEADER.filter((h) => h !== 'Khu vực');
    const withoutColumn = await parseHouseholdFile({
      format: 'csv',
      content: writeCsv([header, ['H1', 'Nguyễn Văn An', '', '4', 'Phát sinh mới', '', '']], { bom: false }),
      defaultArea: 'rural',
    });
    expect(withoutColumn.ok && withoutColumn.households.map((h) => h.area)).toEqual(['rural']);
    // A bad value is still an error, whatever the default.
    expect(
      await parseHouseholdFile({ format: 'csv', content: csvWith([{ 'Khu vực': 'Hải đảo' }]), defaultArea: 'rural' }),
    ).toMatchObject({ ok: false, errors: [{ row: 2, column: 'Khu vực' }] });
    // Without a default (a đặc khu, a commune of no known type) the cell is required.
    expect(await errorsOf(csvWith([{ 'Khu vực': '' }]))).toEqual([
      { row: 2, column: 'Khu vực', message: 'Bắt buộc, không được để trống / Required, must not be empty' },
    ]);
  });

  it('reports a column given twice under two spellings', async () => {
    const errors = await errorsOf(csvWith([{}], [...HEADER, 'Ma ho']));
    expect(errors).toEqual([
      {
        row: 1,
        column: 'Ma ho',
        message: expect.stringMatching(/^Cột "Ma ho" \(cột I\) trùng với cột "Mã hộ" \(cột A\)/),
      },
    ]);
  });

  it('reports data under no header', async () => {
    const content = `${HEADER.join(',')}\n${ROW.join(',')}\n${ROW.join(',').replace('H1', 'H2')},lạc cột\n`;
    expect(await errorsOf(content)).toEqual([
      { row: 3, message: 'Cột I có dữ liệu nhưng không có tiêu đề / Column I has data but no header' },
    ]);
  });

  it.each([
    ['an empty string', ''],
    ['an empty Buffer', Buffer.alloc(0)],
    ['only a BOM', '\uFEFF'],
    ['only blank lines and separators', '\r\n,,,\r\n\r\n'],
  ])('rejects %s', async (_name, content) => {
    expect(await errorsOf(content)).toEqual([
      { row: 1, message: 'Tệp trống: không có dòng tiêu đề / The file is empty: no header row' },
    ]);
  });

  it('rejects a header with no household', async () => {
    expect(await errorsOf(`${HEADER.join(',')}\r\n\r\n`)).toEqual([
      { row: 2, message: 'Tệp chỉ có dòng tiêu đề, không có hộ nào / The file has a header row but no household' },
    ]);
  });

  it(`accepts ${MAX_HOUSEHOLD_ROWS} households and rejects one more, naming the limit`, async () => {
    const rows = Array.from({ length: MAX_HOUSEHOLD_ROWS + 1 }, (_, i) => ROW.join(',').replace('H1', `H${i + 1}`));
    const full = await importCsv([HEADER.join(','), ...rows.slice(0, MAX_HOUSEHOLD_ROWS)].join('\n'));
    expect(full.ok && full.households.length).toBe(MAX_HOUSEHOLD_ROWS);
    expect(await importCsv([HEADER.join(','), ...rows].join('\n'))).toEqual({
      ok: false,
      errors: [
        {
          row: MAX_HOUSEHOLD_ROWS + 2,
          message: expect.stringMatching(
            /^Tệp có hơn 10000 hộ \(hộ thứ 10001 ở dòng 10002\); mỗi tệp tối đa 10000 hộ \/ /,
          ),
        },
      ],
      limit: {
        code: 'HOUSEHOLD_FILE_TOO_MANY_ROWS',
        limit: MAX_HOUSEHOLD_ROWS,
        unit: 'rows',
        found: MAX_HOUSEHOLD_ROWS + 1,
        row: MAX_HOUSEHOLD_ROWS + 2,
      },
    });
  });

  it('accepts header aliases in any case, with or without accents, in NFD, with units', async () => {
    const header = [
      'MA HO',
      'ho ten chu ho',
      'so cccd',
      'Nhân khẩu',
      'Khu vực (Nông thôn/Thành thị)',
      'NGUỒN',
      'thu nhap',
      'Chỉ số thiếu hụt'.normalize('NFD'),
      'ghi chu',
    ];
    const content = [
      header.join(','),
      'H1,Nguyễn Văn An,001090012345,4,nong thon,hộ cận nghèo,1500000,telecom,',
      'H2,Lê Thị Hoa,,2,THÀNH THỊ,Mẫu số 01,,,',
      'H3,Đỗ Văn Lâm,,3,urban,newly_arising,,,',
    ].join('\n');
    expect(await importCsv(content)).toEqual({
      ok: true,
      households: [
        {
          householdCode: 'H1',
          headName: 'Nguyễn Văn An',
          idNumber: '001090012345',
          memberCount: 4,
          area: 'rural',
          source: 'previous_near_poor',
          incomePerCapitaMonthly: 1_500_000,
          deprivations: ['telecom'],
        },
        { householdCode: 'H2', headName: 'Lê Thị Hoa', memberCount: 2, area: 'urban', source: 'request' },
        { householdCode: 'H3', headName: 'Đỗ Văn Lâm', memberCount: 3, area: 'urban', source: 'newly_arising' },
      ],
    });
  });

  it('accepts English headers', async () => {
    const content = [
      'Household code,Head of household,Members,Area,Source',
      'H1,Nguyễn Văn An,4,Rural,Poor last year',
    ].join('\n');
    expect(await importCsv(content)).toEqual({
      ok: true,
      households: [
        { householdCode: 'H1', headName: 'Nguyễn Văn An', memberCount: 4, area: 'rural', source: 'previous_poor' },
      ],
    });
  });

  it('returns Vietnamese text in NFC whatever the file used', async () => {
    const result = await importCsv(csvWith([{ 'Họ và tên chủ hộ': 'Nguyễn Thị Ánh'.normalize('NFD') }]));
    expect(result.ok && result.households[0].headName).toBe('Nguyễn Thị Ánh'.normalize('NFC'));
  });

  it('reads ";"-separated files with commas in cells', async () => {
    const content = [
      HEADER.join(';') + ';Địa chỉ',
      'H1;Nguyễn Văn An;001090012345;4;Nông thôn;Phát sinh mới;1,500,000;"telecom; latrine";Tổ 5, phường Bắc',
    ].join('\r\n');
    expect(await importCsv(content)).toEqual({
      ok: true,
      households: [
        {
          householdCode: 'H1',
          headName: 'Nguyễn Văn An',
          idNumber: '001090012345',
          memberCount: 4,
          area: 'rural',
          source: 'newly_arising',
          incomePerCapitaMonthly: 1_500_000,
          deprivations: ['telecom', 'latrine'],
          address: 'Tổ 5, phường Bắc',
        },
      ],
    });
  });

  it('reads a UTF-8 file with a BOM', async () => {
    expect(await importCsv(Buffer.from(`\uFEFF${GOOD_CSV}`, 'utf8'))).toEqual({
      ok: true,
      households: GOOD_HOUSEHOLDS,
    });
  });

  it('reads incomes with thousands separators and a currency', async () => {
    const incomes = [
      '1.500.000',
      '1,500,000',
      '1 500 000',
      '1\u00a0500\u00a0000',
      '1.500.000 đ',
      '1500000 đồng',
      '1500000VND',
    ];
    const result = await importCsv(csvWith(incomes.map((income) => ({ 'Thu nhập bình quân': income }))));
    expect(result.ok && result.households.map((household) => household.incomePerCapitaMonthly)).toEqual(
      incomes.map(() => 1_500_000),
    );
  });

  it('skips blank rows but keeps row numbers as the spreadsheet shows them', async () => {
    const content = [
      '',
      HEADER.join(','),
      ',,,,',
      ROW.join(','),
      '',
      ROW.join(',').replace('H1', 'H2').replace(',4,', ',0,'),
    ].join('\n');
    expect(await errorsOf(content)).toEqual([
      { row: 6, column: 'Số nhân khẩu', message: expect.stringMatching(/^Phải từ 1 trở lên/) },
    ]);
  });

  it('reports an unterminated quote with its text line, on its spreadsheet row', async () => {
    const content = `${HEADER.join(',')}\n${ROW.join(',').replace('telecom', '"telecom\nlatrine"')}\nH2,"Nguyễn Văn An,001090012345\n`;
    expect(await errorsOf(content)).toEqual([
      { row: 3, message: 'Dòng 4: dấu ngoặc kép mở nhưng không đóng / Line 4: unterminated quoted field' },
    ]);
  });

  it('does not split deprivations on commas', async () => {
    const errors = await errorsOf(csvWith([{ 'Các chỉ số thiếu hụt': 'telecom, latrine' }]), {
      indicators: rules.indicators,
    });
    expect(errors).toEqual([
      {
        row: 2,
        column: 'Các chỉ số thiếu hụt',
        message: expect.stringMatching(/^Không nhận ra chỉ số thiếu hụt "telecom, latrine"; .*ngăn cách bằng dấu ";"/),
      },
    ]);
  });

  it('rejects a file that is not UTF-8', async () => {
    const ansi = Buffer.concat([
      Buffer.from(`${HEADER.join(',')}\nH1,Nguy`, 'utf8'),
      Buffer.from([0xea, 0x6e]),
      Buffer.from(',4\n'),
    ]);
    expect(await errorsOf(ansi)).toEqual([
      {
        row: 2,
        message: expect.stringMatching(/^Tệp không phải UTF-8 \(dòng 2\); trong Excel hãy lưu bằng "CSV UTF-8"/),
      },
    ]);
  });

  it('rejects an XLSX or XLS file sent as CSV', async () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]);
    expect(await errorsOf(zip)).toEqual([
      { row: 1, message: expect.stringMatching(/^Tệp "thon-dong.csv" là tệp nén \(XLSX\?\), không phải CSV/) },
    ]);
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    expect(await errorsOf(xls)).toEqual([
      { row: 1, message: expect.stringMatching(/Excel 97–2003 \(\.xls\), không được hỗ trợ/) },
    ]);
  });

  it('removes the export guard from text that starts like a formula', async () => {
    const result = await importCsv(
      csvWith([{ 'Họ và tên chủ hộ': "'=Nguyễn" }, { 'Họ và tên chủ hộ': "''-An" }, { 'Họ và tên chủ hộ': "'An" }]),
    );
    expect(result.ok && result.households.map((household) => household.headName)).toEqual(['=Nguyễn', "'-An", "'An"]);
  });

  it('formats errors for a list', () => {
    expect(formatImportError({ row: 5, column: 'Số nhân khẩu', message: 'Bắt buộc / Required' })).toBe(
      'Dòng 5, cột "Số nhân khẩu": Bắt buộc / Required',
    );
    expect(formatImportError({ row: 1, message: 'Tệp trống / Empty' })).toBe('Dòng 1: Tệp trống / Empty');
  });

  describe('with the indicators of a rule set', () => {
    it('accepts codes and Vietnamese or English names, each once', async () => {
      const result = await importCsv(
        csvWith([
          {
            'Các chỉ số thiếu hụt':
              'Bảo hiểm y tế; NHA TIEU HOP VE SINH; Use of telecommunication services; health_insurance',
          },
        ]),
        {
          indicators: rules.indicators,
        },
      );
      expect(result.ok && result.households[0].deprivations).toEqual(['health_insurance', 'latrine', 'telecom']);
    });

    it('rejects an indicator of another period, listing the valid codes', async () => {
      const errors = await errorsOf(csvWith([{ 'Các chỉ số thiếu hụt': 'telecom; digital_use; waste_treatment' }]), {
        indicators: rules.indicators,
      });
      expect(errors).toEqual([
        {
          row: 2,
          column: 'Các chỉ số thiếu hụt',
          message: expect.stringMatching(
            /^Không nhận ra chỉ số thiếu hụt "digital_use", "waste_treatment"; các mã hợp lệ: employment, dependants, .*information_access, ngăn cách bằng dấu ";"; ghi "Không"/,
          ),
        },
      ]);
    });

    it('reads "Không" as surveyed with no deprivation and an empty cell as not surveyed', async () => {
      const result = await importCsv(csvWith([{ 'Các chỉ số thiếu hụt': 'không' }, { 'Các chỉ số thiếu hụt': '' }]), {
        indicators: rules.indicators,
      });
      expect(result.ok && result.households.map((household) => household.deprivations)).toEqual([[], undefined]);
    });
  });
});

describe('parseHouseholdFile (CSV): limits enforced while reading', () => {
  const limited = (content: string, limits: Parameters<typeof parseHouseholdFile>[0]['limits']) =>
    parseHouseholdFile({ format: 'csv', content, limits });

  it('stops at the first row past the limit: what follows is never read', async () => {
    // Row 6 opens a quote that never closes: reading it would be an error of its own.
    const content = csvWith([{}, {}, {}, {}]) + 'H5,"never closed\r\n';
    expect(await limited(content, { maxRows: 3 })).toEqual({
      ok: false,
      errors: [{ row: 5, message: expect.stringMatching(/^Tệp có hơn 3 hộ \(hộ thứ 4 ở dòng 5\)/) }],
      limit: { code: 'HOUSEHOLD_FILE_TOO_MANY_ROWS', limit: 3, unit: 'rows', found: 4, row: 5 },
    });
    expect(await limited(csvWith([{}, {}, {}]), { maxRows: 3 })).toMatchObject({ ok: true });
  });

  it('does not count blank rows', async () => {
    const content = csvWith([{}, {}]).replace(/\r\n/g, '\r\n,,,\r\n\r\n');
    expect(await limited(content, { maxRows: 2 })).toMatchObject({
      ok: true,
      households: [{ householdCode: 'H1' }, { householdCode: 'H2' }],
    });
  });

  it('refuses a value past the last column allowed, naming its row and column, and ignores empty cells there', async () => {
    const trailing = `${csvWith([{}, {}])
      .trimEnd()
      .split('\r\n')
      .map((line) => line + ','.repeat(500))
      .join('\r\n')}\r\n`;
    expect(await limited(trailing, { maxColumns: 50 })).toMatchObject({
      ok: true,
      households: [{ householdCode: 'H1' }, { householdCode: 'H2' }],
    });
    // Row 3: H2 in column A, then 49 empty cells, then x in column AY (the 51st).
    const wide = csvWith([{}, {}]).replace(/\r\nH2,.*/, `\r\nH2${','.repeat(50)}x`);
    expect(await limited(wide, { maxColumns: 50 })).toEqual({
      ok: false,
      errors: [
        {
          row: 3,
          column: 'AY',
          message:
            'Dòng 3: có dữ liệu ở cột AY (cột thứ 51); tệp chỉ được dùng tối đa 50 cột (A–AX) / Row 3: data in column AY (column 51); a file may use at most 50 columns (A–AX)',
        },
      ],
      limit: { code: 'UPLOAD_TOO_MANY_COLUMNS', limit: 50, unit: 'columns', found: 51, row: 3, column: 'AY' },
    });
  });

  it('refuses a cell longer than the limit, naming its row and column', async () => {
    const content = csvWith([{}, { 'Họ và tên chủ hộ': 'A'.repeat(32_768) }]);
    expect(await importCsv(content)).toEqual({
      ok: false,
      errors: [
        {
          row: 3,
          column: 'B',
          message:
            'Dòng 3, cột B: ô dài 32768 ký tự, quá giới hạn 32767 ký tự / Row 3, column B: the cell has 32768 characters, more than the limit of 32767',
        },
      ],
      limit: { code: 'UPLOAD_CELL_TOO_LONG', limit: 32_767, unit: 'characters', found: 32_768, row: 3, column: 'B' },
    });
  });
});
