import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import { AdminUnit } from '@rasoat/persistence';
import { assertInScope } from '../auth';
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
      const result = await em.execute(
        `insert into admin_unit (code, name, level, parent_code, path, province_code)
         select code, name, level, parent_code, path, province_code
         from jsonb_to_recordset(?::jsonb) as t(code text, name text, level text, parent_code text, path text, province_code text)
         on conflict (code) do nothing`,
        [JSON.stringify(batch.map((r) => ({ code: r.code, name: r.name, level: r.level, parent_code: r.parentCode, path: r.path, province_code: r.provinceCode })))],
        'run',
      );
      inserted += (result as { affectedRows?: number }).affectedRows ?? 0;
    }
    return inserted;
  }
}
