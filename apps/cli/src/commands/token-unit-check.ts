import { Client } from 'pg';
import type { AppConfig } from '@rasoat/config';
import type { AdminLevel, UserRole } from '@rasoat/contracts';
import { NATION, roleLevelRefusal } from '@rasoat/engine';
import { findEmbeddedPostgres, redact, withDatabase } from '@rasoat/local-services';

/** Why `token` will not mint a token, and the exit code: 2 for a pair the API would refuse, 1 when the unit cannot be checked. */
export interface TokenUnitRefusal {
  exit: 1 | 2;
  message: string;
}

/**
 * Refuses what the API would refuse at its door (`roleLevelRefusal`): a unit that does not exist,
 * or one of another level than the role acts from (`ROLE_LEVELS`). `VN` needs no database; any
 * other unit is read from the product's database — `DATABASE_URL`, else the embedded PostgreSQL
 * that `npm start` runs for the data directory. With neither, the token is not minted: a token
 * nobody could use is worse than a clear refusal.
 */
export async function tokenUnitRefusal(
  role: UserRole,
  unit: string,
  config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>,
): Promise<TokenUnitRefusal | null> {
  const refused = (known: { level: AdminLevel } | undefined): TokenUnitRefusal | null => {
    const e = roleLevelRefusal(role, unit, known);
    return e && { exit: 2, message: e.message };
  };
  if (unit === NATION) return refused(undefined);
  const embedded = config.databaseUrl ? undefined : findEmbeddedPostgres(`${config.dataDir}/postgres`);
  const url = config.databaseUrl ?? (embedded && withDatabase(embedded, 'rasoat'));
  if (!url) {
    return {
      exit: 1,
      message:
        `không kiểm tra được đơn vị "${unit}": DATABASE_URL chưa đặt và không có PostgreSQL nhúng nào đang chạy cho ${config.dataDir}; đặt DATABASE_URL hoặc khởi động rasoat (npm start) rồi chạy lại / ` +
        `cannot check unit "${unit}": DATABASE_URL is not set and no embedded PostgreSQL runs for ${config.dataDir}; set DATABASE_URL or start rasoat (npm start), then retry`,
    };
  }
  let known: { level: AdminLevel } | undefined;
  try {
    known = await unitOf(url, unit);
  } catch (e) {
    return {
      exit: 1,
      message: `không đọc được đơn vị "${unit}" từ ${redact(url)}: ${(e as Error).message} / cannot read unit "${unit}" from ${redact(url)}: ${(e as Error).message}`,
    };
  }
  return refused(known);
}

async function unitOf(url: string, code: string): Promise<{ level: AdminLevel } | undefined> {
  const db = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await db.connect();
  try {
    return (await db.query<{ level: AdminLevel }>('select level from admin_unit where code = $1', [code])).rows[0];
  } finally {
    await db.end();
  }
}
