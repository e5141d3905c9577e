import type { Actor, UserRole } from '@rasoat/contracts';

/**
 * The roles that see households' personal data (head's name, ID number, address, and free text
 * that may name people), when scoped to the case's village or its commune. Everyone else in
 * scope (district, province, national) gets the same rows with those fields masked.
 */
export const PERSONAL_DATA_ROLES: readonly UserRole[] = Object.freeze([
  'village_board',
  'surveyor',
  'commune_committee',
  'commune_chairman',
]);

/** True when `actor` may see the personal data of the households of the case of `village` in `commune`. */
export function seesPersonalData(actor: Actor, unit: { villageCode: string; communeCode: string }): boolean {
  return (
    (PERSONAL_DATA_ROLES as readonly string[]).includes(actor.role) &&
    (actor.unit === unit.villageCode || actor.unit === unit.communeCode)
  );
}
