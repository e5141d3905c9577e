import type { UnitLevel } from '@rasoat/persistence';

/** A unit to insert into the tree; `parentCode` must already exist or come earlier in the batch. */
export interface UnitSeed {
  code: string;
  name: string;
  level: UnitLevel;
  parentCode: string | null;
  /** `Tỉnh`, `Xã`, `Phường`, `Thôn`, `Tổ dân phố`…; absent or null when not known. */
  unitType?: string | null;
  /** The national list's English name. */
  nameEn?: string | null;
}

export interface UnitRow extends UnitSeed {
  path: string;
  provinceCode: string;
}

/**
 * Computes each unit's path from the province down. Works for both shapes of the tree:
 * province → district → commune → village (before July 2025) and province → commune →
 * village (after), because a path is just the chain of parents.
 */
export function withPaths(
  units: readonly UnitSeed[],
  known: ReadonlyMap<string, { path: string; provinceCode: string }> = new Map(),
): UnitRow[] {
  const resolved = new Map(known);
  const rows: UnitRow[] = [];
  for (const unit of units) {
    const parent = unit.parentCode ? resolved.get(unit.parentCode) : undefined;
    if (unit.parentCode && !parent)
      throw new Error(`unit ${unit.code}: parent ${unit.parentCode} is unknown or comes later in the list`);
    const path = `${parent?.path ?? '/'}${unit.code}/`;
    const provinceCode = unit.level === 'province' ? unit.code : (parent?.provinceCode ?? unit.code);
    resolved.set(unit.code, { path, provinceCode });
    rows.push({ ...unit, path, provinceCode });
  }
  return rows;
}
