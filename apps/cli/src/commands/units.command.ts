import { readFileSync, statSync } from 'node:fs';
import { Client } from 'pg';
import { loadConfig } from '@rasoat/config';
import { withPaths, type UnitSeed } from '@rasoat/engine';
import { CsvError, streamCsv, UploadLimitError, type CsvRecord } from '@rasoat/household-records';
import { migrateDatabase, type UnitLevel } from '@rasoat/persistence';
import type { CliCommand } from '../cli-command';

const USAGE = 'units import FILE.csv   (columns: Mã đơn vị, Tên, Cấp, Mã đơn vị cấp trên)';

/** Accepted spellings of each column (accents and case ignored) and of each level. */
const COLUMNS = {
  code: ['ma don vi', 'ma', 'code'],
  name: ['ten', 'ten don vi', 'name'],
  level: ['cap', 'level'],
  parent: ['ma don vi cap tren', 'ma cap tren', 'parent', 'parent code'],
} as const;
const LEVELS: Record<string, UnitLevel> = {
  tinh: 'province',
  'thanh pho truc thuoc trung uong': 'province',
  province: 'province',
  huyen: 'district',
  district: 'district',
  xa: 'commune',
  phuong: 'commune',
  'thi tran': 'commune',
  'dac khu': 'commune',
  commune: 'commune',
  thon: 'village',
  'to dan pho': 'village',
  ban: 'village',
  ap: 'village',
  village: 'village',
};
const HEADERS = { code: 'Mã đơn vị', name: 'Tên', level: 'Cấp', parent: 'Mã đơn vị cấp trên' } as const;
const ORDER: Record<UnitLevel, number> = { nation: 0, province: 1, district: 2, commune: 3, village: 4 };

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .trim()
    .toLowerCase();

/** Limits of a units file (`uploads.unitsFile` of the configuration). */
export interface UnitsFileLimits {
  maxBytes: number;
  /** Units (data rows) in one file. */
  maxRows: number;
}

/** A units file has a handful of columns and short names: reading stops at a value past column AX or a cell over 1,000 characters. */
const UNITS_CSV_LIMITS = { maxColumns: 50, maxCellLength: 1_000 };

/**
 * Reads a units file from disk: refused before it is read when it is larger than
 * `limits.maxBytes`, then parsed as `parseUnitsCsv` does.
 */
export function readUnitsFile(path: string, limits: UnitsFileLimits): { units: UnitSeed[] } | { errors: string[] } {
  const size = statSync(path).size;
  if (size > limits.maxBytes) {
    return {
      errors: [
        `tệp dài ${size} byte, quá giới hạn ${limits.maxBytes} byte (UNITS_FILE_MAX_BYTES) / the file is ${size} bytes, more than the limit of ${limits.maxBytes} (UNITS_FILE_MAX_BYTES)`,
      ],
    };
  }
  return parseUnitsCsv(readFileSync(path), limits.maxRows);
}

/**
 * Reads a units CSV (a province's districts, communes and villages, in any order). All or
 * nothing: every problem is returned with its row and column, and then nothing is written. The
 * records are read one at a time and the reading stops at unit `maxRows + 1`.
 */
