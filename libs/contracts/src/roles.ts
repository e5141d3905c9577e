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
  'province_admin',
  'national_admin',
] as const;
export const UserRole = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof UserRole>;

/** Who acts: the subject of a verified token, or the engine itself. */
export const Actor = z.strictObject({
  sub: z.string().min(1),
  role: z.union([UserRole, z.literal('system')]),
  /** Code of the unit the role is scoped to (`VN` for the nation). */
  unit: z.string().min(1),
});
export type Actor = z.infer<typeof Actor>;

export const SYSTEM_ACTOR: Actor = { sub: 'system', role: 'system', unit: 'VN' };
