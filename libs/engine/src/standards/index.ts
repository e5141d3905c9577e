export { LISTS_YEAR_FILE, loadRuleSetCatalog, POVERTY_RULES_DIR } from './poverty-rules.loader';
export { PovertyStandards } from './poverty-standards.service';
export type { CampaignRules, CampaignStandard } from './poverty-standards.service';
export { RuleSetUnavailableException } from './standards.exception';
export { StandardsModule } from './standards.module';
