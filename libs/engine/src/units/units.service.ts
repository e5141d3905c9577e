import { Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import type { AdminUnit } from '@rasoat/persistence';
import { assertInScope } from '../auth';
import { withPaths, type UnitSeed } from './unit-tree';
import { UnitRepository } from './unit.repository';
import { UnitNotFoundException } from './units.exception';

@Injectable()
export class UnitsService {
  constructor(private readonly units: UnitRepository) {}

  async get(code: string): Promise<AdminUnit> {
    const unit = await this.units.findByCode(code);
    if (!unit) throw new UnitNotFoundException(code);
    return unit;
  }

  /** A unit and its children, visible only within the actor's scope. */
  async getWithChildren(code: string, actor: Actor): Promise<{ unit: AdminUnit; children: AdminUnit[] }> {
    const unit = await this.get(code);
    assertInScope(actor, unit.path, `đơn vị ${code}`);
    const children = await this.units.children(code);
    return { unit, children };
  }

  /**
   * Inserts units that do not exist yet (idempotent), computing their paths; `source` says where
   * they came from (`demo`, `simulation`…). Tests, the simulator and the benchmark seed their
   * trees so; a province's real villages come through `UnitImportService`.
   */
  async upsertTree(units: readonly UnitSeed[], source: string | null = null): Promise<number> {
    const parents = [...new Set(units.map((u) => u.parentCode).filter((c): c is string => !!c))];
    const rows = withPaths(units, await this.units.placesOf(parents));
    return this.units.insertMissing(rows, source);
  }
}
