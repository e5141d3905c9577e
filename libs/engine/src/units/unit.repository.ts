import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import { AdminUnit, type UnitChangeKind, type UnitLevel } from '@rasoat/persistence';
import { sql } from '../infrastructure';
import type { ExistingUnit, UnitMerge, UnitRename } from './unit-import-plan';
import type { UnitRow } from './unit-tree';

/** A unit as the unit directory keeps it. */
export interface UnitLink {
  code: string;
  name: string;
  level: UnitLevel;
}

/** A commune as the demo tree and the households' default area read it. */
export interface CommuneRow {
  code: string;
  name: string;
  unitType: string | null;
}

/** What loading an official list did: units inserted, units updated (renamed), codes held by other units. */
export interface OfficialListLoad {
  inserted: number;
  updated: number;
  /** Codes of the list that another unit (at another place of the tree) holds: left as they are. */
  held: string[];
}

/** One row of `unit_change` as the API shows it. */
export interface UnitChangeRow {
  id: string;
  importId: string;
  unitCode: string;
  provinceCode: string;
  kind: UnitChangeKind;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  mergedInto: string | null;
  at: string;
  actor: Actor;
  fileName: string | null;
  fileSha256: string;
}

/** What one import wrote, for its history rows. */
export interface UnitImportRecord {
  importId: string;
  at: Date;
  actor: Actor;
  fileName: string | null;
  fileSha256: string;
}

/** Units inserted per statement. */
const INSERT_BATCH = 5000;
/** Imports take this transaction-scoped advisory lock: one import at a time reads and changes the tree. */
const IMPORT_LOCK = 'rasoat-unit-import';

const unitJson = (r: UnitRow, source: string | null) => ({
  code: r.code,
  name: r.name,
  level: r.level,
  parent_code: r.parentCode,
  path: r.path,
  province_code: r.provinceCode,
  unit_type: r.unitType ?? null,
  name_en: r.nameEn ?? null,
  source,
});
const RECORDSET =
  'jsonb_to_recordset(?::jsonb) as t(code text, name text, level text, parent_code text, path text, province_code text, unit_type text, name_en text, source text)';

/** The SQL of the administrative tree (`admin_unit`, with its materialised paths), its history (`unit_change`) and the official lists loaded (`unit_list`). */
@Injectable()
export class UnitRepository {
  constructor(private readonly em: EntityManager) {}

  findByCode(code: string): Promise<AdminUnit | null> {
    return this.em.fork().findOne(AdminUnit, { code });
  }

  /** The units whose parent is `code`, by code (retired ones too: they carry finished cases). */
  children(code: string): Promise<AdminUnit[]> {
    return this.em.fork().find(AdminUnit, { parentCode: code }, { orderBy: { code: 'asc' } });
  }

  /** Path and province of each of `codes` that exists. */
  async placesOf(codes: readonly string[]): Promise<Map<string, { path: string; provinceCode: string }>> {
    const units = await this.em.fork().find(AdminUnit, { code: { $in: [...codes] } });
    return new Map(units.map((u) => [u.code, { path: u.path, provinceCode: u.provinceCode }]));
  }

