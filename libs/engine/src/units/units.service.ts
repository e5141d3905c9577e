import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import { AdminUnit } from '@rasoat/persistence';
import { assertInScope } from '../auth/actor-scope';
import { withPaths, type UnitSeed } from './unit-tree';
import { UnitNotFoundException } from './units.exception';

@Injectable()
export class UnitsService {
  constructor(private readonly em: EntityManager) {}

  async get(code: string): Promise<AdminUnit> {
    const unit = await this.em.fork().findOne(AdminUnit, { code });
    if (!unit) throw new UnitNotFoundException(code);
    return unit;
  }

  /** A unit and its children, visible only within the actor's scope. */
  async getWithChildren(code: string, actor: Actor): Promise<{ unit: AdminUnit; children: AdminUnit[] }> {
    const unit = await this.get(code);
    assertInScope(actor, unit.path, `đơn vị ${code}`);
    const children = await this.em.fork().find(AdminUnit, { parentCode: code }, { orderBy: { code: 'asc' } });
    return { unit, children };
  }

  /** Inserts units that do not exist yet (idempotent), computing their paths. */
  async upsertTree(units: readonly UnitSeed[]): Promise<number> {
    const em = this.em.fork();
    const parents = [...new Set(units.map((u) => u.parentCode).filter((c): c is string => !!c))];
    const known = new Map(
      (await em.find(AdminUnit, { code: { $in: parents } })).map((u) => [u.code, { path: u.path, provinceCode: u.provinceCode }]),
    );
    const rows = withPaths(units, known);
    let inserted = 0;
    for (let i = 0; i < rows.length; i += 5000) {
      const batch = rows.slice(i, i + 5000);
      const result = await em.getConnection().execute(
        `insert into admin_unit (code, name, level, parent_code, path, province_code)
         select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
         on conflict (code) do nothing`,
        [batch.map((r) => r.code), batch.map((r) => r.name), batch.map((r) => r.level), batch.map((r) => r.parentCode), batch.map((r) => r.path), batch.map((r) => r.provinceCode)],
        'run',
      );
      inserted += (result as { affectedRows?: number }).affectedRows ?? 0;
    }
    return inserted;
  }
}
