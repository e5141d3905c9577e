import { Module } from '@nestjs/common';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { DefinitionsModule } from '../definitions/definitions.module';
import { UnitsModule } from '../units/units.module';
import { CampaignsService } from './campaigns.service';
import { ProgressService } from './progress.service';

@Module({
  imports: [DefinitionsModule, DeadlinesModule, UnitsModule],
  providers: [CampaignsService, ProgressService],
  exports: [CampaignsService, ProgressService],
})
export class CampaignsModule {}
