import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUnitsCsv, readUnitsFile } from './units.command';

describe('units import: reading the CSV', () => {
  it('reads Vietnamese headers and levels in any order, parents first', () => {
    const csv =
      '\uFEFFMã đơn vị;Tên;Cấp;Mã đơn vị cấp trên\n0700101;Thôn Đông;Thôn;07001\n07001;Xã Tân An;Xã;20\n20;Lạng Sơn;Tỉnh;\n';
    expect(parseUnitsCsv(csv)).toEqual({
      units: [
        { code: '20', name: 'Lạng Sơn', level: 'province', parentCode: null },
        { code: '07001', name: 'Xã Tân An', level: 'commune', parentCode: '20' },
        { code: '0700101', name: 'Thôn Đông', level: 'village', parentCode: '07001' },
      ],
    });
  });

  it('reports every bad row and column, and returns no units', () => {
    const csv =
      'code,name,level,parent\n20,Lạng Sơn,tỉnh,\n07001,,xã,20\n07002,Xã B,ấp chiến lược,20\n07001,Xã C,xã,20\n0700101,Thôn A,thôn,\n';
    expect(parseUnitsCsv(csv)).toEqual({
      errors: [
        'dòng 3, cột "Tên": trống / empty',
        'dòng 4, cột "Cấp": "ấp chiến lược" không rõ (tỉnh, huyện, xã, thôn) / unknown level',
        'dòng 5, cột "Mã đơn vị": "07001" trùng với dòng 3 / duplicate code',
        'dòng 6, cột "Mã đơn vị cấp trên": trống / a village needs its parent',
      ],
    });
  });

  it('names a missing column', () => {
    expect(parseUnitsCsv('code,name\n1,A\n')).toEqual({ errors: ['dòng 1: thiếu cột "Cấp" / missing column level'] });
  });

  it('stops reading at the unit past the limit, naming its row; blank rows do not count', () => {
    const csv = 'code,name,level,parent\n20,Lạng Sơn,tỉnh,\n\n07001,Xã A,xã,20\n07002,Xã B,xã,20\n';
    expect(parseUnitsCsv(csv, 3)).toEqual({ units: expect.any(Array) });
    // Row 7 opens a quote that never closes: reading it would be an error of its own.
    expect(parseUnitsCsv(`${csv}07003,Xã C,xã,20\n07004,"never closed\n`, 3)).toEqual({
      errors: [
        'Tệp có hơn 3 đơn vị (đơn vị thứ 4 ở dòng 6); mỗi tệp tối đa 3 đơn vị / The file has more than 3 units (number 4 is on row 6); the limit is 3 per file',
      ],
    });
  });

  it('stops at a value past column AX or a cell over 1,000 characters', () => {
    expect(parseUnitsCsv(`code,name,level${','.repeat(50)}x\n`)).toEqual({
      errors: [expect.stringMatching(/^Dòng 1: có dữ liệu ở cột BA \(cột thứ 53\)/)],
    });
    expect(parseUnitsCsv(`code,name,level\n20,${'x'.repeat(1_001)},tỉnh\n`)).toEqual({
      errors: [expect.stringMatching(/^Dòng 2, cột B: ô dài 1001 ký tự, quá giới hạn 1000 ký tự/)],
    });
  });

  it('refuses a file larger than the limit before reading it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rasoat-units-'));
    try {
      const file = join(dir, 'units.csv');
      writeFileSync(file, 'code,name,level\n20,Lạng Sơn,tỉnh\n');
      expect(readUnitsFile(file, { maxBytes: 1024, maxRows: 10 })).toEqual({
        units: [{ code: '20', name: 'Lạng Sơn', level: 'province', parentCode: null }],
      });
      expect(readUnitsFile(file, { maxBytes: 20, maxRows: 10 })).toEqual({
        errors: [expect.stringMatching(/^tệp dài 38 byte, quá giới hạn 20 byte \(UNITS_FILE_MAX_BYTES\)/)],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
