import type { UnitLevel } from '@rasoat/persistence';
import type { UnitFileColumns, UnitFileError, UnitFileRow } from './unit-file';
import { withPaths, type UnitRow } from './unit-tree';

/** A unit of the database that a file names (as code, parent or merge target). */
export interface ExistingUnit {
  code: string;
  name: string;
  level: UnitLevel;
  parentCode: string | null;
  path: string;
  provinceCode: string;
  unitType: string | null;
  /** `vn-2026` for the national list (never changed by a file). */
  source: string | null;
  retiredAt: Date | string | null;
  mergedInto: string | null;
}

/** The national lists' `source` values: their units are the reference, never changed by a file. */
export const OFFICIAL_SOURCES: readonly string[] = ['vn-2026'];

export interface UnitImportRules {
  /** The API's upload takes villages only; the CLI (an operator) any level. */
  villagesOnly: boolean;
  /** True when the actor may change units at this path (a province admin: inside the province). */
  inScope: (path: string) => boolean;
  /** Villages (of those to merge) with a case still running, each with the year of its campaign. */
  runningCases: ReadonlyMap<string, number>;
}

export interface UnitRename {
  code: string;
  provinceCode: string;
  before: { name: string; unitType: string | null };
  after: { name: string; unitType: string | null };
}

export interface UnitMerge {
  code: string;
  provinceCode: string;
  before: { name: string; unitType: string | null };
  mergedInto: string;
}

export interface UnitImportPlan {
  create: UnitRow[];
  rename: UnitRename[];
  merge: UnitMerge[];
  unchanged: number;
}

/** Every refusal, with its row and column; `outOfScope` when some row is outside the actor's units. */
export type PlanResult =
  { ok: true; plan: UnitImportPlan } | { ok: false; errors: UnitFileError[]; outOfScope: boolean };

/** The level a unit of `level` hangs under. */
const PARENT_LEVELS: Record<UnitFileRow['level'], readonly UnitLevel[]> = {
  province: [],
  district: ['province'],
  commune: ['province', 'district'],
  village: ['commune'],
};
const LEVEL_VI: Record<UnitLevel, string> = {
  nation: 'quốc gia',
  province: 'tỉnh',
  district: 'huyện',
  commune: 'xã',
  village: 'thôn',
};

const bilingual = (vi: string, en: string) => `${vi} / ${en}`;
const day = (at: Date | string) => new Date(at).toISOString().slice(0, 10);

/**
 * Decides what a units file does to the tree, all or nothing (pure: the database's units come in
 * `existing`). A row whose code is new creates the unit under its parent (an existing unit or one
 * created earlier in the file, of the level above: a village under a commune). A row whose code
 * exists at the same place renames it when its name or type differ (a type left generic keeps
 * the unit's) and changes nothing otherwise; with "Sáp nhập vào" it merges the village into
 * another village of the same commune, which retires it. The national list's units are the
 * reference: a row naming one at its place changes nothing, whatever name it gives. Refused, each
 * naming the row and the column: a parent that does not exist, is retired or of the wrong level;
 * a unit outside the actor's province (`outOfScope`); a unit that exists elsewhere or at another
 * level (moving is not supported); the code of a merged village used again; a merge of a village
 * that does not exist, into one that does not exist, is retired, is merged by the same file, or
 * is in another commune; a merge of a village whose case of a campaign is still running.
 */
