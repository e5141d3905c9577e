export { AddHouseholdBody, CertificateBody, ComplaintBody, EditHouseholdBody, HOUSEHOLD_FILE_CONTENT_TYPES, HouseholdCodeParam, HouseholdImportQuery, HouseholdListQuery, RecheckBody, SurveyBody, VotesBody } from './household-requests';
export { POVERTY_RULES_DIR, loadCaseRuleSet } from './household-rule-sets';
export { HouseholdsModule } from './households.module';
export { HouseholdsService } from './households.service';