export function parseUnitsCsv(
  content: Buffer | string,
  maxRows = 200_000,
): { units: UnitSeed[] } | { errors: string[] } {
  const records: CsvRecord[] = [];
  try {
    for (const record of streamCsv(content, { limits: UNITS_CSV_LIMITS }).records) {
      // The header is the first record; blank rows after it are skipped.
      if (records.length > 0 && record.cells.every((cell) => cell.trim() === '')) continue;
      if (records.length > maxRows)
        throw UploadLimitError.tooManyRows(record.row, maxRows, { vi: 'đơn vị', en: 'units' });
      records.push(record);
    }
  } catch (e) {
    if (e instanceof CsvError || e instanceof UploadLimitError) return { errors: [e.message] };
    throw e;
  }
  const [header, ...rows] = records;
  if (!header) return { errors: ['tệp rỗng / the file is empty'] };
  const index: Partial<Record<keyof typeof COLUMNS, number>> = {};
  header.cells.forEach((cell, i) => {
    for (const [key, names] of Object.entries(COLUMNS))
      if ((names as readonly string[]).includes(fold(cell))) index[key as keyof typeof COLUMNS] = i;
  });
  const errors: string[] = [];
  for (const key of ['code', 'name', 'level'] as const)
    if (index[key] === undefined) errors.push(`dòng 1: thiếu cột "${HEADERS[key]}" / missing column ${key}`);
  if (errors.length > 0) return { errors };
  const units: UnitSeed[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    const cell = (k: keyof typeof COLUMNS) =>
      index[k] === undefined ? '' : (r.cells[index[k] as number] ?? '').trim();
    const code = cell('code');
    const level = LEVELS[fold(cell('level'))];
    if (!/^[0-9A-Za-z]{1,20}$/.test(code))
      errors.push(`dòng ${r.row}, cột "Mã đơn vị": "${code}" không hợp lệ / invalid code`);
    if (!cell('name')) errors.push(`dòng ${r.row}, cột "Tên": trống / empty`);
    if (!level)
      errors.push(`dòng ${r.row}, cột "Cấp": "${cell('level')}" không rõ (tỉnh, huyện, xã, thôn) / unknown level`);
    if (seen.has(code))
      errors.push(`dòng ${r.row}, cột "Mã đơn vị": "${code}" trùng với dòng ${seen.get(code)} / duplicate code`);
    seen.set(code, r.row);
    if (level && level !== 'province' && !cell('parent'))
      errors.push(`dòng ${r.row}, cột "Mã đơn vị cấp trên": trống / a ${level} needs its parent`);
    if (level) units.push({ code, name: cell('name'), level, parentCode: cell('parent') || null });
  }
  if (errors.length > 0) return { errors };
  // Parents before children, whatever the file's order.
  return { units: units.sort((a, b) => ORDER[a.level] - ORDER[b.level]) };
}

/** `rasoat units import FILE.csv`: loads a province's administrative units into DATABASE_URL (idempotent). */
export const unitsCommand: CliCommand = {
  name: 'units',
  summary: "import a province's districts, communes and villages from a CSV file",
  usage: USAGE,
  async run(args, io) {
    if (args[0] !== 'import' || args.length !== 2) {
      io.stderr.write(`usage: ${USAGE}\n`);
      return 2;
    }
    const config = loadConfig();
    const parsed = readUnitsFile(args[1], config.uploads.unitsFile);
    if ('errors' in parsed) {
      for (const e of parsed.errors) io.stderr.write(`${args[1]}: ${e}\n`);
      return 1;
    }
    if (!config.databaseUrl) {
      io.stderr.write('DATABASE_URL is not set\n');
      return 2;
    }
    await migrateDatabase(config.databaseUrl);
    const db = new Client({ connectionString: config.databaseUrl });
    await db.connect();
    try {
      const parentCodes = [...new Set(parsed.units.map((u) => u.parentCode).filter((c): c is string => !!c))];
      const known = await db.query<{ code: string; path: string; province_code: string }>(
        'select code, path, province_code from admin_unit where code = any($1)',
        [parentCodes],
      );
      let rows;
      try {
        rows = withPaths(
          parsed.units,
          new Map(known.rows.map((k) => [k.code, { path: k.path, provinceCode: k.province_code }])),
        );
      } catch (e) {
        io.stderr.write(`${args[1]}: ${(e as Error).message}\n`);
        return 1;
      }
      const result = await db.query(
        `insert into admin_unit (code, name, level, parent_code, path, province_code)
         select code, name, level, parent_code, path, province_code
         from jsonb_to_recordset($1::jsonb) as t(code text, name text, level text, parent_code text, path text, province_code text)
         on conflict (code) do nothing`,
        [
          JSON.stringify(
            rows.map((r) => ({
              code: r.code,
              name: r.name,
              level: r.level,
              parent_code: r.parentCode,
              path: r.path,
              province_code: r.provinceCode,
            })),
          ),
        ],
      );
      io.stdout.write(
        `${result.rowCount ?? 0} đơn vị mới, ${rows.length - (result.rowCount ?? 0)} đã có / new units, already present\n`,
      );
      return 0;
    } finally {
      await db.end();
    }
  },
};
