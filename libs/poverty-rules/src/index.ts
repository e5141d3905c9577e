export { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
export * from './deprivation-indicator.schema';
export * from './rule-set.schema';
export * from './province-lines.schema';
export * from './lists-year.schema';
export { applyProvinceLines } from './apply-province-lines';
export {
  RuleSetCatalog,
  listsStartDay,
  type Labelled,
  type RuleSetCatalogInput,
  type RuleSetChoice,
} from './rule-set-catalog';
export { parseHouseholdInput, type Household, type HouseholdInputResult } from './household-input.schema';
export {
  classifyHousehold,
  type Classification,
  type ClassificationExplanation,
  type HouseholdClass,
} from './classify-household';
export { classifyTransition, type HouseholdTransition } from './classify-transition';
