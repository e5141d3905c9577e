import { Module } from '@nestjs/common';
import { ActorLevelCheck } from './actor-level-check';
import { DemoUnitsService } from './demo-units.service';
import { OfficialUnitList } from './official-unit-list';
import { UnitAreas } from './unit-areas';
import { UnitDirectory } from './unit-directory';
import { UnitImportService } from './unit-import.service';
import { UnitRepository } from './unit.repository';
import { UnitsService } from './units.service';

@Module({
  providers: [
    UnitsService,
    UnitRepository,
    UnitDirectory,
    ActorLevelCheck,
    OfficialUnitList,
    UnitImportService,
    DemoUnitsService,
    UnitAreas,
  ],
  exports: [
    UnitsService,
    UnitDirectory,
    ActorLevelCheck,
    OfficialUnitList,
    UnitImportService,
    DemoUnitsService,
    UnitAreas,
  ],
})
export class UnitsModule {}
