import type { Actor } from '@rasoat/contracts';
import { maskIdNumber, maskName, seesPersonalData } from './household-privacy';

const actor = (role: string, unit: string): Actor => ({ sub: `${role}@${unit}`, role: role as Actor['role'], unit });
const unit = { villageCode: 'T1C1V1', communeCode: 'T1C1' };

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

  it.each([
    ['village_board', 'T1C1V1', true],
    ['surveyor', 'T1C1V1', true],
    ['commune_committee', 'T1C1', true],
    ['commune_chairman', 'T1C1', true],
    ['village_board', 'T1C1V2', false],
    ['commune_committee', 'T1C2', false],
    ['commune_committee', 'T1', false],
    ['district_committee', 'T1D1', false],
    ['province_committee', 'T1', false],
    ['province_admin', 'T1', false],
    ['national_admin', 'VN', false],
    ['province_committee', 'T1C1', false],
  ])('%s at %s sees personal data: %s', (role, at, expected) => {
    expect(seesPersonalData(actor(role, at), unit)).toBe(expected);
  });
});
