import { maskIdNumber, maskName } from './household-privacy';

describe('household personal data', () => {
  it('masks a name to its initials, the last word without stars', () => {
    expect(maskName('Nguyễn Văn An')).toBe('N*** V*** A');
    expect(maskName('  Trần   Thị  Bình ')).toBe('T*** T*** B');
    expect(maskName('Đặng')).toBe('Đ');
    expect(maskName('')).toBe('***');
  });

  it('keeps the first letter whole when it is decomposed or outside the BMP', () => {
    // "Ấ" written as A + combining marks (NFD) is one letter after NFC.
    expect(maskName('A\u0302\u0301u Cơ')).toBe('Ấ*** C');
    expect(maskName('𠀀bc Dung')).toBe('𠀀*** D');
  });

  it('keeps the last four characters of an ID number', () => {
    expect(maskIdNumber('001090012345')).toBe('********2345');
    expect(maskIdNumber('123')).toBe('***');
    expect(maskIdNumber(null)).toBeNull();
    expect(maskIdNumber(undefined)).toBeNull();
    expect(maskIdNumber('')).toBeNull();
  });
});