  /** Inserts the units whose code does not exist yet, in statements of 5,000; how many were inserted. */
  async insertMissing(rows: readonly UnitRow[], source: string | null = null, tx?: EntityManager): Promise<number> {
    const em = tx ?? this.em.fork();
    let inserted = 0;
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      const batch = rows.slice(i, i + INSERT_BATCH);
      const result = await sql<{ code: string }>(
        em,
        `insert into admin_unit (code, name, level, parent_code, path, province_code, unit_type, name_en, source)
         select code, name, level, parent_code, path, province_code, unit_type, name_en, source from ${RECORDSET}
         on conflict (code) do nothing returning code`,
        [JSON.stringify(batch.map((r) => unitJson(r, source)))],
      );
      inserted += result.length;
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

  /** The sha256 of the official list `name` as loaded last; undefined when it never was. */
  async officialListHash(name: string): Promise<string | undefined> {
    const [row] = await this.em
      .fork()
      .execute<{ sha256: string }[]>('select sha256 from unit_list where name = ?', [name]);
    return row?.sha256;
  }

  /**
   * Loads an official list in one statement: inserts its units, updates name, type and English
   * name of those already at their place (an older load of the list), and leaves alone any code
   * another unit holds at another place of the tree (`held`). When nothing is held, records the
   * list's name and hash in `unit_list`, so that the next start skips it.
   */
  async loadOfficialList(name: string, sha256: string, rows: readonly UnitRow[], at: Date): Promise<OfficialListLoad> {
    return this.em.fork().transactional(async (tx) => {
      const [result] = await sql<{ inserted: number; updated: number; held: string[] }>(
        tx,
        `with input as (select * from ${RECORDSET}),
         held as (select i.code from input i join admin_unit u on u.code = i.code where u.path <> i.path),
         upserted as (
           insert into admin_unit (code, name, level, parent_code, path, province_code, unit_type, name_en, source)
           select code, name, level, parent_code, path, province_code, unit_type, name_en, source from input
           on conflict (code) do update set name = excluded.name, unit_type = excluded.unit_type, name_en = excluded.name_en, source = excluded.source
             where admin_unit.path = excluded.path
               and (admin_unit.name, admin_unit.unit_type, admin_unit.name_en, admin_unit.source)
                   is distinct from (excluded.name, excluded.unit_type, excluded.name_en, excluded.source)
           returning code, (xmax = 0) as inserted)
         select (select count(*) from upserted where inserted)::int as inserted,
                (select count(*) from upserted where not inserted)::int as updated,
                coalesce((select array_agg(code order by code) from held), '{}') as held`,
        [JSON.stringify(rows.map((r) => unitJson(r, name)))],
      );
      if (result.held.length === 0)
        await sql(
          tx,
          `insert into unit_list (name, sha256, units, loaded_at) values (?, ?, ?, ?)
           on conflict (name) do update set sha256 = excluded.sha256, units = excluded.units, loaded_at = excluded.loaded_at`,
          [name, sha256, rows.length, at],
        );
      return result;
    });
  }

  /** The communes directly under a province still in use (not retired), by code. */
  communesOf(provinceCode: string): Promise<CommuneRow[]> {
    return this.em.fork().execute<CommuneRow[]>(
      `select code, name, unit_type as "unitType" from admin_unit
         where parent_code = ? and level = 'commune' and retired_at is null order by code`,
      [provinceCode],
    );
  }

  /** Of the subtrees at `paths`, those that hold a unit some case names (its village or commune). */
  async subtreesWithCases(paths: readonly string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const rows = await sql<{ path: string }>(
      this.em.fork(),
      `select p.path from unnest(?::text[]) as p(path)
       where exists (select 1 from review_case c where c.unit_path like p.path || '%')`,
      [paths],
    );
    return rows.map((r) => r.path);
  }

  /** Deletes every unit of the subtrees at `paths` (their roots included); how many. */
  async deleteSubtrees(paths: readonly string[]): Promise<number> {
    if (paths.length === 0) return 0;
    const rows = await sql<{ code: string }>(
      this.em.fork(),
      `delete from admin_unit u using unnest(?::text[]) as p(path) where u.path like p.path || '%' returning u.code`,
      [paths],
    );
    return rows.length;
  }

  /** Units of the province `provinceCode` at `level` whose source is none of the national lists (null or other). */
  unofficialUnits(provinceCode: string, level: UnitLevel): Promise<{ code: string; name: string; path: string }[]> {
    return this.em
      .fork()
      .execute(
        `select code, name, path from admin_unit where province_code = ? and level = ? and source is distinct from 'vn-2026' order by code`,
        [provinceCode, level],
      );
  }

  /** The history of imports: for one unit, or for a province (newest first), `limit` rows before the id `before`. */
  changes(filter: {
    unitCode?: string;
    provinceCode?: string;
    before?: string;
    limit: number;
  }): Promise<UnitChangeRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.unitCode !== undefined) {
      where.push('(unit_code = ? or merged_into = ?)');
      params.push(filter.unitCode, filter.unitCode);
    }
    if (filter.provinceCode !== undefined) {
      where.push('province_code = ?');
      params.push(filter.provinceCode);
    }
    if (filter.before !== undefined) {
      where.push('id < ?');
      params.push(filter.before);
    }
    return this.em.fork().execute<UnitChangeRow[]>(
      `select id::text, import_id as "importId", unit_code as "unitCode", province_code as "provinceCode", kind, before, after,
              merged_into as "mergedInto", to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, actor,
              file_name as "fileName", file_sha256 as "fileSha256"
       from unit_change ${where.length > 0 ? `where ${where.join(' and ')}` : ''} order by id desc limit ?`,
      [...params, filter.limit],
    );
  }

  /** Runs `work` in one transaction holding the import lock; the statements it gets run in that transaction. */
  transaction<T>(work: (tx: UnitImportStatements) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [IMPORT_LOCK]);
      return work(new UnitImportStatements(tx, this));
    });
  }
}