export function planUnitImport(
  rows: readonly UnitFileRow[],
  columns: UnitFileColumns,
  existing: ReadonlyMap<string, ExistingUnit>,
  rules: UnitImportRules,
): PlanResult {
  const errors: UnitFileError[] = [];
  let outOfScope = false;
  const at = (row: UnitFileRow, column: keyof UnitFileColumns, vi: string, en: string) =>
    errors.push({ row: row.row, column: columns[column], message: bilingual(vi, en) });
  const scope = (row: UnitFileRow, column: keyof UnitFileColumns, path: string, code: string) => {
    if (rules.inScope(path)) return true;
    outOfScope = true;
    at(
      row,
      column,
      `${code} thuộc tỉnh ${path.split('/')[1]}, ngoài đơn vị của bạn`,
      `${code} is in province ${path.split('/')[1]}, outside your unit`,
    );
    return false;
  };

  const created = new Map<string, UnitFileRow>();
  const merging = new Map(rows.filter((r) => r.mergedInto !== null).map((r) => [r.code, r]));
  const toCreate: UnitFileRow[] = [];
  const rename: UnitRename[] = [];
  const merge: UnitMerge[] = [];
  let unchanged = 0;

  for (const row of rows) {
    if (rules.villagesOnly && row.level !== 'village') {
      at(
        row,
        'type',
        `chỉ nhập được thôn, tổ dân phố, bản, ấp…; ${LEVEL_VI[row.level]} do danh mục quốc gia hoặc quản trị hệ thống nạp`,
        `only villages can be uploaded; a ${row.level} comes from the national list or the operator`,
      );
      continue;
    }
    // The parent: in the database (active) or created earlier in this file, of the level above.
    const parentRow = row.parentCode ? created.get(row.parentCode) : undefined;
    const parentUnit = row.parentCode ? existing.get(row.parentCode) : undefined;
    const parentLevel = parentRow?.level ?? parentUnit?.level;
    if (row.parentCode !== null) {
      if (parentLevel === undefined) {
        at(
          row,
          'parent',
          `không có đơn vị mã "${row.parentCode}" (${row.level === 'village' ? 'xã' : 'đơn vị cấp trên'} chưa có trong danh mục)`,
          `no unit has code "${row.parentCode}"`,
        );
        continue;
      }
      if (!PARENT_LEVELS[row.level].includes(parentLevel)) {
        at(
          row,
          'parent',
          `"${row.parentCode}" là đơn vị cấp ${LEVEL_VI[parentLevel]}; ${LEVEL_VI[row.level]} phải thuộc cấp ${PARENT_LEVELS[row.level].map((l) => LEVEL_VI[l]).join(' hoặc ')}`,
          `"${row.parentCode}" is a ${parentLevel}; a ${row.level} belongs to a ${PARENT_LEVELS[row.level].join(' or ')}`,
        );
        continue;
      }
      if (parentUnit?.retiredAt) {
        at(
          row,
          'parent',
          `"${row.parentCode}" đã sáp nhập vào ${parentUnit.mergedInto ?? '?'} ngày ${day(parentUnit.retiredAt)}`,
          `"${row.parentCode}" was merged into ${parentUnit.mergedInto ?? '?'} on ${day(parentUnit.retiredAt)}`,
        );
        continue;
      }
      if (parentUnit && !scope(row, 'parent', parentUnit.path, row.parentCode)) continue;
    }

    const unit = existing.get(row.code);
    if (unit === undefined) {
      if (row.mergedInto !== null) {
        at(
          row,
          'mergedInto',
          `thôn "${row.code}" chưa có trong danh mục nên không sáp nhập được`,
          `village "${row.code}" does not exist, so it cannot merge`,
        );
        continue;
      }
      // A new province is the operator's (villagesOnly refuses it above); its scope is the nation.
      if (row.parentCode === null && !rules.inScope(`/${row.code}/`)) {
        scope(row, 'code', `/${row.code}/`, row.code);
        continue;
      }
      created.set(row.code, row);
      toCreate.push(row);
      continue;
    }

    // The code exists: same level and same place, or refused.
    if (unit.level !== row.level) {
      at(
        row,
        'code',
        `mã "${row.code}" đã là ${LEVEL_VI[unit.level]} "${unit.name}"`,
        `code "${row.code}" is already the ${unit.level} "${unit.name}"`,
      );
      continue;
    }
    if (!scope(row, 'code', unit.path, row.code)) continue;
    if (unit.parentCode !== row.parentCode) {
      at(
        row,
        'parent',
        `"${unit.name}" (${row.code}) thuộc ${unit.parentCode ?? '(không có)'}, không thuộc ${row.parentCode ?? '(không có)'}; chưa hỗ trợ chuyển đơn vị sang đơn vị cấp trên khác`,
        `"${unit.name}" (${row.code}) belongs to ${unit.parentCode ?? '(none)'}, not ${row.parentCode ?? '(none)'}; moving a unit is not supported`,
      );
      continue;
    }
    if (unit.retiredAt) {
      if (row.mergedInto === unit.mergedInto) unchanged++;
      else
        at(
          row,
          row.mergedInto === null ? 'code' : 'mergedInto',
          `"${unit.name}" (${row.code}) đã sáp nhập vào ${unit.mergedInto ?? '?'} ngày ${day(unit.retiredAt)}; không dùng lại mã này`,
          `"${unit.name}" (${row.code}) was merged into ${unit.mergedInto ?? '?'} on ${day(unit.retiredAt)}; its code cannot be used again`,
        );
      continue;
    }
    if (unit.source !== null && OFFICIAL_SOURCES.includes(unit.source)) {
      // The national list is the reference: a row that names its unit changes nothing.
      unchanged++;
      continue;
    }
    const before = { name: unit.name, unitType: unit.unitType };
    if (row.mergedInto !== null) {
      const target = existing.get(row.mergedInto);
      const targetRow =
        created.get(row.mergedInto) ?? rows.find((r) => r.code === row.mergedInto && r.level === 'village');
      const targetParent = target?.parentCode ?? targetRow?.parentCode;
      const targetLevel = target?.level ?? targetRow?.level;
      const running = rules.runningCases.get(row.code);
      if (targetLevel === undefined)
        at(row, 'mergedInto', `không có thôn mã "${row.mergedInto}"`, `no village has code "${row.mergedInto}"`);
      else if (targetLevel !== 'village')
        at(
          row,
          'mergedInto',
          `"${row.mergedInto}" là ${LEVEL_VI[targetLevel]}, không phải thôn`,
          `"${row.mergedInto}" is a ${targetLevel}, not a village`,
        );
      else if (target?.retiredAt)
        at(
          row,
          'mergedInto',
          `"${row.mergedInto}" đã sáp nhập vào ${target.mergedInto ?? '?'}; sáp nhập vào thôn còn hoạt động`,
          `"${row.mergedInto}" was itself merged into ${target.mergedInto ?? '?'}; merge into a village in use`,
        );
      else if (merging.has(row.mergedInto))
        at(
          row,
          'mergedInto',
          `"${row.mergedInto}" cũng sáp nhập trong tệp này (dòng ${merging.get(row.mergedInto)?.row})`,
          `"${row.mergedInto}" is merged by this file too (row ${merging.get(row.mergedInto)?.row})`,
        );
      else if (targetParent !== unit.parentCode)
        at(
          row,
          'mergedInto',
          `"${row.mergedInto}" thuộc xã ${targetParent ?? '?'}, còn "${unit.name}" thuộc xã ${unit.parentCode ?? '?'}; chỉ sáp nhập thôn trong cùng một xã`,
          `"${row.mergedInto}" belongs to commune ${targetParent ?? '?'}, "${unit.name}" to ${unit.parentCode ?? '?'}; villages merge within one commune`,
        );
      else if (running !== undefined)
        at(
          row,
          'mergedInto',
          `"${unit.name}" (${row.code}) còn hồ sơ rà soát năm ${running} chưa kết thúc; sáp nhập sau khi hồ sơ kết thúc`,
          `"${unit.name}" (${row.code}) has a case of the ${running} review still running; merge it once that case is done`,
        );
      else merge.push({ code: row.code, provinceCode: unit.provinceCode, before, mergedInto: row.mergedInto });
      continue;
    }
    const after = { name: row.name, unitType: row.unitType ?? unit.unitType };
    if (after.name === before.name && after.unitType === before.unitType) unchanged++;
    else rename.push({ code: row.code, provinceCode: unit.provinceCode, before, after });
  }

  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.row - b.row), outOfScope };
  const places = new Map([...existing.values()].map((u) => [u.code, { path: u.path, provinceCode: u.provinceCode }]));
  const create = withPaths(
    toCreate.map((r) => ({
      code: r.code,
      name: r.name,
      level: r.level,
      parentCode: r.parentCode,
      unitType: r.unitType,
    })),
    places,
  );
  return { ok: true, plan: { create, rename, merge, unchanged } };
}
