import { ROLE_LEVELS, type AdminLevel, type UserRole } from '@rasoat/contracts';
import { NATION } from './actor-scope';
import { AuthErrorCode, AuthException } from './auth.exception';

/** Where a role acts from, and what a unit is, in both languages. */
const LEVEL_NAMES: Readonly<Record<AdminLevel, { vi: string; en: string }>> = {
  nation: { vi: 'cấp toàn quốc (VN)', en: 'the nation (VN)' },
  province: { vi: 'cấp tỉnh', en: 'a province' },
  district: { vi: 'cấp huyện', en: 'a district' },
  commune: { vi: 'cấp xã', en: 'a commune' },
  village: { vi: 'cấp thôn', en: 'a village' },
};

/**
 * Why `role` may not act from `unit`, or null when it may: the unit must exist and be of the
 * level the role acts from (`ROLE_LEVELS`) — the national admin only at `VN`, a province role
 * only at a province, a village board only at a village. `known` is what the unit directory
 * holds for `unit` (undefined: no such unit); `VN` is the nation whatever the directory says.
 */
export function roleLevelRefusal(
  role: UserRole,
  unit: string,
  known: { level: AdminLevel } | undefined,
): AuthException | null {
  const expected = ROLE_LEVELS[role];
  const want = LEVEL_NAMES[expected];
  const details = { role, unit, expectedLevel: expected };
  const level = unit === NATION ? 'nation' : known?.level;
  if (level === undefined) {
    return new AuthException(
      'forbidden',
      AuthErrorCode.UnknownUnit,
      `Không có đơn vị hành chính "${unit}"; vai trò ${role} hoạt động ở ${want.vi} / unknown administrative unit "${unit}"; role ${role} acts from ${want.en}`,
      details,
    );
  }
  if (level === expected) return null;
  const got = LEVEL_NAMES[level];
  return new AuthException(
    'forbidden',
    AuthErrorCode.RoleLevelMismatch,
    `Vai trò ${role} chỉ hoạt động ở ${want.vi}, không ở ${unit} (${got.vi}) / role ${role} acts only from ${want.en}, not from ${unit} (${got.en})`,
    { ...details, unitLevel: level },
  );
}
