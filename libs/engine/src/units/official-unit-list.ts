import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CsvError, readCsv } from '@rasoat/household-records';
import { CLOCK, type Clock } from '../infrastructure';
import { withPaths, type UnitRow, type UnitSeed } from './unit-tree';
import { UnitRepository, type OfficialListLoad } from './unit.repository';

/** The national list rasoat ships (`config/units/vn-2026/`, with its licence and README). */
export const OFFICIAL_LIST_NAME = 'vn-2026';
export const OFFICIAL_UNITS_FILE = join(__dirname, '../../../../config/units/vn-2026/units.csv');

const COLUMNS = ['code', 'level', 'unit_type', 'name', 'full_name', 'parent_code', 'name_en'] as const;
const TYPES: Record<'province' | 'commune', readonly string[]> = {
  province: ['Tỉnh', 'Thành phố'],
  commune: ['Xã', 'Phường', 'Đặc khu'],
};

/** Thrown for a list file that is not what it should be: every problem with its file, line and column. */
export class OfficialListError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid official units list:\n${issues.map((i) => `  ${i}`).join('\n')}`);
    this.name = 'OfficialListError';
  }
}

/** The list as read: its sha256 and its units (provinces first), each named `<unit type> <name>`. */
export interface OfficialList {
  sha256: string;
  units: UnitRow[];
}

/**
 * Reads and checks the official list (`code,level,unit_type,name,full_name,parent_code,name_en`):
 * a province has a 2-digit code and no parent, a commune a 5-digit code under a province of the
 * list; types as the list spells them; codes unique. A problem throws `OfficialListError` naming
 * `FILE:LINE column`.
 */
export function readOfficialList(file: string = OFFICIAL_UNITS_FILE): OfficialList {
  const content = readFileSync(file);
  const issues: string[] = [];
  let records;
  try {
    records = readCsv(content, { delimiter: ',' }).records;
  } catch (e) {
    if (e instanceof CsvError) throw new OfficialListError([`${file}:${e.row} ${e.message}`]);
    throw e;
  }
  const [header, ...rows] = records;
  if (!header || COLUMNS.some((c, i) => header.cells[i] !== c))
    throw new OfficialListError([`${file}:1 the header must be ${COLUMNS.join(',')}`]);
  const seeds: UnitSeed[] = [];
  const seen = new Set<string>();
  const provinces = new Set<string>();
  for (const r of rows) {
    if (r.cells.every((c) => c.trim() === '')) continue;
    const [code, level, unitType, name, , parentCode, nameEn] = r.cells.map((c) => c.normalize('NFC').trim());
    const bad = (column: string, what: string) => issues.push(`${file}:${r.row} ${column}: ${what}`);
    if (level !== 'province' && level !== 'commune') {
      bad('level', `"${level}" is neither province nor commune`);
      continue;
    }
    if (!(level === 'province' ? /^\d{2}$/ : /^\d{5}$/).test(code ?? ''))
      bad('code', `"${code}" is not a ${level} code`);
    if (seen.has(code)) bad('code', `"${code}" is listed twice`);
    seen.add(code);
    if (!TYPES[level].includes(unitType))
      bad('unit_type', `"${unitType}" is not a ${level} type (${TYPES[level].join(', ')})`);
    if (!name) bad('name', 'empty');
    if (level === 'province' && parentCode) bad('parent_code', 'a province has none');
    if (level === 'commune' && !provinces.has(parentCode))
      bad('parent_code', `"${parentCode}" is no province listed above`);
    if (level === 'province') provinces.add(code);
    seeds.push({
      code,
      name: `${unitType} ${name}`,
      level,
      parentCode: parentCode || null,
      unitType,
      nameEn: nameEn || null,
    });
  }
  if (issues.length > 0) throw new OfficialListError(issues);
  return { sha256: createHash('sha256').update(content).digest('hex'), units: withPaths(seeds) };
}

/**
 * Loads the official list at a process's first start (`EngineBootstrap`, under the bootstrap's
 * lock; the CLI's `units import` too): one set-based statement, idempotent. A database that
 * already holds this very file (`unit_list`: name and sha256) is not touched again.
 */
@Injectable()
export class OfficialUnitList {
  private readonly logger = new Logger(OfficialUnitList.name);
  private file = OFFICIAL_UNITS_FILE;

  constructor(
    private readonly units: UnitRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** For tests: load another file. */
  useFile(file: string): void {
    this.file = file;
  }

  /** `current` when the database holds this file already; else what loading it did. */
  async load(): Promise<OfficialListLoad | 'current'> {
    const list = readOfficialList(this.file);
    if ((await this.units.officialListHash(OFFICIAL_LIST_NAME)) === list.sha256) return 'current';
    const result = await this.units.loadOfficialList(OFFICIAL_LIST_NAME, list.sha256, list.units, this.clock.now());
    this.logger.log(
      `danh mục đơn vị hành chính ${OFFICIAL_LIST_NAME}: ${result.inserted} đơn vị mới, ${result.updated} cập nhật / official units ${OFFICIAL_LIST_NAME}: ${result.inserted} inserted, ${result.updated} updated`,
    );
    if (result.held.length > 0)
      this.logger.warn(
        `${result.held.length} mã của danh mục đang thuộc đơn vị khác (vd. ${result.held.slice(0, 5).join(', ')}), giữ nguyên; sẽ nạp lại ở lần khởi động sau / ` +
          `${result.held.length} codes of the list are held by other units (e.g. ${result.held.slice(0, 5).join(', ')}) and left as they are; the next start tries again`,
      );
    return result;
  }
}
