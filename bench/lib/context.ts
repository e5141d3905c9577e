import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Pool } from 'pg';
import { loadConfig, type AppConfig } from '@rasoat/config';
import { QueueName, SYSTEM_ACTOR } from '@rasoat/contracts';
import {
  CampaignsService,
  EngineBootstrap,
  EngineModule,
  signToken,
  systemClock,
  UnitsService,
  type UnitSeed,
} from '@rasoat/engine';
import { BenchChild, type ChildRole, type MemorySummary } from './child';
import { CpuSampler, type CpuReport } from './cpu';
import type { Figure } from './report';
import type { BenchServices } from './services';
import { campaignWindow, DEFINITION_KEY } from './workload';

export type Scale = 'full' | 'small';

export interface SeededCampaign {
  campaignId: string;
  provinceCode: string;
  /** The campaign's cases in village-code order. */
  cases: { id: string; villageCode: string }[];
  seedSeconds: number;
}

/**
 * What every scenario gets: the run's services and configuration, an in-process engine
 * (seeding and in-process acceptance, no worker), the processes under test, a pg pool for
 * observing progress, the CPU sampler, and the figures of the scenarios run so far.
 */
export class BenchContext {
  readonly config: AppConfig;
  readonly pg: Pool;
  readonly cpu: CpuSampler;
  readonly figures: Figure[] = [];
  readonly memory: Partial<Record<ChildRole, MemorySummary>> = {};
  /**
   * Per scenario: CPU use over its measurement windows (e.g. the drain, not the seeding). The
   * disturbance check uses these: over a whole scenario, processes under test that were stopped
   * before its end would count as CPU nobody accounts for.
   */
  readonly windows: Record<string, CpuReport[]> = {};
  /** Per scenario: parameters and secondary measurements, written to results.json. */
  readonly details: Record<string, Record<string, unknown>> = {};
  private engineApp?: Promise<INestApplicationContext>;
  private embedded?: Promise<BenchChild>;
  private readonly children = new Set<BenchChild>();
  private readonly labels = new Map<BenchChild, string>();

  constructor(
    readonly services: BenchServices,
    readonly scale: Scale,
    readonly profileDir: string | undefined,
    readonly log: (line: string) => void,
  ) {
    this.config = loadConfig(process.env, {
      databaseUrl: services.databaseUrl,
      redisUrl: services.redisUrl,
      queuePrefix: services.queuePrefix,
      jwtSecret: services.jwtSecret,
      'demo.seed': false,
      port: 0,
    });
    this.cpu = new CpuSampler(services.database);
    this.pg = new Pool({ connectionString: services.databaseUrl, max: 3 });
    this.pg.on('error', () => undefined);
    this.cpu.track('redis', services.redis.pid);
  }

  /** A count at the run's scale: full, or a tenth for `--scale small`. */
  count(full: number, minimum = 1): number {
    return this.scale === 'full' ? full : Math.max(minimum, Math.round(full / 10));
  }

  measuredWindow(scenario: string, report: CpuReport): void {
    (this.windows[scenario] ??= []).push(report);
  }

  figure(id: string): Figure | undefined {
    return this.figures.find((f) => f.id === id);
  }

  /** The engine in this process (no worker, no HTTP), with the shipped definitions published. */
  engine(): Promise<INestApplicationContext> {
    this.engineApp ??= (async () => {
      const app = await NestFactory.createApplicationContext(EngineModule.forRoot(this.config, systemClock), {
        logger: ['error', 'warn'],
      });
      await app.get(EngineBootstrap).run({ seedDemo: false });
      return app;
    })();
    return this.engineApp;
  }

  async caseEventsQueue(): Promise<Queue> {
    return (await this.engine()).get<Queue>(getQueueToken(QueueName.CaseEvents));
  }

