import { Module } from '@nestjs/common';
import { DefinitionsModule } from '../definitions';
import { HouseholdRuleSets } from './household-rule-sets';
import { HouseholdsService } from './households.service';

/** A village case's household list: import/export, survey and classification, votes, complaints and re-checks, certificates. */
@Module({
  imports: [DefinitionsModule],
  providers: [HouseholdsService, HouseholdRuleSets],
  exports: [HouseholdsService, HouseholdRuleSets],
})
export class HouseholdsModule {}
