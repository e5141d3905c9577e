import type { Actor } from '@rasoat/contracts';
import { seesPersonalData } from './personal-data-access';

const actor = (role: string, unit: string): Actor => ({ sub: `${role}@${unit}`, role: role as Actor['role'], unit });
const unit = { villageCode: 'T1C1V1', communeCode: 'T1C1' };

describe('who sees personal data', () => {
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
