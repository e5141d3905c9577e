export { CampaignNotFoundException } from './campaigns.exception';
export { CampaignsModule } from './campaigns.module';
export { CampaignsService } from './campaigns.service';
export { snapshotStageCounters } from './progress-snapshot';
export { ProgressService } from './progress.service';
