import { Module } from '@nestjs/common';
import { DeadlinesModule } from '../deadlines';
import { DefinitionsModule } from '../definitions';
import { StandardsModule } from '../standards';
import { UnitsModule } from '../units';
import { CampaignRepository } from './campaign.repository';
import { CampaignsService } from './campaigns.service';
import { ProgressRepository } from './progress.repository';
import { ProgressService } from './progress.service';

@Module({
  imports: [DefinitionsModule, DeadlinesModule, UnitsModule, StandardsModule],
  providers: [CampaignsService, CampaignRepository, ProgressService, ProgressRepository],
  exports: [CampaignsService, ProgressService],
})
export class CampaignsModule {}
