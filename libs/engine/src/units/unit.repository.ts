import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AdminUnit, type UnitLevel } from '@rasoat/persistence';
import type { UnitRow } from './unit-tree';

/** A unit as the unit directory keeps it. */
export interface UnitLink {
  code: string;
  name: string;
  level: UnitLevel;
}

/** Units inserted per statement. */
const INSERT_BATCH = 5000;

/** The SQL of the administrative tree (`admin_unit`, with its materialised paths). */
@Injectable()
export class UnitRepository {
  constructor(private readonly em: EntityManager) {}

  findByCode(code: string): Promise<AdminUnit | null> {
    return this.em.fork().findOne(AdminUnit, { code });
  }

  /** The units whose parent is `code`, by code. */
  children(code: string): Promise<AdminUnit[]> {
    return this.em.fork().find(AdminUnit, { parentCode: code }, { orderBy: { code: 'asc' } });
  }

  /** Path and province of each of `codes` that exists. */
  async placesOf(codes: readonly string[]): Promise<Map<string, { path: string; provinceCode: string }>> {
    const units = await this.em.fork().find(AdminUnit, { code: { $in: [...codes] } });
    return new Map(units.map((u) => [u.code, { path: u.path, provinceCode: u.provinceCode }]));
  }

  /** Inserts the units whose code does not exist yet, in statements of 5,000; how many were inserted. */
  async insertMissing(rows: readonly UnitRow[]): Promise<number> {
    const em = this.em.fork();
    let inserted = 0;
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      const batch = rows.slice(i, i + INSERT_BATCH);
      const result = await em.execute(
        `insert into admin_unit (code, name, level, parent_code, path, province_code)
         select code, name, level, parent_code, path, province_code
         from jsonb_to_recordset(?::jsonb) as t(code text, name text, level text, parent_code text, path text, province_code text)
         on conflict (code) do nothing`,
        [
          JSON.stringify(
            batch.map((r) => ({
              code: r.code,
              name: r.name,
              level: r.level,
              parent_code: r.parentCode,
              path: r.path,
              province_code: r.provinceCode,
            })),
          ),
        ],
        'run',
      );
      inserted += (result as { affectedRows?: number }).affectedRows ?? 0;
    }
    return inserted;
  }

  /**
   * The units of `codes` that exist, on the caller's transaction when it passes one: a drain that
   * holds a connection must not wait for a second one from the pool (a fork of a transactional
   * EntityManager would leave the transaction and take another connection).
   */
  links(codes: readonly string[], tx?: EntityManager): Promise<UnitLink[]> {
    return (tx ?? this.em.fork()).execute<UnitLink[]>(
      "select code, name, level from admin_unit where code = any(string_to_array(?, ','))",
      [codes.join(',')],
    );
  }

  /** One unit; undefined when there is none. */
  async link(code: string): Promise<UnitLink | undefined> {
    const [row] = await this.em
      .fork()
      .execute<UnitLink[]>('select code, name, level from admin_unit where code = ?', [code]);
    return row;
  }
}
