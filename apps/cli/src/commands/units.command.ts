import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '@rasoat/config';
import type { Actor } from '@rasoat/contracts';
import {
  OfficialUnitList,
  UnitDirectory,
  UnitImportService,
  UnitRepository,
  systemClock,
  type UnitFileError,
  type UnitImportOutcome,
} from '@rasoat/engine';
import { findEmbeddedPostgres, redact, withDatabase } from '@rasoat/local-services';
import { migrateDatabase, ormOptions, withAdvisoryLock } from '@rasoat/persistence';
import type { CliCommand } from '../cli-command';

const USAGE =
  'units import FILE.csv|FILE.xlsx [--province CODE]   (columns: Mã đơn vị, Tên, Loại, Mã đơn vị cấp trên[, Sáp nhập vào])';

/** Limits of a units file (`uploads.unitsFile` of the configuration). */
export interface UnitsFileLimits {
  maxBytes: number;
  /** Units (data rows) in one file. */
  maxRows: number;
}

/** `dòng 5, cột "Mã đơn vị cấp trên": …` */
export function formatUnitError(error: UnitFileError): string {
  return `dòng ${error.row}${error.column === undefined ? '' : `, cột "${error.column}"`}: ${error.message}`;
}

/** The file's size against the limit, before it is read; undefined when it fits. */
export function oversize(path: string, limits: UnitsFileLimits): string | undefined {
  const size = statSync(path).size;
  if (size <= limits.maxBytes) return undefined;
  return `tệp dài ${size} byte, quá giới hạn ${limits.maxBytes} byte (UNITS_FILE_MAX_BYTES) / the file is ${size} bytes, more than the limit of ${limits.maxBytes} (UNITS_FILE_MAX_BYTES)`;
}

/** Who the history records for a CLI import: the operator's account, acting nationally or for one province. */
function cliActor(province: string | undefined): Actor {
  let user = 'operator';
  try {
    user = userInfo().username || user;
  } catch {
    // No passwd entry (a container's arbitrary uid): the generic name stands.
  }
  return province === undefined
    ? { sub: `cli:${user}`, role: 'national_admin', unit: 'VN' }
    : { sub: `cli:${user}`, role: 'province_admin', unit: province };
}

function summary(outcome: Extract<UnitImportOutcome, { ok: true }>): string {
  return (
    `${outcome.created} đơn vị mới, ${outcome.renamed} đổi tên, ${outcome.merged} sáp nhập, ${outcome.unchanged} không đổi` +
    ` / ${outcome.created} created, ${outcome.renamed} renamed, ${outcome.merged} merged, ${outcome.unchanged} unchanged` +
    (outcome.importId ? ` (import ${outcome.importId})` : '')
  );
}

/**
 * `rasoat units import FILE`: a province's villages (or, for an operator, any units: a pre-2025
 * tree with districts) into the product's database — DATABASE_URL, else the embedded PostgreSQL
 * that `npm start` runs for the data directory. Migrates and loads the official list of provinces
 * and communes first (as a first start does), so a village file under real communes works on a
 * fresh database. All or nothing, renames and merges recorded with history, idempotent
 * (`UnitImportService`). `--province CODE` acts as that province's admin: rows outside it are refused.
 */
export function createUnitsCommand(options: { env?: NodeJS.ProcessEnv } = {}): CliCommand {
  return {
    name: 'units',
    summary: "import a province's villages (renames and merges recorded), or an operator's units, from CSV or XLSX",
    usage: USAGE,
    async run(args, io) {
      const [sub, file, ...rest] = args;
      const province = rest.length === 2 && rest[0] === '--province' ? rest[1] : undefined;
      const badProvince = rest.length > 0 && (province === undefined || !/^[0-9A-Z]{2,8}$/.test(province));
      if (sub !== 'import' || file === undefined || badProvince) {
        io.stderr.write(`usage: ${USAGE}\n`);
        return 2;
      }
      const config = loadConfig(options.env ?? process.env);
      let tooLarge: string | undefined;
      try {
        tooLarge = oversize(file, config.uploads.unitsFile);
      } catch (e) {
        io.stderr.write(`${file}: ${(e as Error).message}\n`);
        return 1;
      }
      if (tooLarge) {
        io.stderr.write(`${file}: ${tooLarge}\n`);
        return 1;
      }
      const embedded = config.databaseUrl ? undefined : findEmbeddedPostgres(`${config.dataDir}/postgres`);
      const url = config.databaseUrl ?? (embedded && withDatabase(embedded, 'rasoat'));
      if (!url) {
        io.stderr.write(
          `DATABASE_URL chưa đặt và không có PostgreSQL nhúng nào đang chạy cho ${config.dataDir}; đặt DATABASE_URL hoặc khởi động rasoat (npm start) rồi chạy lại / ` +
            `DATABASE_URL is not set and no embedded PostgreSQL runs for ${config.dataDir}; set DATABASE_URL or start rasoat (npm start), then retry\n`,
        );
        return 2;
      }
      await migrateDatabase(url);
      const orm = await MikroORM.init(ormOptions(url, {}, 2));
      try {
        const repository = new UnitRepository(orm.em);
        // As a first start does: the same lock as the processes' bootstrap, then nothing when it is there.
        await withAdvisoryLock(url, 'rasoat-bootstrap', () => new OfficialUnitList(repository, systemClock).load());
        const importer = new UnitImportService(repository, new UnitDirectory(repository), systemClock);
        const outcome = await importer.importFile(
          { format: /\.xlsx$/i.test(file) ? 'xlsx' : 'csv', content: readFileSync(file), fileName: basename(file) },
          cliActor(province),
          { villagesOnly: false, maxRows: config.uploads.unitsFile.maxRows },
        );
        if (!outcome.ok) {
          for (const e of outcome.errors) io.stderr.write(`${file}: ${formatUnitError(e)}\n`);
          io.stderr.write(
            `${file}: ${outcome.errors.length} lỗi, không nhập đơn vị nào / ${outcome.errors.length} error(s), nothing imported\n`,
          );
          return 1;
        }
        io.stdout.write(`${summary(outcome)}\n`);
        return 0;
      } catch (e) {
        io.stderr.write(`${redact(url)}: ${(e as Error).message}\n`);
        return 1;
      } finally {
        await orm.close(true);
      }
    },
  };
}

export const unitsCommand: CliCommand = createUnitsCommand();
