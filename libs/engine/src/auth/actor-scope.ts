import type { Actor } from '@rasoat/contracts';
import { AuthErrorCode, AuthException } from './auth.exception';

/** The national scope code: a national admin sees every unit. */
export const NATION = 'VN';

/** True when the unit at `unitPath` (`/24/213/07654/…/`) is the actor's unit or below it. */
export function inScope(actor: Actor, unitPath: string): boolean {
  return actor.unit === NATION || unitPath.includes(`/${actor.unit}/`);
}

export function assertInScope(actor: Actor, unitPath: string, what: string): void {
  if (!inScope(actor, unitPath)) {
    throw new AuthException('forbidden', AuthErrorCode.OutOfScope, `Không có quyền với ${what} ngoài đơn vị ${actor.unit} / ${what} is outside your unit`);
  }
}
