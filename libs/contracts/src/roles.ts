import { z } from 'zod';

/**
 * The roles a user can hold, each scoped to one administrative unit and its subtree.
 * Definition events name the roles allowed to send them.
 */
export const USER_ROLES = [
  'village_board',
  'surveyor',
  'commune_committee',
  'commune_chairman',
  'district_committee',
  'district_chairman',
  'province_committee',
  'province_chairman',
  'province_admin',
  'national_admin',
] as const;
export const UserRole = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof UserRole>;

/** The levels of the administrative tree, the nation on top (`admin_unit.level`; the nation is the unit `VN`). */
export type AdminLevel = 'nation' | 'province' | 'district' | 'commune' | 'village';

/**
 * The one level each role acts from: its unit must be a unit of that level — a village board at a
 * village, a commune committee at a commune, province roles at a province, the national admin at
 * `VN`. A role held at another level would see (and act on) a subtree it does not govern, so
 * tokens of any other pair are refused, and a definition declaring another level is invalid.
 */
export const ROLE_LEVELS: Readonly<Record<UserRole, AdminLevel>> = Object.freeze({
  village_board: 'village',
  surveyor: 'village',
  commune_committee: 'commune',
  commune_chairman: 'commune',
  district_committee: 'district',
  district_chairman: 'district',
  province_committee: 'province',
  province_chairman: 'province',
  province_admin: 'province',
  national_admin: 'nation',
});

/** Who acts: the subject of a verified token, or the engine itself. */
export const Actor = z.strictObject({
  sub: z.string().min(1),
  role: z.union([UserRole, z.literal('system')]),
  /** Code of the unit the role is scoped to (`VN` for the nation). */
  unit: z.string().min(1),
  /**
   * Set on a recorded event only: the role in whose stead `role` entered it, as the definition
   * allows (`proxies`, e.g. a commune committee entering a village board's list). Never in a token.
   */
  onBehalfOf: z.string().min(1).optional(),
});
export type Actor = z.infer<typeof Actor>;

export const SYSTEM_ACTOR: Actor = { sub: 'system', role: 'system', unit: 'VN' };
