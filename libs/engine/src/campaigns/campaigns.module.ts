import { Module } from '@nestjs/common';
import { DeadlinesModule } from '../deadlines';
import { DefinitionsModule } from '../definitions';
import { UnitsModule } from '../units';
import { CampaignsService } from './campaigns.service';
import { ProgressService } from './progress.service';

@Module({
  imports: [DefinitionsModule, DeadlinesModule, UnitsModule],
  providers: [CampaignsService, ProgressService],
  exports: [CampaignsService, ProgressService],
})
export class CampaignsModule {}