/** The statements of one import, inside the transaction (and the lock) of `UnitRepository.transaction`. */
export class UnitImportStatements {
  constructor(
    private readonly tx: EntityManager,
    private readonly units: UnitRepository,
  ) {}

  /** The units among `codes` that exist, retired ones included. */
  async existing(codes: readonly string[]): Promise<ExistingUnit[]> {
    if (codes.length === 0) return [];
    return sql<ExistingUnit>(
      this.tx,
      `select code, name, level, parent_code as "parentCode", path, province_code as "provinceCode", unit_type as "unitType",
              source, retired_at as "retiredAt", merged_into as "mergedInto"
       from admin_unit where code = any(?::text[])`,
      [codes],
    );
  }

  /** Of `villageCodes`, those with a case still running (status active), each with its campaign's year. */
  async runningCases(villageCodes: readonly string[]): Promise<Map<string, number>> {
    if (villageCodes.length === 0) return new Map();
    const rows = await sql<{ village_code: string; year: number }>(
      this.tx,
      `select c.village_code, max(k.year)::int as year from review_case c join campaign k on k.id = c.campaign_id
       where c.village_code = any(?::text[]) and c.status = 'active' group by c.village_code`,
      [villageCodes],
    );
    return new Map(rows.map((r) => [r.village_code, r.year]));
  }

  insert(rows: readonly UnitRow[], source: string): Promise<number> {
    return this.units.insertMissing(rows, source, this.tx);
  }

  async rename(renames: readonly UnitRename[]): Promise<void> {
    if (renames.length === 0) return;
    await sql(
      this.tx,
      `update admin_unit u set name = t.name, unit_type = t.unit_type
       from jsonb_to_recordset(?::jsonb) as t(code text, name text, unit_type text) where u.code = t.code`,
      [JSON.stringify(renames.map((r) => ({ code: r.code, name: r.after.name, unit_type: r.after.unitType })))],
    );
  }

  async retire(merges: readonly UnitMerge[], at: Date): Promise<void> {
    if (merges.length === 0) return;
    await sql(
      this.tx,
      `update admin_unit u set retired_at = ?, merged_into = t.merged_into
       from jsonb_to_recordset(?::jsonb) as t(code text, merged_into text) where u.code = t.code`,
      [at, JSON.stringify(merges.map((m) => ({ code: m.code, merged_into: m.mergedInto })))],
    );
  }

  /** One `unit_change` row per change, all of the same import. */
  async recordChanges(
    record: UnitImportRecord,
    changes: readonly {
      unitCode: string;
      provinceCode: string;
      kind: UnitChangeKind;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
      mergedInto: string | null;
    }[],
  ): Promise<void> {
    if (changes.length === 0) return;
    await sql(
      this.tx,
      `insert into unit_change (import_id, unit_code, province_code, kind, before, after, merged_into, at, actor, file_name, file_sha256)
       select ?::uuid, t.unit_code, t.province_code, t.kind, t.before, t.after, t.merged_into, ?, ?::jsonb, ?, ?
       from jsonb_to_recordset(?::jsonb) as t(unit_code text, province_code text, kind text, before jsonb, after jsonb, merged_into text)`,
      [
        record.importId,
        record.at,
        JSON.stringify(record.actor),
        record.fileName,
        record.fileSha256,
        JSON.stringify(
          changes.map((c) => ({
            unit_code: c.unitCode,
            province_code: c.provinceCode,
            kind: c.kind,
            before: c.before,
            after: c.after,
            merged_into: c.mergedInto,
          })),
        ),
      ],
    );
  }
}
