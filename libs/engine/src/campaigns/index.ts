export { CampaignRepository } from './campaign.repository';
export type { NewCampaignRow, RecordedStandard } from './campaign.repository';
export { CampaignNotFoundException } from './campaigns.exception';
export { CampaignsModule } from './campaigns.module';
export { CampaignsService, outsidePeriod } from './campaigns.service';
export { snapshotStageCounters } from './progress-snapshot';
export { ProgressRepository } from './progress.repository';
export { ProgressService } from './progress.service';
