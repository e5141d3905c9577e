import { Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import { NATION, roleLevelRefusal } from '../auth';
import { UnitDirectory } from './unit-directory';

/**
 * The door of every authenticated request: the token's unit must exist and be of its role's
 * level (`roleLevelRefusal`), so that scope checks downstream — "the unit path contains the
 * actor's unit", "`VN` sees everything" — only ever see a role at its own level. Units come from
 * the process's unit directory: a query the first time a unit is seen, a map lookup after.
 */
@Injectable()
export class ActorLevelCheck {
  constructor(private readonly directory: UnitDirectory) {}

  /** Throws a 403 (`AUTH_ROLE_LEVEL_MISMATCH`, `AUTH_UNKNOWN_UNIT`) naming the role, the unit and the level it needs. */
  async assert(actor: Actor): Promise<void> {
    if (actor.role === 'system') return;
    const known = actor.unit === NATION ? undefined : await this.directory.find(actor.unit);
    const refusal = roleLevelRefusal(actor.role, actor.unit, known);
    if (refusal) throw refusal;
  }
}
