import { EntityManager } from '@mikro-orm/postgresql';
import { EngineBootstrap } from '@rasoat/engine';
import { createTestDatabase, startTestEngine, type TestEngine } from '@rasoat/testing';

type Engine = TestEngine & { dropDatabase(): Promise<void> };

const EARLIER_DISTRICTS = [
  ['213', 'Thành phố Bắc Giang'],
  ['215', 'Huyện Yên Thế'],
  ['216', 'Huyện Tân Yên'],
  ['217', 'Huyện Lạng Giang'],
  ['218', 'Huyện Lục Nam'],
  ['219', 'Huyện Lục Ngạn'],
  ['220', 'Huyện Sơn Động'],
  ['221', 'Huyện Yên Dũng'],
  ['222', 'Huyện Việt Yên'],
  ['223', 'Huyện Hiệp Hòa'],
];

/**
 * What an earlier version's demo seeding left under code 24: "Tỉnh Bắc Giang (demo)", its ten
 * districts, 230 communes coded 07000 + 3i (59 of them real communes' codes) and their villages
 * (commune code + 2 digits), without any of the columns added since.
 */
async function seedEarlierDemo(url: string): Promise<void> {
  const { Client } = await import('pg');
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const rows: [string, string, string, string | null, string][] = [
      ['24', 'Tỉnh Bắc Giang (demo)', 'province', null, '/24/'],
    ];
    let i = 0;
    for (const [district, name] of EARLIER_DISTRICTS) {
      rows.push([district as string, name as string, 'district', '24', `/24/${district}/`]);
      for (let c = 0; c < 23; c++, i++) {
        const commune = String(7000 + i * 3).padStart(5, '0');
        rows.push([commune, `Xã ${i}`, 'commune', district as string, `/24/${district}/${commune}/`]);
        for (let v = 1; v <= 9; v++)
          rows.push([
            `${commune}0${v}`,
            `Thôn ${v}`,
            'village',
            commune,
            `/24/${district}/${commune}/${commune}0${v}/`,
          ]);
      }
    }
    await db.query(
      `insert into admin_unit (code, name, level, parent_code, path, province_code)
       select t.code, t.name, t.level, t.parent_code, t.path, '24'
       from jsonb_to_recordset($1::jsonb) as t(code text, name text, level text, parent_code text, path text)`,
      [
        JSON.stringify(
          rows.map(([code, name, level, parent_code, path]) => ({ code, name, level, parent_code, path })),
        ),
      ],
    );
  } finally {
    await db.end();
  }
}

