import { ROLE_LEVELS, USER_ROLES, type AdminLevel, type UserRole } from '@rasoat/contracts';
import { inScope } from './actor-scope';
import { roleLevelRefusal } from './role-level';

// One unit of each level of a test province, as the unit directory would return them.
const UNITS: Record<string, { level: AdminLevel }> = {
  T1: { level: 'province' },
  T1D1: { level: 'district' },
  T1C1: { level: 'commune' },
  T1C1V1: { level: 'village' },
};
const AT_LEVEL: Record<AdminLevel, string> = {
  nation: 'VN',
  province: 'T1',
  district: 'T1D1',
  commune: 'T1C1',
  village: 'T1C1V1',
};
const refusal = (role: UserRole, unit: string) => {
  const e = roleLevelRefusal(role, unit, UNITS[unit]);
  return e && { code: e.code, kind: e.kind, message: e.message, details: e.details };
};

describe('roleLevelRefusal: a role acts only from the level it belongs to', () => {
  it.each(USER_ROLES.map((r) => [r, AT_LEVEL[ROLE_LEVELS[r]]]))('%s at %s (its own level) may act', (role, unit) => {
    expect(refusal(role, unit)).toBeNull();
  });

  it.each(
    USER_ROLES.flatMap((role) =>
      Object.entries(AT_LEVEL)
        .filter(([level]) => level !== ROLE_LEVELS[role])
        .map(([level, unit]) => [role, unit, level]),
    ),
  )('%s at %s (a %s) is refused with AUTH_ROLE_LEVEL_MISMATCH', (role, unit, level) => {
    expect(refusal(role as UserRole, unit)).toMatchObject({
      code: 'AUTH_ROLE_LEVEL_MISMATCH',
      kind: 'forbidden',
      details: { role, unit, expectedLevel: ROLE_LEVELS[role as UserRole], unitLevel: level },
    });
  });

  it('names the role, the unit and the level it needs, in Vietnamese then English', () => {
    expect(refusal('village_board', 'VN')?.message).toBe(
      'Vai trò village_board chỉ hoạt động ở cấp thôn, không ở VN (cấp toàn quốc (VN)) / role village_board acts only from a village, not from VN (the nation (VN))',
    );
    expect(refusal('province_admin', 'VN')?.message).toBe(
      'Vai trò province_admin chỉ hoạt động ở cấp tỉnh, không ở VN (cấp toàn quốc (VN)) / role province_admin acts only from a province, not from VN (the nation (VN))',
    );
    expect(refusal('national_admin', 'T1')?.message).toBe(
      'Vai trò national_admin chỉ hoạt động ở cấp toàn quốc (VN), không ở T1 (cấp tỉnh) / role national_admin acts only from the nation (VN), not from T1 (a province)',
    );
  });

  it('refuses a unit that does not exist with AUTH_UNKNOWN_UNIT, naming it', () => {
    expect(refusal('village_board', 'T9C9V9')).toEqual({
      code: 'AUTH_UNKNOWN_UNIT',
      kind: 'forbidden',
      message:
        'Không có đơn vị hành chính "T9C9V9"; vai trò village_board hoạt động ở cấp thôn / unknown administrative unit "T9C9V9"; role village_board acts from a village',
      details: { role: 'village_board', unit: 'T9C9V9', expectedLevel: 'village' },
    });
  });

  it('takes VN as the nation whatever the directory says about it', () => {
    expect(roleLevelRefusal('national_admin', 'VN', { level: 'province' })).toBeNull();
    expect(roleLevelRefusal('province_admin', 'VN', { level: 'province' })?.code).toBe('AUTH_ROLE_LEVEL_MISMATCH');
  });
});

describe('inScope at VN', () => {
  const path = '/T2/T2C1/T2C1V1/';
  it('gives the whole country to the national admin and to the engine only', () => {
    expect(inScope({ sub: 'n', role: 'national_admin', unit: 'VN' }, path)).toBe(true);
    expect(inScope({ sub: 'system', role: 'system', unit: 'VN' }, path)).toBe(true);
  });

  it.each(USER_ROLES.filter((r) => r !== 'national_admin').map((r) => [r]))(
    'gives nothing to %s at VN, should a caller skip the level check',
    (role) => {
      expect(inScope({ sub: 'x', role, unit: 'VN' }, path)).toBe(false);
    },
  );
});
