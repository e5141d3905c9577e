export { householdWork } from './household-work';
export { playDemoSeason, type DemoSeasonOptions, type DemoSeasonOutcome } from './demo-season';
export { DemoSeasonRepository, type DemoSeasonRow } from './demo-season.repository';
export { campaignVillages, createAgents, surveyProfile } from './season-agents';
export { startSeasonEngine, type SeasonEngine, type SeasonEngineOptions } from './season-engine';
export { SeasonLoop, type SeasonLoopOptions, type SeasonPlan, type WeekEnd } from './season-loop';
