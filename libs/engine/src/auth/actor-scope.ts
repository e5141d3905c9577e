import { ROLE_LEVELS, type Actor } from '@rasoat/contracts';
import { AuthErrorCode, AuthException } from './auth.exception';

/** The national scope code: a national admin sees every unit. */
export const NATION = 'VN';

/**
 * True for the actors whose scope is the whole country: a national role at `VN`, or the engine.
 * A role of another level at `VN` is refused at the door (`ActorLevelCheck`); this keeps it from
 * getting the nation's scope should a caller ever skip that check.
 */
export function isNational(actor: Actor): boolean {
  return actor.unit === NATION && (actor.role === 'system' || ROLE_LEVELS[actor.role] === 'nation');
}

/** True when the unit at `unitPath` (`/24/213/07654/…/`) is the actor's unit or below it. */
export function inScope(actor: Actor, unitPath: string): boolean {
  if (actor.unit === NATION) return isNational(actor);
  return unitPath.includes(`/${actor.unit}/`);
}

export function assertInScope(actor: Actor, unitPath: string, what: string): void {
  if (!inScope(actor, unitPath)) {
    throw new AuthException(
      'forbidden',
      AuthErrorCode.OutOfScope,
      `Không có quyền với ${what} ngoài đơn vị ${actor.unit} / ${what} is outside your unit`,
    );
  }
}
