import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { SYSTEM_ACTOR } from '@rasoat/contracts';
import { withAdvisoryLock } from '@rasoat/persistence';
import { CampaignsService } from './campaigns';
import { DefinitionRegistry } from './definitions';
import { CLOCK, type Clock } from './infrastructure';
import { DemoUnitsService, OfficialUnitList, type EarlierDemo } from './units';

/**
 * What every process does once the schema is migrated (`migrateDatabase`): publish the
 * shipped definitions (refusing to start when one is invalid or a published version changed),
 * record the poverty standard of campaigns started before campaigns recorded it, load the
 * official list of provinces and communes (`config/units/vn-2026/`: once, then a later start
 * finds it there and does nothing) and, when configured, seed the demo province. Several
 * processes may start at once: a PostgreSQL advisory lock lets one of them do the work while the
 * others wait.
 */
@Injectable()
export class EngineBootstrap {
  private readonly logger = new Logger(EngineBootstrap.name);

  constructor(
    private readonly registry: DefinitionRegistry,
    private readonly officialUnits: OfficialUnitList,
    private readonly demoUnits: DemoUnitsService,
    private readonly campaigns: CampaignsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(options: { seedDemo: boolean }): Promise<void> {
    await withAdvisoryLock(this.config.databaseUrl as string, 'rasoat-bootstrap', async () => {
      await this.registry.publishShipped(this.clock.now());
      // Campaigns started before campaigns recorded their poverty standard get it now (needs the definitions).
      await this.campaigns.recordMissingStandards();
      // The earlier demo's tree holds official codes: it goes first, when it may go at all.
      const earlier = options.seedDemo
        ? await this.demoUnits.clearEarlierDemo(this.config.demo.provinceCode)
        : undefined;
      await this.officialUnits.load();
      if (options.seedDemo) await this.seedDemo(earlier ?? { found: false });
    });
  }

  /**
   * The demo province — the real one of the official list with generated villages — and its
   * running campaign; idempotent, so every start may call it. Over an earlier demo that carries
   * cases (`DemoUnitsService.clearEarlierDemo`) no village is generated and the campaign is left
   * as it is.
   */
  async seedDemo(earlier: EarlierDemo = { found: false }): Promise<void> {
    const { demo } = this.config;
    if (!(earlier.found && 'kept' in earlier)) {
      const inserted = await this.demoUnits.seedVillages(demo.provinceCode);
      if (inserted > 0) this.logger.log(`demo province ${demo.provinceCode}: ${inserted} villages created`);
    }
    const { campaign, casesCreated } = await this.campaigns.start(
      {
        provinceCode: demo.provinceCode,
        year: demo.year,
        definitionKey: demo.definitionKey,
        windowStart: demo.windowStart,
        windowEnd: demo.windowEnd,
      },
      SYSTEM_ACTOR,
    );
    if (casesCreated > 0) this.logger.log(`demo campaign ${campaign.id}: ${casesCreated} village cases opened`);
  }
}
