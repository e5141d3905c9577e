export { HouseholdCertificatesService } from './household-certificates.service';
export { HouseholdComplaintsService } from './household-complaints.service';
export { HouseholdListService } from './household-list.service';
export {
  AddHouseholdBody,
  CertificateBody,
  ComplaintBody,
  EditHouseholdBody,
  HOUSEHOLD_FILE_CONTENT_TYPES,
  HouseholdCodeParam,
  HouseholdImportQuery,
  HouseholdListQuery,
  RecheckBody,
  SurveyBody,
  SurveysBody,
  VotesBody,
} from './household-requests';
export { HouseholdSurveyService } from './household-survey.service';
export { HouseholdVotesService } from './household-votes.service';
export { HouseholdsModule } from './households.module';
export { HouseholdsRepository } from './households.repository';
export type { NewHousehold } from './households.repository';
