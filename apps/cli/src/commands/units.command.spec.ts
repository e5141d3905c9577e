import { parseUnitsCsv } from './units.command';

describe('units import: reading the CSV', () => {
  it('reads Vietnamese headers and levels in any order, parents first', () => {
    const csv = '\uFEFFMã đơn vị;Tên;Cấp;Mã đơn vị cấp trên\n0700101;Thôn Đông;Thôn;07001\n07001;Xã Tân An;Xã;20\n20;Lạng Sơn;Tỉnh;\n';
    expect(parseUnitsCsv(csv)).toEqual({
      units: [
        { code: '20', name: 'Lạng Sơn', level: 'province', parentCode: null },
        { code: '07001', name: 'Xã Tân An', level: 'commune', parentCode: '20' },
        { code: '0700101', name: 'Thôn Đông', level: 'village', parentCode: '07001' },
      ],
    });
  });

  it('reports every bad row and column, and returns no units', () => {
    const csv = 'code,name,level,parent\n20,Lạng Sơn,tỉnh,\n07001,,xã,20\n07002,Xã B,ấp chiến lược,20\n07001,Xã C,xã,20\n0700101,Thôn A,thôn,\n';
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
});
