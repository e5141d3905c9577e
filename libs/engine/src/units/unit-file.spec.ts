import { Workbook } from 'exceljs';
import { parseUnitFile } from './unit-file';

const LIMITS = { maxRows: 1000 };

describe('parseUnitFile', () => {
  it('reads Vietnamese headers and unit types in any order, parents first, keeping the village types as written', async () => {
    const csv =
      '\uFEFFMã đơn vị;Tên;Loại;Mã đơn vị cấp trên\n' +
      '0721001;Tổ dân phố số 1;Tổ dân phố;07210\n' +
      '0700101;Thôn Đông;thôn;07001\n' +
      '07001;Xã Tân An;Xã;20\n' +
      '20;Lạng Sơn;Tỉnh;\n' +
      '0700102;Bản Nà Lầu;BẢN;07001\n' +
      '0700103;Ấp Một;ap;07001\n';
    const result = await parseUnitFile(csv, 'csv', LIMITS);
    expect(result).toEqual({
      ok: true,
      columns: {
        code: 'Mã đơn vị',
        name: 'Tên',
        type: 'Loại',
        parent: 'Mã đơn vị cấp trên',
        mergedInto: 'Sáp nhập vào',
      },
      rows: [
        {
          row: 5,
          code: '20',
          name: 'Lạng Sơn',
          level: 'province',
          unitType: 'Tỉnh',
          parentCode: null,
          mergedInto: null,
        },
        {
          row: 4,
          code: '07001',
          name: 'Xã Tân An',
          level: 'commune',
          unitType: 'Xã',
          parentCode: '20',
          mergedInto: null,
        },
        {
          row: 2,
          code: '0721001',
          name: 'Tổ dân phố số 1',
          level: 'village',
          unitType: 'Tổ dân phố',
          parentCode: '07210',
          mergedInto: null,
        },
        {
          row: 3,
          code: '0700101',
          name: 'Thôn Đông',
          level: 'village',
          unitType: 'Thôn',
          parentCode: '07001',
          mergedInto: null,
        },
        {
          row: 6,
          code: '0700102',
          name: 'Bản Nà Lầu',
          level: 'village',
          unitType: 'Bản',
          parentCode: '07001',
          mergedInto: null,
        },
        {
          row: 7,
          code: '0700103',
          name: 'Ấp Một',
          level: 'village',
          unitType: 'Ấp',
          parentCode: '07001',
          mergedInto: null,
        },
      ],
    });
  });

  it('takes the older "Cấp" header and bare levels, a district-level "Thành phố" under a province, and the merge column', async () => {
    const csv =
      'code,name,level,parent,Sáp nhập vào\n24,Bắc Giang,tỉnh,,\n213,Thành phố Bắc Giang,Thành phố,24,\n0700102,Thôn Hai,village,07001,0700101\n';
    const result = await parseUnitFile(csv, 'csv', LIMITS);
    expect(result.ok && result.rows.map((r) => [r.code, r.level, r.unitType, r.mergedInto])).toEqual([
      ['24', 'province', 'Tỉnh', null],
      ['213', 'district', 'Thành phố', null],
      ['0700102', 'village', null, '0700101'],
    ]);
    expect(result.ok && result.columns).toMatchObject({ type: 'level', parent: 'parent', mergedInto: 'Sáp nhập vào' });
  });

  it('reports every bad row with its row and the column as written, and returns no unit', async () => {
    const csv =
      'Mã,Tên,Loại,Mã xã,Sáp nhập vào\n' +
      '0700101,,Thôn,07001,\n' +
      '0700102,Thôn B,ấp chiến lược,07001,\n' +
      '0700101,Thôn C,Thôn,07001,\n' +
      '0700104,Thôn D,Thôn,,\n' +
      'mã có dấu,Thôn E,Thôn,07001,\n' +
      '0700106,Thôn F,Thôn,07001,0700106\n' +
      '07002,Xã G,Xã,20,0700101\n';
    expect(await parseUnitFile(csv, 'csv', LIMITS)).toEqual({
      ok: false,
      errors: [
        { row: 2, column: 'Tên', message: 'Bắt buộc, không được để trống / Required' },
        {
          row: 3,
          column: 'Loại',
          message: expect.stringMatching(
            /^"ấp chiến lược" không rõ; dùng Thôn, Tổ dân phố.* \/ "ấp chiến lược" is not a unit type/,
          ),
        },
        { row: 4, column: 'Mã', message: 'Mã "0700101" trùng với dòng 2 / Code "0700101" repeats row 2' },
        {
          row: 5,
          column: 'Mã xã',
          message: "Bắt buộc: mã đơn vị cấp trên (xã của thôn) / Required: a village needs its parent's code",
        },
        { row: 6, column: 'Mã', message: expect.stringMatching(/^"mã có dấu" không hợp lệ/) },
        {
          row: 7,
          column: 'Sáp nhập vào',
          message: 'Thôn không thể sáp nhập vào chính nó / A village cannot merge into itself',
        },
        {
          row: 8,
          column: 'Sáp nhập vào',
          message: 'Chỉ thôn, tổ dân phố mới sáp nhập được qua tệp / Only villages merge through a file',
        },
      ],
      // Every row is at fault: none is left to check against the tree.
      partial: { rows: [], columns: expect.objectContaining({ code: 'Mã', parent: 'Mã xã' }) },
    });
  });

  it('keeps the rows without a problem, for the tree’s checks to report theirs at the same time', async () => {
    const result = await parseUnitFile(
      'code,name,type,parent\n0700101,Thôn A,Thôn,07001\n0700102,,Thôn,07001\n',
      'csv',
      LIMITS,
    );
    expect(result).toMatchObject({
      ok: false,
      errors: [{ row: 3, column: 'name' }],
      partial: { rows: [{ row: 2, code: '0700101' }] },
    });
  });

  it('names a missing, an unknown and a repeated column on the header row', async () => {
    expect(await parseUnitFile('code,name\n1,A\n', 'csv', LIMITS)).toEqual({
      ok: false,
      errors: [{ row: 1, column: 'Loại', message: 'Thiếu cột bắt buộc "Loại" / Missing required column "Loại"' }],
    });
    const result = await parseUnitFile('code,name,type,Dân số,Tên\n1,A,Thôn,5,B\n', 'csv', LIMITS);
    expect(result).toEqual({
      ok: false,
      errors: [
        { row: 1, column: 'Dân số', message: expect.stringMatching(/^Không nhận ra cột "Dân số"/) },
        { row: 1, column: 'Tên', message: 'Cột "Tên" bị lặp lại / Column "Tên" appears twice' },
      ],
    });
  });

  it('refuses an empty file, a header alone, and a ZIP sent as CSV', async () => {
    expect(await parseUnitFile('', 'csv', LIMITS)).toEqual({
      ok: false,
      errors: [{ row: 1, message: 'Tệp rỗng / The file is empty' }],
    });
    expect(await parseUnitFile('code,name,type\n', 'csv', LIMITS)).toEqual({
      ok: false,
      errors: [{ row: 2, message: 'Tệp chỉ có dòng tiêu đề, không có đơn vị nào / The file has a header but no unit' }],
    });
    expect(await parseUnitFile(Buffer.from('PK\u0003\u0004rest', 'latin1'), 'csv', LIMITS)).toMatchObject({
      ok: false,
      errors: [{ row: 1, message: expect.stringMatching(/không phải CSV/) }],
    });
  });

  it('stops reading at the unit past the limit, naming its row; blank rows do not count', async () => {
    const csv = 'code,name,type,parent\n20,Lạng Sơn,tỉnh,\n\n07001,Xã A,xã,20\n07002,Xã B,xã,20\n';
    expect(await parseUnitFile(csv, 'csv', { maxRows: 3 })).toMatchObject({ ok: true });
    // Row 7 opens a quote that never closes: reading it would be an error of its own.
    expect(await parseUnitFile(`${csv}07003,Xã C,xã,20\n07004,"never closed\n`, 'csv', { maxRows: 3 })).toEqual({
      ok: false,
      errors: [
        {
          row: 6,
          message:
            'Tệp có hơn 3 đơn vị (đơn vị thứ 4 ở dòng 6); mỗi tệp tối đa 3 đơn vị / The file has more than 3 units (number 4 is on row 6); the limit is 3 per file',
        },
      ],
      limit: expect.objectContaining({ code: 'UNITS_FILE_TOO_MANY_ROWS', limit: 3, row: 6 }),
    });
  });

  it('stops at a value past column AX or a cell over 1,000 characters', async () => {
    expect(await parseUnitFile(`code,name,type${','.repeat(50)}x\n`, 'csv', LIMITS)).toMatchObject({
      ok: false,
      errors: [{ message: expect.stringMatching(/^Dòng 1: có dữ liệu ở cột BA \(cột thứ 53\)/) }],
      limit: { code: 'UPLOAD_TOO_MANY_COLUMNS' },
    });
    expect(await parseUnitFile(`code,name,type\n20,${'x'.repeat(1_001)},tỉnh\n`, 'csv', LIMITS)).toMatchObject({
      ok: false,
      errors: [{ row: 2, message: expect.stringMatching(/^Dòng 2, cột B: ô dài 1001 ký tự, quá giới hạn 1000 ký tự/) }],
      limit: { code: 'UPLOAD_CELL_TOO_LONG' },
    });
  });

  it('reads the first sheet of an XLSX file the same way, and refuses a CSV sent as XLSX', async () => {
    const workbook = new Workbook();
    const sheet = workbook.addWorksheet('Thôn');
    sheet.addRow(['Mã đơn vị', 'Tên', 'Loại', 'Mã đơn vị cấp trên']);
    sheet.addRow(['07210001', 'Tổ dân phố số 1', 'Tổ dân phố', '07210']);
    sheet.addRow([]);
    sheet.addRow(['07210002', 'Tổ dân phố số 2', 'Tổ dân phố', '07210']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const result = await parseUnitFile(xlsx, 'xlsx', LIMITS);
    expect(result.ok && result.rows.map((r) => [r.row, r.code, r.unitType, r.parentCode])).toEqual([
      [2, '07210001', 'Tổ dân phố', '07210'],
      [4, '07210002', 'Tổ dân phố', '07210'],
    ]);
    expect(await parseUnitFile('code,name,type\n', 'xlsx', LIMITS)).toEqual({
      ok: false,
      errors: [{ row: 1, message: 'Tệp không phải là tệp XLSX / The file is not an XLSX file' }],
    });
  });
});
