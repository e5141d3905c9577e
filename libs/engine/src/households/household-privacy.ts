import type { Actor, UserRole } from '@rasoat/contracts';

/**
 * The roles that see households' personal data (head's name, ID number, address, and free text
 * that may name people), when scoped to the case's village or its commune. Everyone else in
 * scope (district, province, national) gets the same rows with those fields masked.
 */
export const PERSONAL_DATA_ROLES: readonly UserRole[] = Object.freeze(['village_board', 'surveyor', 'commune_committee', 'commune_chairman']);

/** True when `actor` may see the personal data of the households of the case of `village` in `commune`. */
export function seesPersonalData(actor: Actor, unit: { villageCode: string; communeCode: string }): boolean {
  return (PERSONAL_DATA_ROLES as readonly string[]).includes(actor.role) && (actor.unit === unit.villageCode || actor.unit === unit.communeCode);
}

/**
 * Keeps the initials of a name: "Nguyễn Văn An" → "N*** V*** A". Each word but the last is its
 * first letter and `***`, the last its first letter only; letters are counted as characters, not
 * UTF-16 units, after NFC, so "Đặng" gives "Đ".
 */
export function maskName(name: string): string {
  const words = name.normalize('NFC').trim().split(/\s+/u).filter((word) => word !== '');
  if (words.length === 0) return '***';
  return words.map((word, i) => `${Array.from(word)[0]}${i < words.length - 1 ? '***' : ''}`).join(' ');
}

/** Keeps the last four characters: "001090012345" → "********2345"; null stays null. */
export function maskIdNumber(idNumber: string | null | undefined): string | null {
  if (idNumber === null || idNumber === undefined || idNumber === '') return null;
  const visible = idNumber.length > 4 ? idNumber.slice(-4) : '';
  return `${'*'.repeat(idNumber.length - visible.length)}${visible}`;
}
