export { ActorLevelCheck } from './actor-level-check';
export { demoVillages, synthetic2021Province } from './demo-province';
export type { DemoCommune } from './demo-province';
export { DemoUnitsService } from './demo-units.service';
export type { EarlierDemo } from './demo-units.service';
export {
  OFFICIAL_LIST_NAME,
  OFFICIAL_UNITS_FILE,
  OfficialListError,
  OfficialUnitList,
  readOfficialList,
} from './official-unit-list';
export { UNIT_AREAS_FILE, UnitAreas, UnitAreasError, loadUnitAreas } from './unit-areas';
export type { CommuneArea, UnitTypeArea } from './unit-areas';
export { UnitDirectory, responsibleIndex } from './unit-directory';
export { parseUnitFile } from './unit-file';
export type { UnitFileError, UnitFileFormat, UnitFileRow } from './unit-file';
export { planUnitImport } from './unit-import-plan';
export type { ExistingUnit, UnitImportPlan } from './unit-import-plan';
export { UnitImportService } from './unit-import.service';
export type { UnitImportInput, UnitImportOptions, UnitImportOutcome } from './unit-import.service';
export { withPaths } from './unit-tree';
export type { UnitSeed } from './unit-tree';
export { UnitImportStatements, UnitRepository } from './unit.repository';
export type { CommuneRow, OfficialListLoad, UnitChangeRow, UnitLink } from './unit.repository';
export { UnitsModule } from './units.module';
export { UnitsService } from './units.service';
