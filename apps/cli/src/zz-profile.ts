import { loadConfig } from '@rasoat/config';
import { migrateDatabase } from '@rasoat/persistence';
import { playDemoSeason } from '@rasoat/season';
import { Client } from 'pg';

const counts: Record<string, number> = {};
const orig = (Client.prototype as any).query;
(Client.prototype as any).query = function (q: any, ...rest: any[]) {
  const text = typeof q === 'string' ? q : q?.text ?? '';
  const key = String(text).replace(/\s+/g, ' ').slice(0, 60);
  counts[key] = (counts[key] ?? 0) + 1;
  return orig.call(this, q, ...rest);
};
async function main() {
  const server = 'postgres://postgres@127.0.0.1:5432';
  const name = `rasoat_prof_${Date.now()}`;
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  if (process.env.ASYNC_COMMIT) await admin.query(`alter database "${name}" set synchronous_commit = off`);
  await admin.end();
  const databaseUrl = `${server}/${name}`;
  await migrateDatabase(databaseUrl, { log: () => undefined });
  const config = loadConfig(process.env, { databaseUrl, redisUrl: 'redis://127.0.0.1:6379', queuePrefix: `prof-${Date.now()}`, jwtSecret: 'x'.repeat(40) });
  const now = new Date(process.argv[2] ?? '2026-09-30T12:00:00+07:00');
  const t = Date.now();
  const out = await playDemoSeason({ config, now, log: (l) => console.log(l) });
  console.log(JSON.stringify(out), (Date.now() - t) / 1000, JSON.stringify((globalThis as any).__prof));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log('queries', total);
  for (const [k, v] of Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(v, k);
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
