import { CaseAcceptanceService, synthetic2021Province } from '@rasoat/engine';
import type { BenchContext } from '../lib/context';
import { getJson } from '../lib/http';
import { figure, type Figure } from '../lib/report';
import { nowMs, round, roundSummary, runPool, summarize, until } from '../lib/stats';
import { openingEvents, villageBoard } from '../lib/workload';
import type { Scenario } from './scenario';

const PROVINCE = '24';

/**
 * Progress roll-up on the synthetic 2021 province (Bắc Giang 2021: 10 districts, 230 communes,
 * 2,127 villages, under code 24 beside the official list's 99 communes, which hold no village here). A third of the cases stay in listing, a third move to survey, a third to
 * meeting (events applied by the server's worker), so the counters are spread over steps
 * and stages. Then GET /api/progress?unit=24 as the province committee, one request at a
 * time, on an otherwise idle server.
 */
export const progress: Scenario = {
  name: 'progress',
  title: 'Progress roll-up latency',
  async run(ctx: BenchContext) {
    const requests = ctx.count(200, 20);
    const units = synthetic2021Province(PROVINCE);
    const seeded = await ctx.seedCampaign(PROVINCE, units);
    const server = await ctx.server();
    const acceptance = (await ctx.engine()).get(CaseAcceptanceService);
    await runPool(seeded.cases.length, 16, async (i) => {
      const c = seeded.cases[i];
      const events = openingEvents(i).slice(0, i % 3);
      for (const [n, e] of events.entries())
        await acceptance.accept(c.id, e, villageBoard(c.villageCode), `bench-progress-${c.id}-${n + 1}`);
    });
    await until(
      async () => (await ctx.backlog(seeded.campaignId)).behind === 0,
      'the progress province to be applied',
      300_000,
      100,
    );
    const { rows: steps } = await ctx.pg.query<{ step: string; n: number }>(
      `select step, count(*)::int as n from review_case where campaign_id = $1 group by step order by step`,
      [seeded.campaignId],
    );

    const token = ctx.token({ sub: 'bench-province-committee', role: 'province_committee', unit: PROVINCE });
    const measure = async (unit: string, n: number) => {
      const path = `/api/progress?unit=${unit}`;
      for (let i = 0; i < 10; i++) await getJson(server.baseUrl, path, token);
      const samples: number[] = [];
      let bytes = 0;
      for (let i = 0; i < n; i++) {
        const t = nowMs();
        const r = await getJson(server.baseUrl, path, token);
        samples.push(nowMs() - t);
        if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}`);
        bytes = r.bytes;
      }
      return { ...roundSummary(summarize(samples), 2), bytes };
    };
    const province = await measure(PROVINCE, requests);
    const firstOf = (level: string) => units.find((u) => u.level === level)?.code as string;
    const district = await measure(firstOf('district'), Math.min(requests, 50));
    const commune = await measure(firstOf('commune'), Math.min(requests, 50));
    await ctx.noteServerMemory();
    ctx.details[progress.name] = {
      requests,
      cases: seeded.cases.length,
      casesByStep: Object.fromEntries(steps.map((s) => [s.step, s.n])),
      provinceMs: province,
      districtMs: district,
      communeMs: commune,
      seedSeconds: round(seeded.seedSeconds, 2),
    };
    const rows: Figure[] = [
      figure(
        progress.name,
        'progress.p95',
        `5. Progress roll-up, 2,127-village province: p95 (${requests} requests)`,
        province.p95,
        'ms',
        { op: '<=', value: 50, unit: 'ms' },
        `p50 ${province.p50} ms, p99 ${province.p99} ms, ${province.bytes} bytes; district p95 ${district.p95} ms, commune p95 ${commune.p95} ms`,
      ),
    ];
    return rows;
  },
};