/** The demo seeding on a real database: the real Bắc Ninh with generated villages, and what it does over an earlier demo. */
describe('demo seeding', () => {
  let engine: Engine | undefined;
  const sql = <T>(text: string, params: unknown[] = []) =>
    (engine as Engine).get(EntityManager).fork().execute<T[]>(text, params);
  afterEach(async () => {
    await engine?.close();
    await engine?.dropDatabase();
    engine = undefined;
  });

  it('seeds Bắc Ninh’s 99 real communes with generated villages and opens the demo campaign on them; a second start adds nothing', async () => {
    engine = await startTestEngine({ worker: false });
    await engine.get(EngineBootstrap).run({ seedDemo: true });
    const [tree] = await sql<{
      communes: number;
      wards: number;
      villages: number;
      tdp: number;
      longest: number;
      shortest: number;
    }>(
      `select count(*) filter (where level = 'commune')::int as communes,
              count(*) filter (where unit_type = 'Phường')::int as wards,
              count(*) filter (where level = 'village')::int as villages,
              count(*) filter (where unit_type = 'Tổ dân phố')::int as tdp,
              max(length(code)) filter (where level = 'village')::int as longest,
              min(length(code)) filter (where level = 'village')::int as shortest
       from admin_unit where province_code = '24'`,
    );
    expect(tree).toMatchObject({ communes: 99, wards: 33, longest: 8, shortest: 8 });
    expect(tree?.villages).toBeGreaterThan(1_500);
    expect(tree?.villages).toBeLessThan(2_300);
    // Tổ dân phố under each phường, thôn under each xã.
    expect(
      await sql(
        `select count(*)::int as n from admin_unit v join admin_unit c on c.code = v.parent_code
         where v.level = 'village' and v.province_code = '24'
           and v.unit_type <> case c.unit_type when 'Phường' then 'Tổ dân phố' else 'Thôn' end`,
      ),
    ).toEqual([{ n: 0 }]);
    expect(await sql(`select name, unit_type, path, source from admin_unit where code = '07210001'`)).toEqual([
      { name: 'Tổ dân phố số 1', unit_type: 'Tổ dân phố', path: '/24/07210/07210001/', source: 'demo' },
    ]);
    const [campaign] = await sql<{ province_code: string; definition_key: string; case_count: number }>(
      `select province_code, definition_key, case_count from campaign`,
    );
    expect(campaign).toEqual({ province_code: '24', definition_key: 'periodic-review@4', case_count: tree?.villages });

    await engine.get(EngineBootstrap).run({ seedDemo: true });
    expect(
      await sql(`select count(*)::int as n from admin_unit where province_code = '24' and level = 'village'`),
    ).toEqual([{ n: tree?.villages }]);
    expect(await sql(`select count(*)::int as n from review_case`)).toEqual([{ n: tree?.villages }]);
  });

  it('over an earlier demo whose tree carries no case: removes that tree, loads the official codes it held, seeds the real one', async () => {
    const db = await createTestDatabase();
    await seedEarlierDemo(db.url);
    engine = Object.assign(await startTestEngine({ worker: false, databaseUrl: db.url }), { dropDatabase: db.drop });
    // The processes' start (no demo) loaded the list around the earlier tree: 59 codes were held.
    expect(await sql(`select count(*)::int as n from unit_list`)).toEqual([{ n: 0 }]);
    expect(await sql(`select path from admin_unit where code = '07210'`)).toEqual([{ path: '/24/217/07210/' }]);

    await engine.get(EngineBootstrap).run({ seedDemo: true });
    expect(
      await sql(`select count(*)::int as n from admin_unit where province_code = '24' and level = 'district'`),
    ).toEqual([{ n: 0 }]);
    expect(
      await sql(`select name, path, unit_type from admin_unit where code in ('24', '07210') order by code`),
    ).toEqual([
      { name: 'Phường Bắc Giang', path: '/24/07210/', unit_type: 'Phường' },
      { name: 'Tỉnh Bắc Ninh', path: '/24/', unit_type: 'Tỉnh' },
    ]);
    expect(await sql(`select path from admin_unit where code = '07030'`)).toEqual([{ path: '/22/07030/' }]);
    expect(await sql(`select count(*)::int as n from unit_list`)).toEqual([{ n: 1 }]);
    expect(
      await sql(
        `select count(*)::int as n from admin_unit where province_code = '24' and level = 'village' and length(code) <> 8`,
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('over an earlier demo whose villages carry cases: keeps it whole, seeds no village, and still starts', async () => {
    const db = await createTestDatabase();
    await seedEarlierDemo(db.url);
    engine = Object.assign(await startTestEngine({ worker: false, databaseUrl: db.url }), { dropDatabase: db.drop });
    await sql(
      `insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
       values (gen_random_uuid(), gen_random_uuid(), '0700001', '07000', '/24/213/07000/0700001/', 'periodic-review@1', 'listing', 'active', 1, '{}', 0, 0, now(), now())`,
    );
    await engine.get(EngineBootstrap).run({ seedDemo: true });
    expect(
      await sql(`select count(*)::int as n from admin_unit where province_code = '24' and level = 'district'`),
    ).toEqual([{ n: 10 }]);
    expect(await sql(`select path from admin_unit where code = '07210'`)).toEqual([{ path: '/24/217/07210/' }]);
    expect(await sql(`select count(*)::int as n from admin_unit where length(code) = 8`)).toEqual([{ n: 0 }]);
    // The demo campaign is opened on the earlier villages, as before.
    expect(await sql(`select case_count from campaign where province_code = '24'`)).toEqual([{ case_count: 2070 }]);
    await engine.get(EngineBootstrap).run({ seedDemo: true });
    expect(await sql(`select count(*)::int as n from unit_list`)).toEqual([{ n: 0 }]);
  });
});
