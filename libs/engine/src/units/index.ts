export { ActorLevelCheck } from './actor-level-check';
export { demoProvince } from './demo-province';
export { UnitDirectory, responsibleIndex } from './unit-directory';
export { withPaths } from './unit-tree';
export type { UnitSeed } from './unit-tree';
export { UnitRepository } from './unit.repository';
export type { UnitLink } from './unit.repository';
export { UnitsModule } from './units.module';
export { UnitsService } from './units.service';
