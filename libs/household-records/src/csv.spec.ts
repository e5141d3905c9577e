import { CsvError, detectDelimiter, readCsv, writeCsv } from './csv';

const cells = (text: string | Buffer) => readCsv(text).records.map((record) => record.cells);

describe('readCsv', () => {
  it('reads plain fields, empty fields and a trailing delimiter', () => {
    expect(cells('a,b,c\n1,,3\n4,5,\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '', '3'],
      ['4', '5', ''],
    ]);
  });

  it('accepts CRLF, LF and CR line ends, with or without a final one', () => {
    expect(cells('a,b\r\n1,2\n3,4\r5,6')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks as one row', () => {
    const { records } = readCsv('Mã hộ,Ghi chú\r\nH1,"Tổ 5, ""Bắc""\r\ndòng 2\ndòng 3"\r\nH2,""\r\n');
    expect(records).toEqual([
      { row: 1, line: 1, cells: ['Mã hộ', 'Ghi chú'] },
      { row: 2, line: 2, cells: ['H1', 'Tổ 5, "Bắc"\ndòng 2\ndòng 3'] },
      { row: 3, line: 5, cells: ['H2', ''] },
    ]);
  });

  it('ignores blanks around a quoted field', () => {
    expect(cells('a, "b" ,c')).toEqual([['a', 'b', 'c']]);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(cells('a,b"c')).toEqual([['a', 'b"c']]);
  });

  it('keeps blank lines as rows so that row numbers match a spreadsheet', () => {
    expect(readCsv('a\n\nb\n').records.map((record) => [record.row, record.cells])).toEqual([
      [1, ['a']],
      [2, ['']],
      [3, ['b']],
    ]);
  });

  it('drops a UTF-8 BOM from a string or a Buffer', () => {
    expect(cells('\uFEFFMã hộ,b')).toEqual([['Mã hộ', 'b']]);
    expect(cells(Buffer.from('\uFEFFMã hộ,b', 'utf8'))).toEqual([['Mã hộ', 'b']]);
  });

  it('detects ";" from the header line, ignoring quoted text', () => {
    expect(readCsv('Mã hộ;Địa chỉ;Ghi chú\nH1;Tổ 5, phường Bắc;a,b,c\n')).toEqual({
      delimiter: ';',
      records: [
        { row: 1, line: 1, cells: ['Mã hộ', 'Địa chỉ', 'Ghi chú'] },
        { row: 2, line: 2, cells: ['H1', 'Tổ 5, phường Bắc', 'a,b,c'] },
      ],
    });
    expect(detectDelimiter('"a;b;c",d\n;;;;')).toBe(',');
    expect(detectDelimiter('one column')).toBe(',');
  });

  it('reports an unterminated quote at the line where it opens', () => {
    const read = () => readCsv('a,b\n1,2\n3,"open\n\nstill open\n');
    expect(read).toThrow(CsvError);
    expect(read).toThrow('Dòng 3: dấu ngoặc kép mở nhưng không đóng / Line 3: unterminated quoted field');
    try {
      read();
    } catch (error) {
      expect(error).toMatchObject({ line: 3, row: 3 });
    }
  });

  it('rejects text after a closing quote, naming the line', () => {
    expect(() => readCsv('a,b\n"x"y,2\n')).toThrow('Dòng 2: có ký tự "y" sau dấu ngoặc kép đóng');
  });

  it('rejects bytes that are not UTF-8, naming the line', () => {
    // "Hà" in Windows-1258 is 48 E0: E0 starts a three-byte UTF-8 sequence that never comes.
    const ansi = Buffer.concat([Buffer.from('Mã hộ\nH1,', 'utf8'), Buffer.from([0x48, 0xe0, 0x0a])]);
    expect(() => readCsv(ansi)).toThrow('Tệp không phải UTF-8 (dòng 2)');
  });
});

describe('writeCsv', () => {
  it('writes a BOM, CRLF, and quotes only what needs it', () => {
    expect(
      writeCsv([
        ['Mã hộ', 'Ghi chú'],
        ['H1', 'a "b", c'],
        ['H2', 'x\ny'],
        ['H3', 'plain'],
      ]),
    ).toBe('\uFEFFMã hộ,Ghi chú\r\nH1,"a ""b"", c"\r\nH2,"x\ny"\r\nH3,plain\r\n');
    expect(writeCsv([['a;b', 'c,d']], { delimiter: ';', bom: false })).toBe('"a;b";c,d\r\n');
  });

  it.each([',', ';'] as const)('reads back what it writes with "%s"', (delimiter) => {
    const rows = [
      ['Mã hộ', 'Họ và tên chủ hộ', 'Ghi chú'],
      ['H1', 'Nguyễn Văn "Tư"', 'dòng 1\ndòng 2; còn, nữa'],
      ['', '', ''],
      ['H2', ' khoảng trắng ', '""'],
    ];
    expect(readCsv(writeCsv(rows, { delimiter }))).toEqual({
      delimiter,
      records: rows.map((row, i) => ({ row: i + 1, line: expect.any(Number), cells: row })),
    });
  });
});