  /** Starts a process under test; the context stops it at the end if the scenario did not. */
  async startChild(role: ChildRole, label: string = role): Promise<BenchChild> {
    const child = await BenchChild.start(role, {
      databaseUrl: this.services.databaseUrl,
      redisUrl: this.services.redisUrl,
      queuePrefix: this.services.queuePrefix,
      jwtSecret: this.services.jwtSecret,
      profileDir: this.profileDir,
      log: this.log,
    });
    this.children.add(child);
    this.labels.set(child, label);
    this.cpu.track(label, child.pid);
    return child;
  }

  /** Stops a process under test; the first one of each role gives that role's memory figures. */
  async stopChild(child: BenchChild): Promise<void> {
    await child.stop();
    this.children.delete(child);
    const label = this.labels.get(child) ?? child.role;
    this.cpu.untrack(label);
    if (label === child.role) this.memory[child.role] = child.memory();
  }

  /** The API and the workers in one process (the `npm start` shape), shared by the HTTP scenarios. */
  server(): Promise<BenchChild> {
    this.embedded ??= this.startChild('embedded');
    return this.embedded;
  }

  /** Records the shared server's memory so far (it keeps running for the next scenario); `gc` also measures the live set. */
  async noteServerMemory(options: { gc?: boolean } = {}): Promise<void> {
    if (!this.embedded) return;
    const server = await this.embedded;
    if (options.gc) await server.collectGarbage();
    this.memory.embedded = server.memory();
  }

  token(claims: { sub: string; role: Parameters<typeof signToken>[0]['role']; unit: string }): string {
    return signToken(claims, this.services.jwtSecret, new Date(), 6 * 3600);
  }

  /** Inserts a province's units and starts its campaign on the shipped definition. */
  async seedCampaign(
    provinceCode: string,
    units: readonly UnitSeed[],
    definitionKey = DEFINITION_KEY,
  ): Promise<SeededCampaign> {
    const started = Date.now();
    const app = await this.engine();
    await app.get(UnitsService).upsertTree(units);
    const window = campaignWindow();
    const { campaign } = await app.get(CampaignsService).start(
      {
        provinceCode,
        year: window.year,
        definitionKey,
        windowStart: window.windowStart,
        windowEnd: window.windowEnd,
      },
      SYSTEM_ACTOR,
    );
    const { rows } = await this.pg.query<{ id: string; village_code: string }>(
      'select id, village_code from review_case where campaign_id = $1 order by village_code',
      [campaign.id],
    );
    const seedSeconds = (Date.now() - started) / 1000;
    this.log(`province ${provinceCode}: ${rows.length} cases seeded in ${seedSeconds.toFixed(1)} s`);
    return {
      campaignId: campaign.id,
      provinceCode,
      cases: rows.map((r) => ({ id: r.id, villageCode: r.village_code })),
      seedSeconds,
    };
  }

  /** Cases of a campaign whose accepted events are not all committed yet, and events committed. */
  async backlog(campaignId: string): Promise<{ behind: number; applied: number; accepted: number }> {
    const { rows } = await this.pg.query<{ behind: number; applied: number; accepted: number }>(
      `select count(*) filter (where applied_seq < accepted_seq)::int as behind, coalesce(sum(applied_seq), 0)::int as applied, coalesce(sum(accepted_seq), 0)::int as accepted
       from review_case where campaign_id = $1`,
      [campaignId],
    );
    return rows[0];
  }

  /** Outcomes of a campaign's events by status. */
  async outcomes(campaignId: string): Promise<Record<string, number>> {
    const { rows } = await this.pg.query<{ status: string; n: number }>(
      `select e.status, count(*)::int as n from case_event e join review_case c on c.id = e.case_id where c.campaign_id = $1 group by e.status`,
      [campaignId],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  async close(): Promise<void> {
    if (this.embedded) {
      const server = await this.embedded.catch(() => undefined);
      if (server) await this.stopChild(server).catch(() => undefined);
    }
    for (const child of this.children) await this.stopChild(child).catch(() => undefined);
    if (this.engineApp) await (await this.engineApp.catch(() => undefined))?.close();
    await this.pg.end();
  }
}
