import { Module } from '@nestjs/common';
import { DefinitionsModule } from '../definitions';
import { StandardsModule } from '../standards';
import { UnitsModule } from '../units';
import { HouseholdCaseService } from './household-case.service';
import { HouseholdCertificatesService } from './household-certificates.service';
import { HouseholdComplaintsService } from './household-complaints.service';
import { HouseholdListService } from './household-list.service';
import { HouseholdSurveyService } from './household-survey.service';
import { HouseholdVotesService } from './household-votes.service';
import { HouseholdsRepository } from './households.repository';

const USE_CASES = [
  HouseholdListService,
  HouseholdSurveyService,
  HouseholdVotesService,
  HouseholdComplaintsService,
  HouseholdCertificatesService,
];

/** A village case's household list: import/export, survey and classification, votes, complaints and re-checks, certificates. */
@Module({
  imports: [DefinitionsModule, StandardsModule, UnitsModule],
  providers: [...USE_CASES, HouseholdCaseService, HouseholdsRepository],
  exports: [...USE_CASES],
})
export class HouseholdsModule {}
